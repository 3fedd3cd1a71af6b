"""The new-request page, the itinerary rows added with htmx, my missions and the order page."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from ministry.models import Province
from missions.models import Leg, MissionOrder, State, Traveller
from tests.factories import make_order, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _post_data(cast, *, start=None, travellers=None, legs=None, **extra):
    start = start or date.today() + timedelta(days=15)
    end = start + timedelta(days=2)
    pp, sr = Province.objects.get(code="KH-12"), Province.objects.get(code="KH-17")
    data = {
        "issuing_unit": cast.gdaf.pk,
        "purpose_km": "ចូលរួមសិក្ខាសាលា",
        "purpose_en": "Attend a workshop",
        "basis": "invitation",
        "invitation_sender": "សាលាខេត្តសៀមរាប",
        "invitation_number": "១២៣",
        "invitation_date": (min(start, date.today()) - timedelta(days=10)).isoformat(),
        "approver": cast.leader.pk,
        "travellers": [o.pk for o in (travellers or [cast.official, cast.colleague])],
        "head": (travellers or [cast.official])[0].pk,
        "departure_date": start.isoformat(),
        "return_date": end.isoformat(),
        "action": "draft",
    }
    rows = legs if legs is not None else [("a1", pp, sr, start), ("b2", sr, pp, end)]
    for key, a, b, day in rows:
        data.update({
            f"leg-{key}-from_province": a.pk, f"leg-{key}-to_province": b.pk,
            f"leg-{key}-travel_date": day.isoformat(), f"leg-{key}-means": "ministry_car",
        })
    data.update(extra)
    return data


def test_new_request_page_renders_with_one_leg_row(cast, login):
    client = login(cast.official)
    page = client.get(reverse("missions:new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-get="/missions/new/leg-row/"' in html
    assert len(re.findall(r'name="leg-[0-9a-f]+-travel_date"', html)) == 1
    assert 'capture="environment"' in html


def test_leg_row_partial_is_one_fresh_row(cast, login):
    client = login(cast.official)
    one = client.get(reverse("missions:leg_row"), HTTP_HX_REQUEST="true").content.decode()
    two = client.get(reverse("missions:leg_row"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in one
    keys = [re.search(r'name="(leg-[0-9a-f]+)-travel_date"', x).group(1) for x in (one, two)]
    assert keys[0] != keys[1]
    assert "data-remove-row" in one and 'name="%s-to_country"' % keys[0] in one


def test_traveller_search_finds_officials_of_my_unit_only(cast, login):
    client = login(cast.official)
    found = client.get(reverse("missions:traveller_search"), {"q": cast.colleague.name_latin}).content.decode()
    assert f'value="{cast.colleague.pk}"' in found
    other = client.get(reverse("missions:traveller_search"), {"q": cast.other.name_latin}).content.decode()
    assert f'value="{cast.other.pk}"' not in other


def test_save_draft_creates_the_order_with_legs_in_row_order(cast, login):
    client = login(cast.official)
    response = client.post(reverse("missions:new"), _post_data(cast))
    order = MissionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("missions:detail", args=[order.pk])
    assert order.state == State.DRAFT
    assert list(order.legs.values_list("seq", "to_province__code")) == [(1, "KH-17"), (2, "KH-12")]
    assert order.travellers.get(is_head=True).official == cast.official


def test_save_and_submit_submits(cast, login):
    client = login(cast.official)
    client.post(reverse("missions:new"), _post_data(cast, action="submit"))
    assert MissionOrder.objects.get().state == State.SUBMITTED


def test_approval_in_principle_with_scan(cast, login, settings):
    client = login(cast.official)
    data = _post_data(cast, basis="approval", approval_leader=cast.leader.pk,
                      approval_date=date.today().isoformat(), approval_note="យល់ព្រម")
    data["approval_scan"] = upload("ok.pdf", pdf_bytes(), "application/pdf")
    client.post(reverse("missions:new"), data)
    order = MissionOrder.objects.get()
    assert order.approval_leader == cast.leader and order.approval_scan.name.endswith(".pdf")


def test_errors_are_shown_per_field_and_nothing_is_written(cast, login, settings):
    client = login(cast.official)
    data = _post_data(cast, invitation_number="", return_date=(date.today() + timedelta(days=1)).isoformat())
    response = client.post(reverse("missions:new"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "invitation_number" in form.errors and "return_date" in form.errors
    assert not MissionOrder.objects.exists() and not Leg.objects.exists()


def test_service_errors_reach_the_form_and_nothing_is_written(cast, login, settings):
    client = login(cast.official)
    # The content check of the scan is the service's rule: a renamed program is refused.
    data = _post_data(cast)
    data["invitation_scan"] = upload("letter.png", b"MZ\x90\x00 this is a program" * 20, "image/png")
    response = client.post(reverse("missions:new"), data)
    assert response.status_code == 200
    assert "not a PDF, JPEG or PNG" in " ".join(response.context["form"].errors["invitation_scan"])
    assert not MissionOrder.objects.exists() and not Traveller.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_leg_dates_outside_the_mission_are_refused(cast, login):
    client = login(cast.official)
    start = date.today() + timedelta(days=15)
    pp, sr = Province.objects.get(code="KH-12"), Province.objects.get(code="KH-17")
    data = _post_data(cast, start=start, legs=[("c3", pp, sr, start + timedelta(days=30))])
    response = client.post(reverse("missions:new"), data)
    assert response.status_code == 200 and response.context["legs_error"]
    assert not MissionOrder.objects.exists()


def test_a_leg_needs_a_province_or_a_foreign_city(cast, login):
    client = login(cast.official)
    data = _post_data(cast)
    data["leg-a1-from_province"] = ""
    data["leg-a1-from_country"] = "TH"
    response = client.post(reverse("missions:new"), data)
    assert response.status_code == 200
    assert response.context["legs"][0].errors
    data["leg-a1-from_city"] = "Bangkok"
    client.post(reverse("missions:new"), data)
    leg = Leg.objects.get(seq=1)
    assert (leg.from_country, leg.from_city, leg.from_province) == ("TH", "Bangkok", None)


def test_no_itinerary_rows_is_an_error(cast, login):
    client = login(cast.official)
    response = client.post(reverse("missions:new"), _post_data(cast, legs=[]))
    assert response.status_code == 200 and response.context["legs_error"]
    assert not MissionOrder.objects.exists()


def test_clash_keeps_the_draft_and_names_the_other_order(cast, login):
    first = make_order(cast, state="issued")
    client = login(cast.official)
    response = client.post(reverse("missions:new"), _post_data(cast, start=first.departure_date, action="submit"),
                           follow=True)
    new = MissionOrder.objects.exclude(pk=first.pk).get()
    assert new.state == State.DRAFT
    text = response.content.decode()
    assert first.display_number in text


def test_my_missions_lists_orders_I_requested_or_travel_on(cast, login):
    mine = make_order(cast)
    colleague_only = make_order(cast, travellers=[cast.colleague], start=date.today() + timedelta(days=40))
    client = login(cast.official)
    page = client.get(reverse("missions:mine"))
    assert page.status_code == 200
    ids = {o["id"] for o in page.context["page"].object_list}
    assert ids == {mine.pk, colleague_only.pk}  # requested by official in both
    client = login(cast.colleague)
    assert {o["id"] for o in client.get(reverse("missions:mine")).context["page"].object_list} == {mine.pk, colleague_only.pk}
    client = login(cast.other)
    assert client.get(reverse("missions:mine")).context["total"] == 0


def test_detail_shows_travellers_itinerary_timeline_and_actions(cast, login):
    order = make_order(cast, state="submitted")
    client = login(cast.official)
    page = client.get(reverse("missions:detail", args=[order.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert str(cast.colleague) in html
    assert [a["name"] for a in page.context["actions"]] == ["cancel"]
    assert "timeline" in html and len(page.context["log"]) == 2


def test_detail_of_another_units_order_is_404(cast, login):
    order = make_order(cast)
    client = login(cast.other)
    assert client.get(reverse("missions:detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("missions:detail", args=[order.pk + 999])).status_code == 404


@pytest.mark.parametrize("lang,text", [("en", "New mission request"), ("km", 'lang="km"')])
def test_pages_render_in_both_languages(cast, login, lang, text):
    client = login(cast.official)
    client.cookies["django_language"] = lang
    order = make_order(cast, state="issued")
    for url in (reverse("missions:new"), reverse("missions:mine"), reverse("missions:detail", args=[order.pk])):
        page = client.get(url)
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.content.decode()
    assert text in client.get(reverse("missions:new")).content.decode()


def test_language_switch_via_setlang(cast, login):
    client = login(cast.official)
    client.post("/i18n/setlang/", {"language": "en", "next": "/missions/"})
    page = client.get(reverse("missions:mine"))
    assert '<html lang="en">' in page.content.decode()
    assert "No." in client.get(reverse("missions:detail", args=[make_order(cast, state="issued").pk])).content.decode()


# --- a form that asks only what applies ---------------------------------------------------------------


def test_dates_are_read_day_first_in_either_digits_and_shown_day_first(cast, login):
    client = login(cast.official)
    start = date.today() + timedelta(days=40)
    data = _post_data(cast, start=start)
    data.pop("departure_date")
    data["return_date"] = ""  # the last leg's date
    # 10/01 is the 10th of January in Cambodia, never the 1st of October; Khmer digits are read too.
    data["invitation_date"] = "10/01/2026"
    key = next(k for k in data if k.endswith("-travel_date"))
    from khmer.digits import to_khmer_digits
    data[key] = to_khmer_digits(start.strftime("%d/%m/%Y"))
    response = client.post(reverse("missions:new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    order = MissionOrder.objects.get()
    assert order.invitation_date == date(2026, 1, 10)
    assert order.departure_date == start  # the first leg's date, not asked twice
    assert order.return_date == start + timedelta(days=2)  # the last leg's date
    html = client.get(reverse("missions:edit", args=[order.pk])).content.decode()
    assert 'value="10/01/2026"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'class="day-picker"' in html and 'value="2026-01-10"' in html


def test_a_date_that_cannot_be_read_is_refused_with_a_message(cast, login):
    client = login(cast.official)
    response = client.post(reverse("missions:new"), _post_data(cast, invitation_date="31/02/2026"))
    assert response.status_code == 200 and not MissionOrder.objects.exists()
    assert "Enter a valid date." in response.content.decode()


def test_the_form_offers_the_requester_ticked_and_no_plain_multi_select(cast, login):
    client = login(cast.official)
    html = client.get(reverse("missions:new")).content.decode()
    assert "<select name=\"travellers\"" not in html and "multiple" not in html
    assert re.search(rf'<input type="checkbox" name="travellers" value="{cast.official.pk}"[^>]* checked>', html)
    # nobody else of the unit is listed until searched for
    assert f'name="travellers" value="{cast.colleague.pk}"' not in html
    # the itinerary starts where the requester works
    assert re.search(r'<option value="%s" selected>' % Province.objects.get(code="KH-12").pk, html)


def test_leaders_are_grouped_by_unit_and_named_with_their_position(cast, login):
    client = login(cast.official)
    html = client.get(reverse("missions:new")).content.decode()
    approver = re.search(r'<select name="approver".*?</select>', html, flags=re.S).group(0)
    assert f'<optgroup label="{cast.leader.unit}">' in approver
    assert f"{cast.leader.display_name} · {cast.leader.position.title}" in approver


def test_without_the_basis_neither_set_of_basis_fields_is_lost(cast, login):
    """Both basis fieldsets are in the page (CSS shows the one chosen, without script); the unchosen
    one's answers are not saved."""
    client = login(cast.official)
    html = client.get(reverse("missions:new")).content.decode()
    assert 'class="basis-invitation"' in html and 'class="basis-approval"' in html
    client.post(reverse("missions:new"), _post_data(cast, approval_note="not this one"))
    assert MissionOrder.objects.get().approval_note == ""


def test_without_script_a_leg_is_added_from_where_the_last_ended_and_nothing_is_lost(cast, login):
    client = login(cast.official)
    data = _post_data(cast, purpose_km="", action="add_leg", legs=[("a1", Province.objects.get(code="KH-12"),
                                                                  Province.objects.get(code="KH-17"), date.today())])
    data["invitation_scan"] = upload("letter.png")
    html = client.post(reverse("missions:new"), data).content.decode()
    assert not MissionOrder.objects.exists()
    assert len(re.findall(r'name="leg-[0-9a-f]+-travel_date"', html)) == 2
    sr = Province.objects.get(code="KH-17").pk
    new_from = re.findall(r'<select name="leg-([0-9a-f]+)-from_province"[^>]*>.*?</select>', html, flags=re.S)
    second = re.search(rf'<select name="leg-{new_from[1]}-from_province"[^>]*>.*?</select>', html, flags=re.S).group(0)
    assert f'<option value="{sr}" selected>' in second
    assert "errorlist" not in html  # not validated yet
    assert "Attached:" in html and "letter.png" in html


def test_without_script_the_traveller_search_comes_back_in_the_form(cast, login):
    client = login(cast.official)
    html = client.post(reverse("missions:new"), _post_data(cast, travellers=[cast.official], action="find",
                                                           q=cast.colleague.name_latin)).content.decode()
    assert not MissionOrder.objects.exists()
    assert re.search(rf'<input type="checkbox" name="travellers" value="{cast.colleague.pk}"', html)
    assert re.search(rf'<input type="checkbox" name="travellers" value="{cast.official.pk}"[^>]* checked>', html)
