"""The timeline names a PDF request in the reader's language, with the reason, not as "v1 · KM"."""

import pytest
from django.urls import reverse

from missions.models import OrderLog
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _timeline(client, order):
    html = client.get(reverse("missions:detail", args=[order.pk])).content.decode()
    return html[html.index('class="timeline"'):]


def test_the_timeline_names_the_pdf_version_language_and_reason(cast, login):
    order = make_order(cast, state="issued")
    entry = OrderLog.objects.get(order=order, action="document_requested")
    document = order.documents.get()
    assert entry.note == "" and entry.data == {"document": document.pk, "version": 1, "language": "km",
                                               "reason": "issued"}
    timeline = _timeline(login(cast.official), order)
    assert "Version 1, Khmer: Issued" in timeline and "v1 · KM" not in timeline


@pytest.mark.khmer
def test_the_timeline_note_in_khmer(cast, login):
    order = make_order(cast, state="issued")
    timeline = _timeline(login(cast.official), order)
    assert "កំណែទី ១ ភាសាខ្មែរ៖" in timeline and "v1 · KM" not in timeline


def test_an_unknown_note_is_shown_as_written(cast, login):
    order = make_order(cast, state="issued")
    OrderLog.objects.create(order=order, action="document_requested", note="imported from the old register")
    assert "imported from the old register" in _timeline(login(cast.official), order)


@pytest.mark.khmer
def test_a_recorded_leg_names_the_traveller_and_the_leg_in_khmer_digits(cast, login):
    order = make_order(cast, state="returned")
    timeline = _timeline(login(cast.official), order)
    assert f"{cast.official.display_name} ដំណាក់កាលទី ២" in timeline
    assert not any(f" · {n}\n" in timeline for n in range(1, 4))


def test_a_recorded_leg_in_english(cast, login):
    order = make_order(cast, state="returned")
    assert f"{cast.colleague.display_name}, leg 2" in _timeline(login(cast.official), order)


@pytest.mark.khmer
def test_a_leg_recorded_by_an_english_reader_names_the_traveller_in_khmer(cast, login):
    """The name in the log was written in the recorder's language; a Khmer reader reads it in Khmer."""
    from django.utils import translation

    with translation.override("en"):
        order = make_order(cast, state="returned")
        english = cast.colleague.display_name
    timeline = _timeline(login(cast.official), order)
    assert f"{cast.colleague.display_name} ដំណាក់កាលទី ២" in timeline
    assert english not in timeline


@pytest.mark.khmer
def test_an_overdue_day_in_the_timeline_is_in_khmer(cast, login):
    from datetime import date

    order = make_order(cast, state="issued")
    OrderLog.objects.create(order=order, action="overdue", note=date(2026, 12, 1).isoformat())
    timeline = _timeline(login(cast.official), order)
    assert "១ ធ្នូ ២០២៦" in timeline and "2026-12-01" not in timeline
