"""The screens people must finish without help, on a phone and a desktop, in Khmer and English, with axe:
a destructive action asked once, lists that show and find what a decision needs, the return pages, the
menu, a rejected group post sent again, and the request form on a desktop."""

from datetime import date, time, timedelta

import pytest

from missions import services as s
from missions.models import State
from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, observe, set_language, shot
from tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = [("km", True), ("en", False)]  # Khmer on a phone, English on a desktop


def _open(open_page, cast, who, lang, phone):
    page = open_page(lang, phone=phone)
    login(page, who)
    set_language(page, lang)
    return page


@pytest.mark.parametrize("lang,phone", SIZES)
def test_a_leader_rejects_from_the_list_after_seeing_purpose_and_basis_and_one_question(open_page, cast, lang, phone):
    order = make_order(cast, state="submitted")
    page = _open(open_page, cast, cast.leader, lang, phone)
    page.goto("/missions/approvals/")
    row = page.locator("tbody tr").first
    assert row.locator("td").nth(2).inner_text().strip()  # the purpose
    assert row.locator("td").nth(6).inner_text().strip()  # the basis
    axe_check(page, f"approvals list ({lang})")
    shot(page, "screens", lang, "1-approvals")
    row.locator(f"a[href='/missions/{order.pk}/confirm/reject/']").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/missions/{order.pk}/confirm/reject/")
    buttons = page.locator("form .actions > *")
    assert buttons.first.get_attribute("href") == f"/missions/{order.pk}/"  # "go back" first, never the action
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"reject confirmation ({lang})")
    shot(page, "screens", lang, "2-confirm-reject")
    page.locator("button.danger").click()  # without the reason: asked again, nothing changes
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.SUBMITTED and "/confirm/reject/" in page.url
    page.fill("textarea[name=reason]", "ខ្វះលិខិតអញ្ជើញដើម")
    page.locator("button.danger").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.REJECTED and order.reason == "ខ្វះលិខិតអញ្ជើញដើម"
    assert page.url.endswith(f"/missions/{order.pk}/")
    assert page.locator(".messages li.success").count()


@pytest.mark.parametrize("lang,phone", SIZES)
def test_my_list_finds_by_province_and_sorts_and_an_inverted_range_says_so(open_page, cast, lang, phone):
    first = make_order(cast, legs=1)
    later = make_order(cast, start=first.return_date + timedelta(days=5), legs=2)
    page = _open(open_page, cast, cast.official, lang, phone)
    page.goto("/missions/")
    # the phone menu is one line with the current page marked
    here = page.locator("nav.main a[aria-current=page]")
    assert here.get_attribute("href") == "/missions/"
    header = page.evaluate("() => document.querySelector('header.top').getBoundingClientRect().height")
    observe("header height", lang=lang, phone=phone, pixels=round(header))
    page.fill("input[name=q]", "បាត់ដំបង" if lang == "km" else "Battambang")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(f"a[href='/missions/{later.pk}/']").count() == 1
    assert page.locator(f"a[href='/missions/{first.pk}/']").count() == 0
    axe_check(page, f"list searched by province ({lang})")
    shot(page, "screens", lang, "3-list-search")
    page.goto("/missions/?sort=-departure")
    links = page.locator("tbody tr td:first-child a")
    assert links.nth(0).get_attribute("href") == f"/missions/{later.pk}/"
    page.fill("input[name=date_from]", "20/01/2027")
    page.fill("input[name=date_to]", "10/01/2027")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("form.filters .errorlist").is_visible()
    # the message under "until" does not push "from" down out of line with it
    boxes = [page.locator(f"input[name={n}]").bounding_box()["y"] for n in ("date_from", "date_to")]
    assert abs(boxes[0] - boxes[1]) < 4, boxes
    axe_check(page, f"list with an inverted range ({lang})")


@pytest.mark.parametrize("lang,phone", SIZES)
def test_the_return_screens_state_the_outcome_and_show_the_stamps(open_page, cast, lang, phone):
    order = make_order(cast, state="sent_back")
    page = _open(open_page, cast, cast.official, lang, phone)
    page.goto(f"/missions/{order.pk}/return/")
    assert page.locator(".sent-back").is_visible() and "ខ្វះត្រា" in page.locator(".sent-back").inner_text()
    axe_check(page, f"sent-back return ({lang})")
    shot(page, "screens", lang, "4-sent-back-return")
    page.locator("form[action$='/do/file_return/'] button").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.RETURNED and page.url.endswith(f"/missions/{order.pk}/return/")
    assert not page.locator("main input[type=file]").count()
    axe_check(page, f"filed return ({lang})")
    shot(page, "screens", lang, "5-return-filed")
    # the returns clerk sees the stamp photos on the order page
    clerk = _open(open_page, cast, cast.returns_clerk, lang, phone)
    clerk.goto(f"/missions/{order.pk}/")
    photos = clerk.locator("ul.stamps img")
    assert photos.count() == order.travellers.count() * order.legs.count()
    for i in range(photos.count()):  # loaded lazily, as they come into view
        photos.nth(i).scroll_into_view_if_needed()
    clerk.wait_for_function("() => [...document.querySelectorAll('ul.stamps img')].every(i => i.complete && i.naturalWidth > 0)")
    axe_check(clerk, f"order page with stamps ({lang})")
    shot(clerk, "screens", lang, "6-stamps")


@pytest.mark.parametrize("lang,phone", SIZES)
def test_cancelling_a_draft_is_asked_once_and_the_draft_shows_its_scan(open_page, cast, lang, phone):
    from tests.factories import pdf_bytes, upload

    order = make_order(cast)
    s.order_update_draft(order=order, by=cast.official.user, data=_with_scan(cast, order, upload(
        "letter.pdf", pdf_bytes(), "application/pdf")))
    page = _open(open_page, cast, cast.official, lang, phone)
    page.goto(f"/missions/{order.pk}/edit/")
    assert page.locator(".attached").is_visible()
    axe_check(page, f"edit draft with a scan ({lang})")
    page.goto(f"/missions/{order.pk}/")
    actions = page.locator("#actions + .actions > *")
    assert "confirm" not in (actions.first.get_attribute("href") or "")  # submit first, cancel after
    page.locator(f"a[href='/missions/{order.pk}/confirm/cancel/']").click()
    page.wait_for_load_state("networkidle")
    axe_check(page, f"cancel confirmation ({lang})")
    page.locator(".actions a.secondary").click()  # "No, go back"
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.DRAFT and page.url.endswith(f"/missions/{order.pk}/")


def _with_scan(cast, order, scan):
    from missions.services import LegInput, OrderInput

    return OrderInput(
        issuing_unit=order.issuing_unit, purpose_km=order.purpose_km, purpose_en=order.purpose_en,
        departure_date=order.departure_date, return_date=order.return_date, basis=order.basis,
        approver=order.approver, travellers=[t.official for t in order.travellers.all()],
        legs=[LegInput(travel_date=leg.travel_date, means=leg.means, from_province=leg.from_province,
                       to_province=leg.to_province) for leg in order.legs.all()],
        invitation_sender=order.invitation_sender, invitation_number=order.invitation_number,
        invitation_date=order.invitation_date, invitation_scan=scan)


@pytest.mark.parametrize("lang,phone", SIZES)
def test_a_rejected_group_post_is_changed_and_sent_again(open_page, cast, lang, phone):
    from groups import services as g
    from tests.factories import make_official

    chief = make_official("CABINET", "chief-of-cabinet", username="chief_cabinet")
    lead = g.group_create(kind="leadership", name_km="ក្រុមថ្នាក់ដឹកនាំ", name_en="Leadership group", moderators=[chief])
    post = g.post_create(by=cast.leader.user, group=lead, category="meeting", title="ប្រជុំប្រចាំខែ",
                         body_km="សូមអញ្ជើញចូលរួម", meeting_date=date.today() + timedelta(days=9),
                         meeting_time=time(8, 30), meeting_place="សាលប្រជុំ")
    g.post_reject(post=post, by=chief.user, reason="សូមបញ្ជាក់របៀបវារៈ")
    page = _open(open_page, cast, cast.leader, lang, phone)
    page.goto(f"/groups/{lead.pk}/")
    page.locator(f"a[href='/groups/posts/{post.pk}/edit/']").click()
    page.wait_for_load_state("networkidle")
    axe_check(page, f"post sent again ({lang})")
    page.fill("textarea[name=agenda]", "១. របាយការណ៍ប្រចាំខែ")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    post.refresh_from_db()
    assert post.state == "pending" and post.agenda == "១. របាយការណ៍ប្រចាំខែ"
    shot(page, "screens", lang, "7-post-sent-again")


def test_the_request_form_on_a_desktop_and_the_favicon(open_page, cast):
    page = _open(open_page, cast, cast.official, "en", False)
    page.goto("/missions/new/")
    # the leaders' list, behind "change", narrows as one types part of a name, position or unit
    page.locator("details.approver summary").click()
    box = page.locator("select[name=approver]").locator("xpath=preceding-sibling::input[1]")
    box.fill(cast.leader.name_latin)
    assert page.locator("select[name=approver]").input_value() == str(cast.leader.pk)
    assert page.locator("select[name=approver] option:not([hidden])").count() <= 3
    assert page.locator("details.approver .approver-chosen").inner_text().startswith(
        page.locator("select[name=approver] option:checked").inner_text().split(" · ")[0])
    # on a desktop a leg is one row: from, to, date and means side by side
    leg = page.locator("#legs fieldset.leg-row").first
    tops = [round(leg.locator(sel).bounding_box()["y"]) for sel in
            ("select[name$='-from_province']", "select[name$='-to_province']", "input[name$='-travel_date']",
             "select[name$='-means']")]
    assert max(tops) - min(tops) < 10, tops
    # a leg added starts where the last ended, and follows it when that changes; "change" unties it
    from ministry.models import Province

    sr, kp, bb = (str(Province.objects.get(code=c).pk) for c in ("KH-17", "KH-23", "KH-2"))
    rows = page.locator("#legs fieldset.leg-row")
    assert not rows.nth(0).locator(".remove-leg").is_visible()  # the only leg is not offered for removal
    rows.nth(0).locator("select[name$='-to_province']").select_option(sr)
    page.locator("button[hx-get*='leg-row']").click()
    page.wait_for_function("() => document.querySelectorAll('#legs fieldset.leg-row').length >= 2")
    second_from = rows.nth(1).locator("select[name$='-from_province']")
    assert second_from.input_value() == sr and not second_from.is_visible()
    rows.nth(0).locator("select[name$='-to_province']").select_option(kp)
    assert second_from.input_value() == kp
    assert rows.nth(1).locator(".chained-from").inner_text().startswith(
        rows.nth(0).locator("select[name$='-to_province'] option:checked").inner_text())
    rows.nth(1).locator(".change-from").click()
    assert second_from.is_visible()
    second_from.select_option(bb)
    rows.nth(0).locator("select[name$='-to_province']").select_option(sr)
    assert second_from.input_value() == bb and second_from.is_visible()
    assert rows.nth(0).locator(".remove-leg").is_visible()
    axe_check(page, "request form on a desktop")
    shot(page, "screens", "en", "8-request-desktop")
    response = page.context.request.get("/favicon.ico")
    assert response.ok and response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")


def test_the_request_form_without_script(browser, live_server, cast):
    """Only the basis chosen is shown (CSS alone), and a leg is added by sending the form back."""
    from tests.browser.conftest import PHONE

    ctx = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False,
                              extra_http_headers={"Accept-Language": "km"})
    try:
        page = ctx.new_page()
        login(page, cast.official)
        page.goto("/missions/new/")
        assert not page.locator("fieldset.basis-invitation").is_visible()
        assert not page.locator("fieldset.basis-approval").is_visible()
        page.check("input[name=basis][value=approval]")
        assert page.locator("fieldset.basis-approval").is_visible()
        assert not page.locator("fieldset.basis-invitation").is_visible()
        assert not page.locator("button[hx-get*='leg-row']").is_visible()
        page.fill("textarea[name=purpose_km]", "ចូលរួមប្រជុំ")
        from ministry.models import Province

        sr = str(Province.objects.get(code="KH-17").pk)
        page.locator("#legs select[name$='-to_province']").first.select_option(sr)
        page.locator("button[name=action][value=add_leg]").click()
        page.wait_for_load_state("load")
        rows = page.locator("#legs fieldset.leg-row")
        assert rows.count() == 2
        assert rows.nth(1).locator("select[name$='-from_province']").input_value() == sr
        assert rows.nth(1).locator("select[name$='-from_province']").is_visible()  # a list still, without script
        assert page.locator("textarea[name=purpose_km]").input_value() == "ចូលរួមប្រជុំ"
        assert page.locator("input[name=basis][value=approval]").is_checked()
    finally:
        ctx.close()
