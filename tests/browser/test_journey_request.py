"""Journey 1, on a phone: an official requests a mission of two legs on an invitation letter; after
issue they file the return with photos of the stamped visa sheets and the report."""

from datetime import date, timedelta

import pytest

from ministry.models import Province
from missions import services as s
from missions.models import LegStamp, MissionOrder, State
from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, set_language, shot
from tests.factories import jpeg_bytes, pdf_bytes, png_bytes

# serialized_rollback: the flush between tests would drop the provinces and roles the migrations load
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["km", "en"])
def test_official_requests_a_two_leg_mission_and_files_the_return(open_page, cast, lang):
    """The head of delegation asks for a mission of two (the other without a login), files the return for both
    and finds each step in the inbox."""
    page = open_page(lang, phone=True)
    login(page, cast.official)
    set_language(page, lang)
    start = date.today() - timedelta(days=6)  # travelled already: stamps are never dated in the future
    end = start + timedelta(days=2)
    pp, sr = Province.objects.get(code="KH-12"), Province.objects.get(code="KH-17")

    # 1. the request form
    page.goto("/missions/new/")
    assert page.locator("html").get_attribute("lang") == lang
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"new request ({lang})")
    shot(page, "request", lang, "1-form")

    page.select_option("select[name=issuing_unit]", str(cast.gdaf.pk))
    page.fill("textarea[name=purpose_km]", "ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ")
    page.fill("textarea[name=purpose_en]", "Attend the workshop on civil-service reform")
    page.fill("input[name=departure_date]", start.isoformat())
    page.fill("input[name=return_date]", end.isoformat())
    page.select_option("select[name=approver]", str(cast.leader.pk))
    page.check("input[name=basis][value=invitation]")
    page.fill("input[name=invitation_sender]", "សាលាខេត្តសៀមរាប")
    page.fill("input[name=invitation_number]", "១២៣ ស.ខ.ស")
    page.fill("input[name=invitation_date]", (start - timedelta(days=20)).isoformat())
    page.set_input_files("input[name=invitation_scan]",
                         files=[{"name": "invitation.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    page.select_option("select[name=travellers]", [str(cast.official.pk), str(cast.no_login.pk)])
    page.select_option("select[name=head]", str(cast.official.pk))

    rows = page.locator("#legs fieldset.leg-row")
    while rows.count() < 2:
        want = rows.count() + 1
        page.locator("button[hx-get*='leg-row']").click()
        page.wait_for_function("(n) => document.querySelectorAll('#legs fieldset.leg-row').length >= n", arg=want)
    for i, (a, b, when) in enumerate([(pp, sr, start), (sr, pp, end)]):
        row = rows.nth(i)
        row.locator("select[name$='-from_province']").select_option(str(a.pk))
        row.locator("select[name$='-to_province']").select_option(str(b.pk))
        row.locator("input[name$='-travel_date']").fill(when.isoformat())
        row.locator("select[name$='-means']").select_option("ministry_car")
    shot(page, "request", lang, "2-filled")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state("networkidle")

    order = MissionOrder.objects.filter(requested_by=cast.official).latest("created")
    assert order.state == State.SUBMITTED, page.locator(".errorlist").all_inner_texts()
    assert order.legs.count() == 2 and order.invitation_scan
    assert f"/missions/{order.pk}/" in page.url
    axe_check(page, f"order detail ({lang})")
    shot(page, "request", lang, "3-submitted")

    # (the leader approves and GDAF issues: journey 2 drives those pages)
    order = s.order_approve(order=order, by=cast.leader.user)
    order = s.order_issue(order=order, by=cast.gdaf_clerk.user)

    # 2. the return: the head of delegation records a photo of each stamped visa sheet for both travellers
    page.goto(f"/missions/{order.pk}/return/")
    axe_check(page, f"return ({lang})")
    shot(page, "request", lang, "4-return")
    assert page.locator("[data-missing]").count() == 4
    for traveller in order.travellers.order_by("sort"):
        page.goto(f"/missions/{order.pk}/return/?traveller={traveller.pk}")
        for i, leg in enumerate(order.legs.order_by("seq")):
            form = page.locator("form", has=page.locator(f"input[name=leg][value='{leg.pk}']"))
            form.locator("input[name$=departed_on]").fill(leg.travel_date.isoformat())
            form.locator("input[name$=arrived_on]").fill(leg.travel_date.isoformat())
            photo = jpeg_bytes((800, 600)) if i == 0 else png_bytes((600, 800))
            form.locator("input[name$=scan]").set_input_files(
                files=[{"name": f"stamp-{i + 1}.{'jpg' if i == 0 else 'png'}", "mimeType": "image/jpeg" if i == 0
                        else "image/png", "buffer": photo}])
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("networkidle")
    assert LegStamp.objects.filter(traveller__order=order).count() == 4
    assert page.locator("[data-missing]").count() == 0
    report = page.locator("form", has=page.locator("input[name=report]"))
    report.locator("textarea[name=report_text]").fill("បានចូលរួមសិក្ខាសាលា និងបានដាក់ជូនអនុសាសន៍ចំនួន ៣។")
    report.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    shot(page, "request", lang, "5-recorded")
    page.locator(f"form[action$='/do/file_return/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.RETURNED
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"returned order ({lang})")
    shot(page, "request", lang, "6-returned")

    # 3. the inbox: approved and issued reached the requester, who has neither Telegram nor e-mail
    assert page.locator("nav .bell .badge").count() == 1
    page.goto("/inbox/")
    assert page.locator("li[data-notice]").count() >= 2
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"inbox ({lang})")
    shot(page, "request", lang, "7-inbox")
    page.locator("li[data-notice] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert f"/missions/{order.pk}/" in page.url
