"""Journey 2: a leader approves the request in the admin; a GDAF issuing clerk issues it; the PDF
downloads; GDAF's returns clerk sends the return back once, then accepts it."""

from datetime import date, timedelta

import pytest

from missions import services as s
from missions.rendering import render_document
from missions.models import MissionOrder, OrderDocument, State
from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, set_language, shot
from tests.factories import make_order, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _act(page, name, reason=None):
    ask = page.locator(f"a[href$='/confirm/{name}/']")
    if ask.count():  # a destructive action is asked on its own page first
        ask.click()
        page.wait_for_load_state("networkidle")
    form = page.locator(f"form[action$='/do/{name}/']")
    if reason is not None:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _file_return(cast, order):
    for t in order.travellers.all():
        for leg in order.legs.all():
            s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                           arrived_on=leg.travel_date, scan=upload())
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផលការងារបានសម្រេច")
    return s.order_file_return(order=order, by=cast.official.user)


@pytest.mark.parametrize("lang", ["km", "en"])
def test_leader_approves_in_admin_clerk_issues_pdf_downloads_return_sent_back_then_accepted(open_page, cast, lang):
    order = make_order(cast, state="submitted", start=date.today() - timedelta(days=10))  # returned after the trip
    cast.leader.user.is_staff = True  # leaders reach the admin's approve button
    cast.leader.user.save()

    # 1. the leader approves in the admin
    page = open_page(lang)
    login(page, cast.leader)
    set_language(page, lang)
    page.goto(f"/admin/missions/missionorder/{order.pk}/change/")
    shot(page, "issue", lang, "1-admin-approve")
    page.locator("button[name=_fsm_transition_to][value=approve]").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.approved_by == cast.leader

    # 2. the GDAF clerk issues it from the queue
    page = open_page(lang)
    login(page, cast.gdaf_clerk)
    set_language(page, lang)
    page.goto("/missions/to-issue/")
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"to issue ({lang})")
    shot(page, "issue", lang, "2-queue")
    page.locator(f"a[href='/missions/{order.pk}/']").first.click()
    page.wait_for_load_state("networkidle")
    _act(page, "issue")
    order.refresh_from_db()
    assert order.state == State.ISSUED and order.number == 1

    # the render is queued on commit; run the task body here instead of a worker
    doc = OrderDocument.objects.get(order=order, version=1)
    assert render_document(doc.pk) == "ready"
    page.reload()
    axe_check(page, f"issued order ({lang})")
    shot(page, "issue", lang, "3-issued")
    # The link serves the PDF inline (the browser's viewer opens it): fetch it with the page's session.
    href = page.locator(f"a[href='/missions/documents/{doc.pk}/']").first.get_attribute("href")
    response = page.context.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and len(pdf) == OrderDocument.objects.get(pk=doc.pk).size

    # 3. the travellers file the return; GDAF's returns clerk sends it back once, then accepts it
    order = _file_return(cast, MissionOrder.objects.get(pk=order.pk))
    page = open_page(lang)
    login(page, cast.returns_clerk)
    set_language(page, lang)
    page.goto("/missions/returns/")
    axe_check(page, f"returns ({lang})")
    shot(page, "issue", lang, "4-returns")
    page.locator(f"a[href='/missions/{order.pk}/']").first.click()
    page.wait_for_load_state("networkidle")
    _act(page, "send_back", reason="ខ្វះត្រានៅទិដ្ឋាការដំណាក់ទី ២" if lang == "km" else "The stamp of leg 2 is missing")
    order.refresh_from_db()
    assert order.state == State.SENT_BACK
    shot(page, "issue", lang, "5-sent-back")

    s.order_file_return(order=order, by=cast.official.user)
    page.reload()
    _act(page, "accept")
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"accepted ({lang})")
    shot(page, "issue", lang, "6-accepted")
    assert list(order.log.filter(action__in=["send_back", "accept"]).values_list("action", flat=True)) == [
        "send_back", "accept"]
