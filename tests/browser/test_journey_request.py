"""Journey 1, on a phone: an official requests a mission of two legs on an invitation letter; after
issue they file the return with photos of the stamped visa sheets and the report."""

import time
from datetime import date, timedelta

import pytest

from ministry.models import Province
from missions import services as s
from missions.models import LegStamp, MissionOrder, State
from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, observe, set_language, shot
from tests.factories import jpeg_bytes, pdf_bytes, png_bytes, upload

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

    started = time.monotonic()
    page.select_option("select[name=issuing_unit]", str(cast.gdaf.pk))
    # The approver is proposed from the chain of command as one line; "change" opens the list of leaders.
    approver = page.locator("details.approver")
    def approver_named():
        name = page.locator("select[name=approver] option:checked").inner_text().split(" · ")[0]
        return approver.locator(".approver-chosen").inner_text().startswith(name)

    assert page.locator("select[name=approver]").input_value() == str(cast.head.pk) and approver_named()
    assert not page.locator("select[name=approver]").is_visible()
    approver.locator("summary").click()
    page.select_option("select[name=approver]", str(cast.leader.pk))
    assert approver_named()
    # The requester is already ticked; a colleague without a login is found by name and ticked.
    assert page.locator(f"#travellers-chosen input[value='{cast.official.pk}']").is_checked()
    assert not page.locator("select[multiple]").count()
    assert not page.locator("select[name=head]").is_visible()  # asked once there are two travellers
    page.fill("#traveller-search", cast.no_login.name_latin[:6])
    page.locator(f"#traveller-results input[value='{cast.no_login.pk}']").check()
    assert page.locator(f"#travellers-chosen input[value='{cast.no_login.pk}']").is_checked()
    # the one looked for is chosen: the search is emptied and the others found are gone
    assert page.input_value("#traveller-search") == "" and not page.locator("#traveller-results li").count()
    page.select_option("select[name=head]", str(cast.official.pk))

    # The itinerary starts where the requester works; the next leg starts where the previous one ended.
    rows = page.locator("#legs fieldset.leg-row")
    assert rows.nth(0).locator("select[name$='-from_province']").input_value() == str(pp.pk)
    rows.nth(0).locator("select[name$='-to_province']").select_option(str(sr.pk))
    # the calendar is the device's own picker: a date chosen there is written day first in the box
    rows.nth(0).locator("input.day-picker").fill(start.isoformat())
    assert rows.nth(0).locator("input[name$='-travel_date']").input_value() == start.strftime("%d/%m/%Y")
    rows.nth(0).locator("select[name$='-means']").select_option("ministry_car")
    page.locator("button[hx-get*='leg-row']").click()
    page.wait_for_function("() => document.querySelectorAll('#legs fieldset.leg-row').length >= 2")
    assert rows.nth(1).locator("select[name$='-from_province']").input_value() == str(sr.pk)
    # taken from the previous leg, the start is a line of text with "change" beside it, not another list
    assert not rows.nth(1).locator("select[name$='-from_province']").is_visible()
    place = rows.nth(0).locator("select[name$='-to_province'] option:checked").inner_text()
    assert rows.nth(1).locator(".chained-from").inner_text().startswith(place)
    assert rows.nth(0).locator("select[name$='-from_province']").is_visible()
    rows.nth(1).locator("select[name$='-to_province']").select_option(str(pp.pk))
    rows.nth(1).locator("input[name$='-travel_date']").fill(end.strftime("%d/%m/%Y"))
    rows.nth(1).locator("select[name$='-means']").select_option("ministry_car")

    # Only the basis chosen is asked for.
    assert not page.locator("fieldset.basis-invitation").is_visible()
    page.check("input[name=basis][value=invitation]")
    assert page.locator("fieldset.basis-invitation").is_visible()
    assert not page.locator("fieldset.basis-approval").is_visible()
    page.fill("input[name=invitation_sender]", "សាលាខេត្តសៀមរាប")
    page.fill("input[name=invitation_number]", "១២៣ ស.ខ.ស")
    page.fill("input[name=invitation_date]", (start - timedelta(days=20)).strftime("%d/%m/%Y"))
    page.set_input_files("input[name=invitation_scan]",
                         files=[{"name": "invitation.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    # The whole two-leg request, every answer given, fits in under two phone screens.
    screens = page.evaluate("() => document.querySelector('form.request-form').getBoundingClientRect().height") \
        / page.viewport_size["height"]
    observe("request form before sending", lang=lang, phone_screens=round(screens, 2))
    assert screens < 2, f"the two-leg request is {screens:.2f} phone screens tall"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"], \
        "the form is wider than the phone"
    # (the purpose is forgotten: the form comes back with the error and keeps the scan)
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".attached", has_text="invitation.pdf").is_visible()
    assert page.locator(f"#travellers-chosen input[value='{cast.no_login.pk}']").is_checked()
    axe_check(page, f"request form with an error ({lang})")
    shot(page, "request", lang, "2-error-keeps-the-scan")
    page.fill("textarea[name=purpose_km]", "ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ")
    form_height = page.evaluate("() => document.querySelector('form.request-form').getBoundingClientRect().height")
    assert form_height < 2 * page.viewport_size["height"], "with the error stated, the form is over two phone screens"
    shot(page, "request", lang, "2-filled")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state("networkidle")
    observe("request form", lang=lang, seconds=round(time.monotonic() - started, 1),
            phone_screens=round(form_height / page.viewport_size["height"], 2))

    order = MissionOrder.objects.filter(requested_by=cast.official).latest("created")
    assert order.state == State.SUBMITTED, page.locator(".errorlist").all_inner_texts()
    assert order.legs.count() == 2 and order.invitation_scan
    assert order.departure_date == start and order.return_date == end
    assert order.travellers.count() == 2
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
    # The user lands on the return, now read-only, with its state and what happens next.
    assert f"/missions/{order.pk}/return/" in page.url
    assert not page.locator("main input[type=file], main textarea").count()
    assert page.locator(".badge.state-returned").count()
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
