"""Journey: GDAF settles an accepted return (estimate on the order page, settlement, sheet PDF), reads the
statistics with the province map and the register, exports them; a colleague checks who is away on a phone."""

from datetime import date, timedelta

import pytest

from finance.models import Settlement
from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, set_language, shot
from tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def demo_rates(db):
    """The demo rate table of migration finance.0002 (a flush between transactional tests may leave the
    restored data without it, depending on what ran before)."""
    import importlib

    from django.apps import apps

    importlib.import_module("finance.migrations.0002_demo_rate_table").load(apps, None)


@pytest.mark.parametrize("lang", ["km", "en"])
def test_gdaf_settles_reads_statistics_and_register(open_page, cast, lang):
    order = make_order(cast, state="accepted", start=date.today() - timedelta(days=20))
    page = open_page(lang)
    login(page, cast.returns_clerk)
    set_language(page, lang)

    # the order page shows the estimate, marked as demo values
    page.goto(f"/missions/{order.pk}/")
    costs = page.locator("#costs")
    assert costs.locator(".demo-note").count() == 1
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"order with costs ({lang})")
    costs.locator(f"a[href='/finance/order/{order.pk}/settle/']").click()
    page.wait_for_load_state("networkidle")
    page.fill("input[name=advance]", "៥០" if lang == "km" else "50")
    shot(page, "finance", lang, "1-settle")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    settlement = Settlement.objects.get(order=order)
    assert settlement.advance == 50
    axe_check(page, f"settlement ({lang})")
    pdf = page.request.get(f"/finance/order/{order.pk}/settlement.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # statistics: the map is drawn on the server, nothing breaks the CSP
    page.goto(f"/finance/statistics/?year={order.departure_date.year}")
    assert page.locator("svg.province-map g.tile").count() == 25
    axe_check(page, f"statistics ({lang})")
    shot(page, "finance", lang, "2-statistics")
    with page.expect_download() as download:
        page.locator("button[name=export][value=xlsx]").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # the register of every issuer
    page.goto("/finance/register/")
    assert page.locator(f"a[href='/missions/{order.pk}/']").count() == 1
    axe_check(page, f"register ({lang})")
    shot(page, "finance", lang, "3-register")


def test_who_is_away_on_a_phone(open_page, cast):
    start = date.today() + timedelta(days=1)
    make_order(cast, state="issued", start=start, days=2)
    page = open_page("km", phone=True)
    login(page, cast.colleague)
    page.goto(f"/finance/away/?view=week&day={start.isoformat()}")
    assert page.locator(".away-list").is_visible()
    assert not page.locator(".calendar-wrap").is_visible()
    assert page.locator(".away-list li").count() == 2  # both travellers of the unit
    assert_khmer_glyphs(page)
    axe_check(page, "who is away (phone)")
    shot(page, "finance", "km", "4-away-phone")
