"""Every transition through the order page: allowed, forbidden (wrong role, other unit), and from the wrong state."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from missions import services as s
from missions.models import ApprovalDelegation, MissionOrder, OrderLog, State
from tests.factories import make_order, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _complete_return(cast, order):
    for t in order.travellers.all():
        for leg in order.legs.all():
            s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                           arrived_on=leg.travel_date, scan=upload())
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    return order


def _ready_to_return(cast):
    return _complete_return(cast, make_order(cast, state="issued"))


# action, state to start from, who may, the state after, who sees the order but may not, a state where it is refused
CASES = [
    ("submit", "draft", "official", State.SUBMITTED, "admin", "submitted"),
    ("approve", "submitted", "leader", State.APPROVED, "colleague", "approved"),
    ("reject", "submitted", "leader", State.REJECTED, "head", "draft"),
    ("cancel", "submitted", "official", State.CANCELLED, "colleague", "issued"),
    ("issue", "approved", "gdaf_clerk", State.ISSUED, "official", "issued"),
    ("revoke", "issued", "gdaf_clerk", State.REVOKED, "official", "approved"),
    ("file_return", "ready", "colleague", State.RETURNED, "head", "approved"),
    ("send_back", "returned", "returns_clerk", State.SENT_BACK, "gdaf_clerk", "issued"),
    ("accept", "returned", "returns_clerk", State.ACCEPTED, "official", "issued"),
]
REASON = {"reason": "មូលហេតុ", "confirmed": "1"}


def _order(cast, state):
    return _ready_to_return(cast) if state == "ready" else make_order(cast, state=state)


def _do(client, order, action, **data):
    return client.post(reverse("missions:transition", args=[order.pk, action]), {**REASON, **data}, follow=True)


def _texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("action,start,who,after,_wrong,_bad", CASES)
def test_transition_allowed(cast, login, action, start, who, after, _wrong, _bad):
    order = _order(cast, start)
    response = _do(login(getattr(cast, who)), order, action)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == after
    log = OrderLog.objects.filter(order=order, action=action).get()
    assert log.actor == getattr(cast, who).user
    assert any(m for m in _texts(response))


@pytest.mark.parametrize("action,start,_who,_after,wrong,_bad", CASES)
def test_transition_by_the_wrong_role_is_refused_with_a_message(cast, login, action, start, _who, _after, wrong, _bad):
    order = _order(cast, start)
    before = order.state
    response = _do(login(getattr(cast, wrong)), order, action)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == before
    assert "You are not allowed to do that with this order." in _texts(response)


@pytest.mark.parametrize("action,start,_who,_after,_wrong,_bad", CASES)
def test_transition_by_another_unit_is_not_found(cast, login, action, start, _who, _after, _wrong, _bad):
    order = _order(cast, start)
    before = order.state
    response = login(cast.other).post(reverse("missions:transition", args=[order.pk, action]), REASON)
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == before


@pytest.mark.parametrize("action,_start,who,_after,_wrong,bad", CASES)
def test_transition_from_the_wrong_state_is_refused_with_a_message(cast, login, action, _start, who, _after, _wrong, bad):
    order = make_order(cast, state=bad)
    response = _do(login(getattr(cast, who)), order, action)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == bad
    assert any("not possible now" in m for m in _texts(response))


@pytest.mark.parametrize("action,start,who", [("reject", "submitted", "leader"), ("revoke", "issued", "gdaf_clerk"),
                                               ("send_back", "returned", "returns_clerk")])
def test_reasons_are_required(cast, login, action, start, who):
    order = make_order(cast, state=start)
    response = _do(login(getattr(cast, who)), order, action, reason="  ")
    order.refresh_from_db()
    assert order.state == start
    assert "Give a reason." in _texts(response)


def test_get_on_a_transition_url_is_405(cast, login):
    order = make_order(cast, state="submitted")
    response = login(cast.leader).get(reverse("missions:transition", args=[order.pk, "approve"]))
    assert response.status_code == 405
    order.refresh_from_db()
    assert order.state == State.SUBMITTED


def test_unknown_action_is_404(cast, login):
    order = make_order(cast, state="submitted")
    assert login(cast.leader).post(reverse("missions:transition", args=[order.pk, "save"])).status_code == 404


def test_transition_without_csrf_token_is_refused(cast):
    from django.test import Client

    order = make_order(cast, state="submitted")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.leader.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(reverse("missions:transition", args=[order.pk, "approve"])).status_code == 403
    order.refresh_from_db()
    assert order.state == State.SUBMITTED


def test_submit_with_incomplete_basis_says_why(cast, login):
    order = make_order(cast)
    type(order).objects.filter(pk=order.pk).update(invitation_number="")
    response = _do(login(cast.official), order, "submit")
    order.refresh_from_db()
    assert order.state == State.DRAFT
    assert any("An invitation letter needs its number." in m for m in _texts(response))


def test_file_return_before_every_leg_is_recorded_says_why(cast, login):
    order = make_order(cast, state="issued")
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    response = _do(login(cast.official), order, "file_return")
    order.refresh_from_db()
    assert order.state == State.ISSUED
    assert any("stamped visa sheet" in m for m in _texts(response))


def test_only_allowed_buttons_show(cast, login):
    order = make_order(cast, state="submitted")
    page = login(cast.leader).get(reverse("missions:detail", args=[order.pk]))
    assert [a["name"] for a in page.context["actions"]] == ["approve", "reject"]
    page = login(cast.colleague).get(reverse("missions:detail", args=[order.pk]))
    assert page.context["actions"] == []
    # The issuing office sees a request only once it is approved (least privilege), and may cancel it then.
    assert login(cast.gdaf_clerk).get(reverse("missions:detail", args=[order.pk])).status_code == 404
    order = make_order(cast, state="approved", start=date.today() + timedelta(days=40))
    page = login(cast.gdaf_clerk).get(reverse("missions:detail", args=[order.pk]))
    assert [a["name"] for a in page.context["actions"]] == ["issue", "cancel"]  # the destructive action comes last


def test_acting_leader_approves_and_the_timeline_says_for_whom(cast, login):
    from django.utils import timezone

    order = make_order(cast, state="submitted")
    client = login(cast.leader)
    today = timezone.localdate()
    client.post(reverse("missions:delegations"), {"acting": cast.gdaf_head.pk, "starts_on": today.isoformat(),
                                                   "ends_on": (today + timedelta(days=3)).isoformat()})
    assert ApprovalDelegation.objects.filter(leader=cast.leader, acting=cast.gdaf_head).exists()
    client = login(cast.gdaf_head)
    client.cookies["django_language"] = "en"
    queue = client.get(reverse("missions:approvals"))
    assert [o["id"] for o in queue.context["page"].object_list] == [order.pk]
    _do(client, order, "approve")
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.approved_acting_for == cast.leader
    html = client.get(reverse("missions:detail", args=[order.pk])).content.decode()
    assert f"{cast.gdaf_head} acting for {cast.leader}" in html


def test_delegation_form_errors_are_shown(cast, login):
    client = login(cast.leader)
    response = client.post(reverse("missions:delegations"), {"acting": cast.gdaf_head.pk, "starts_on": "2030-01-10",
                                                              "ends_on": "2030-01-01"})
    assert response.status_code == 200 and "ends_on" in response.context["form"].errors
    assert not ApprovalDelegation.objects.exists()
    assert login(cast.official).get(reverse("missions:delegations")).status_code == 302


def test_the_full_journey_through_the_pages(cast, login):
    from tests.missions.test_views_request import _post_data

    client = login(cast.official)
    client.post(reverse("missions:new"), _post_data(
        cast, action="submit", start=date.today() - timedelta(days=6),
        invitation_scan=upload("letter.pdf", pdf_bytes(), "application/pdf")))
    order = MissionOrder.objects.get()
    assert order.state == State.SUBMITTED
    _do(login(cast.leader), order, "approve")
    _do(login(cast.gdaf_clerk), order, "issue")
    order.refresh_from_db()
    assert order.state == State.ISSUED and order.number == 1
    for who in (cast.official, cast.colleague):
        client = login(who)
        for leg in order.legs.all():
            client.post(reverse("missions:return", args=[order.pk]), {
                "leg": leg.pk, f"stamp-{leg.pk}-departed_on": leg.travel_date.isoformat(),
                f"stamp-{leg.pk}-arrived_on": leg.travel_date.isoformat(), f"stamp-{leg.pk}-scan": upload()})
    client.post(reverse("missions:return", args=[order.pk]), {"report": "1", "report_text": "បានសម្រេច"})
    _do(client, order, "file_return")
    order.refresh_from_db()
    assert order.state == State.RETURNED
    _do(login(cast.returns_clerk), order, "send_back", reason="ខ្វះត្រា")
    _do(login(cast.official), order, "file_return")
    _do(login(cast.returns_clerk), order, "accept")
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    actions = list(order.log.values_list("action", flat=True))
    for step in ("created", "submit", "approve", "issue", "stamp_recorded", "report_saved", "file_return",
                 "send_back", "accept"):
        assert step in actions


@pytest.mark.parametrize("action,start,who", [("cancel", "draft", "official"), ("reject", "submitted", "leader"),
                                               ("revoke", "issued", "gdaf_clerk"),
                                               ("send_back", "returned", "returns_clerk")])
def test_a_destructive_action_asks_once_on_its_own_page(cast, login, action, start, who):
    order = make_order(cast, state=start)
    client = login(getattr(cast, who))
    detail = client.get(reverse("missions:detail", args=[order.pk])).content.decode()
    confirm_url = reverse("missions:confirm", args=[order.pk, action])
    # The order page links to the question; it holds no form that would do it in one tap.
    assert f'href="{confirm_url}"' in detail
    assert f'action="{reverse("missions:transition", args=[order.pk, action])}"' not in detail
    # One tap on the action without the confirmation changes nothing and lands on the question.
    response = client.post(reverse("missions:transition", args=[order.pk, action]), {"reason": "x"})
    assert response.status_code == 302 and response["Location"] == confirm_url
    order.refresh_from_db()
    assert order.state == start
    page = client.get(confirm_url).content.decode()
    assert 'name="confirmed" value="1"' in page and 'name="reason"' in page
    # "No, go back" comes before the destructive button.
    assert page.index("No, go back") < page.index('class="btn danger"')
    response = _do(client, order, action, reason="ឯកសារខុស")
    order.refresh_from_db()
    assert order.state != start
    assert order.reason == "ឯកសារខុស"
    assert OrderLog.objects.get(order=order, action=action).note == "ឯកសារខុស"


def test_a_missing_reason_brings_the_question_back(cast, login):
    order = make_order(cast, state="submitted")
    client = login(cast.leader)
    response = _do(client, order, "reject", reason=" ")
    assert response.redirect_chain[-1][0] == reverse("missions:confirm", args=[order.pk, "reject"])
    assert "Give a reason." in _texts(response)


def test_the_confirmation_page_of_an_action_not_possible_says_so(cast, login):
    order = make_order(cast, state="issued")
    response = login(cast.official).get(reverse("missions:confirm", args=[order.pk, "cancel"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("missions:detail", args=[order.pk])
    assert "This action is not possible now, or not yours to take." in _texts(response)
