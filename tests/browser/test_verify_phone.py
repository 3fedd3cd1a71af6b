"""The public verification page on a 390 px phone, in Khmer and in English: nothing wider than the
screen (the SHA-256 wraps), the number shown once, a revocation with its date and reason."""

import pytest

from tests.browser.conftest import axe_check, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["km", "en"])
def test_verification_page_fits_a_phone(open_page, cast, lang):
    from missions import services as s
    from missions.rendering import render_document
    from missions.models import OrderDocument
    from tests.factories import make_order

    order = make_order(cast, state="issued")
    order = s.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="ប្តូរកាលវិភាគ")
    for doc in OrderDocument.objects.filter(order=order):
        render_document(doc.pk)
    page = open_page(lang, phone=True)
    page.goto(f"/verify/{order.verification_token}/")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths[0] <= 390 and widths[1] <= 390, widths
    sha = page.locator("code.sha256").first.bounding_box()
    assert sha["x"] >= 0 and sha["x"] + sha["width"] <= 390
    assert page.locator(".order-number").count() == 1
    assert page.locator(".revoked-reason").inner_text() == "ប្តូរកាលវិភាគ"
    assert page.locator(".revoked-on").inner_text().strip()
    axe_check(page, f"verify ({lang})")
    shot(page, "verify", lang, "phone")
