"""The admin where leaders and clerks work: approval in Khmer and English, lists at 1366 px, import and export
under the CSP — each page checked with axe and for CSP violations."""

import re

import pytest

from khmer.digits import to_khmer_digits

from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LAPTOP = {"width": 1366, "height": 768}
LATIN_DIGIT = re.compile(r"[0-9]")


def _staff(official, superuser=False):
    official.user.is_staff = True
    official.user.is_superuser = superuser
    official.user.save()
    return official


def admin_axe(page, where):
    """axe_check (which first fails on any CSP violation the page caused), then forget the violations axe's own
    probes cause on the admin's stylesheet (axe applies inline styles while it measures colour contrast there;
    the pages themselves apply none, as the check before each run shows)."""
    axe_check(page, where)
    page.wait_for_timeout(300)
    page.csp_violations.clear()


def _no_horizontal_overflow(page, selector):
    return page.evaluate(
        """(sel) => { const el = document.querySelector(sel);
                      return el.scrollWidth <= el.clientWidth + 1 && document.documentElement.scrollWidth <= innerWidth; }""",
        selector,
    )


@pytest.mark.parametrize("lang", ["km", "en"])
def test_leader_approves_in_the_admin(open_page, cast, lang):
    from missions.models import State
    from tests.factories import make_order

    order = make_order(cast, state="submitted", approver=cast.leader)
    _staff(cast.leader)
    page = open_page(lang)
    page.set_viewport_size(LAPTOP)
    login(page, cast.leader)
    page.goto(f"/admin/missions/missionorder/{order.pk}/change/")
    summary = page.locator(".order-summary")
    # What the leader decides on: the evidence, the travellers, the route, and the order's timeline.
    assert summary.locator("table").count() == 3
    text = summary.inner_text()
    shot(page, "admin-approval", lang, "1-order")
    travellers = list(order.travellers.select_related("official"))
    assert travellers and all(to_khmer_digits(t.official.name_km) in text or t.official.name_latin in text
                              for t in travellers), text
    assert order.invitation_sender in text
    if lang == "km":
        assert_khmer_glyphs(page)
        header = page.locator("#user-tools").inner_text()
        assert "សូមស្វាគមន៍" in header and "ទៅវិបផតថល" in header
        assert not LATIN_DIGIT.search(summary.locator("dd").nth(1).inner_text()), "dates in Latin digits"
        when = summary.locator("table").nth(2).locator("tbody td").first.inner_text()
        assert when and not LATIN_DIGIT.search(when), "timeline times in Latin digits"
    admin_axe(page, f"admin approval ({lang})")
    shot(page, "admin-approval", lang, "1-order")
    page.locator("button[name=_fsm_transition_to][value=approve]").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.APPROVED
    message = page.locator(".messagelist").inner_text()
    assert ("បាន" in message) if lang == "km" else ("approved" in message)
    admin_axe(page, f"admin order after approval ({lang})")
    page.goto("/admin/missions/missionorder/")
    admin_axe(page, f"admin orders ({lang})")
    assert _no_horizontal_overflow(page, "#changelist"), "the order list is clipped at 1366 px"
    shot(page, "admin-approval", lang, "2-list")


def test_admin_home_and_log_in_khmer_with_khmer_digits(open_page, cast):
    from tests.factories import make_order

    make_order(cast, state="submitted")
    _staff(cast.admin, superuser=True)
    page = open_page("km")
    page.set_viewport_size(LAPTOP)
    login(page, cast.admin)
    page.goto("/admin/")
    body = page.locator("#content").inner_text()
    assert "សកម្មភាពថ្មីៗ" in body and "Recent actions" not in body
    admin_axe(page, "admin home (km)")
    page.goto("/admin/missions/orderlog/")
    rows = page.locator("#result_list tbody").inner_text()
    assert "OrderLog object" not in rows and "submit" not in rows
    assert not LATIN_DIGIT.search(page.locator("#result_list tbody th.field-created").first.inner_text())
    counter = page.locator(".action-counter")
    if counter.count():
        assert "selected" not in counter.inner_text()
    admin_axe(page, "admin order log (km)")
    assert _no_horizontal_overflow(page, "#changelist")
    shot(page, "admin-log", "km", "1-list")


@pytest.mark.parametrize("lang", ["km", "en"])
def test_import_and_export_screens_work_under_the_csp(open_page, cast, lang):
    _staff(cast.admin, superuser=True)
    page = open_page(lang)
    page.set_viewport_size(LAPTOP)
    login(page, cast.admin)
    for url, step in (("/admin/ministry/official/import/", "1-import"), ("/admin/ministry/official/export/", "2-export")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if lang == "km":
            title = page.locator("#content").inner_text()
            assert "នាំ" in title and "Import" not in title and "Export" not in title
        admin_axe(page, f"{url} ({lang})")
        shot(page, "admin-import-export", lang, step)
    # The export's "select all" works through the script bound without an inline handler.
    toggle = page.locator("input.select-toggle")
    if toggle.count():
        toggle.uncheck()
        assert page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() == 0
    assert not page.csp_violations


def test_one_screen_adds_an_official_with_a_login_and_roles(open_page, cast):
    from django.contrib.auth import get_user_model

    from ministry.models import Official, Position, Unit

    _staff(cast.admin, superuser=True)
    page = open_page("km")
    page.set_viewport_size(LAPTOP)
    login(page, cast.admin)
    page.goto("/admin/ministry/official/add/")
    page.fill("#id_civil_service_id", "CS-NEW-1")
    page.select_option("#id_honorific", index=1)
    page.fill("#id_name_km", "សុខ សុភា")
    page.fill("#id_name_latin", "Sok Sophea")
    page.select_option("#id_gender", "f")
    unit, position = Unit.objects.get(code="GDAF"), Position.objects.order_by("rank").last()
    for field, obj in (("unit", unit), ("position", position)):
        page.evaluate("""([f, pk, label]) => { const s = document.getElementById('id_' + f);
                          s.add(new Option(label, pk, true, true)); }""", [field, str(obj.pk), str(obj)])
    page.fill("#id_username", "sok.sophea")
    page.fill("#id_password1", "Mission-Order-2027")
    page.fill("#id_password2", "Mission-Order-2027")
    page.check("input[name=roles][value=returns_clerk]")
    admin_axe(page, "add official (km)")
    shot(page, "admin-add-official", "km", "1-form")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("networkidle")
    official = Official.objects.get(civil_service_id="CS-NEW-1")
    user = get_user_model().objects.get(username="sok.sophea")
    assert official.user == user and user.is_staff and user.check_password("Mission-Order-2027")
    assert list(user.groups.values_list("name", flat=True)) == ["returns_clerk"]
