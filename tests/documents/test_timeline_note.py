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
    assert OrderLog.objects.filter(order=order, action="document_requested", note="v1 · KM").exists()
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
