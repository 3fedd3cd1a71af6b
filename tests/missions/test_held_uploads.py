"""A request form that comes back with an error keeps the files the user chose: held for them, shown as
attached, taken when the form is sent again, and never given to another user."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from missions.models import MissionOrder
from tests.factories import make_order, pdf_bytes, upload
from tests.missions.test_views_request import _post_data

pytestmark = pytest.mark.django_db


def _held_key(html):
    return re.search(r'name="invitation_scan_held" value="([0-9a-f]{32})"', html).group(1)


def test_a_scan_survives_a_form_error_and_is_saved_with_the_corrected_form(cast, login):
    client = login(cast.official)
    start = date.today() + timedelta(days=15)
    bad = _post_data(cast, return_date=(start - timedelta(days=1)).isoformat())
    bad["invitation_scan"] = upload("invitation-letter.pdf", pdf_bytes(), "application/pdf")
    page = client.post(reverse("missions:new"), bad)
    assert page.status_code == 200 and not MissionOrder.objects.exists()
    html = page.content.decode()
    assert "The return date is before the departure date." in html
    assert "Attached:" in html and "invitation-letter.pdf" in html
    key = _held_key(html)
    good = _post_data(cast, invitation_scan_held=key)
    response = client.post(reverse("missions:new"), good)
    order = MissionOrder.objects.get()
    assert response.status_code == 302
    assert order.invitation_scan and order.invitation_scan.read() == pdf_bytes()
    # Once saved, the held copy is gone: the key cannot attach it again.
    client.post(reverse("missions:new"), _post_data(cast, invitation_scan_held=key))
    assert not MissionOrder.objects.exclude(pk=order.pk).exclude(invitation_scan="").exists()


def test_a_held_scan_belongs_to_the_user_who_chose_it(cast, login):
    client = login(cast.official)
    bad = _post_data(cast, purpose_km="")
    bad["invitation_scan"] = upload("letter.png")
    key = _held_key(client.post(reverse("missions:new"), bad).content.decode())
    other = login(cast.colleague)
    response = other.post(reverse("missions:new"), _post_data(cast, travellers=[cast.colleague],
                                                               invitation_scan_held=key))
    assert response.status_code == 302
    assert not MissionOrder.objects.get().invitation_scan


def test_a_file_that_fails_its_check_is_reported_and_not_held(cast, login):
    client = login(cast.official)
    bad = _post_data(cast, purpose_km="")
    bad["invitation_scan"] = upload("letter.pdf", b"MZ not a scan at all", "application/pdf")
    html = client.post(reverse("missions:new"), bad).content.decode()
    assert "This file is not a PDF, JPEG or PNG" in html
    assert not re.search(r'name="invitation_scan_held" value="[0-9a-f]', html)


def test_the_draft_page_shows_the_scan_already_attached(cast, login):
    client = login(cast.official)
    data = _post_data(cast)
    data["invitation_scan"] = upload("letter.png")
    client.post(reverse("missions:new"), data)
    order = MissionOrder.objects.get()
    html = client.get(reverse("missions:edit", args=[order.pk])).content.decode()
    assert "Attached:" in html
    assert f'href="{reverse("missions:file", args=["invitation", order.pk])}"' in html
    assert "Replace with another file" in html
