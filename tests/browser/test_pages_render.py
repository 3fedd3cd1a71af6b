"""Smoke: the login page and the home page render Khmer in Khmer glyphs and pass axe, on a phone."""

import pytest

from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, shot

# serialized_rollback: the flush between tests would drop the provinces and roles the migrations load
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_login_and_home_render_khmer_glyphs_and_pass_axe(open_page, cast):
    page = open_page("km", phone=True)
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "km"
    assert_khmer_glyphs(page)
    axe_check(page, "login (km)")
    shot(page, "login", "km", "1-form")
    login(page, cast.official)
    assert_khmer_glyphs(page)
    axe_check(page, "home (km)")
    shot(page, "login", "km", "2-home")
