"""Approval routing, B.2 evidence that makes sense, and whole-delegation returns (B.3)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from ministry.audit import AuditEntry
from missions import rules
from missions import services as s
from missions.models import ApprovalDelegation, LegStamp, MissionOrder, OrderLog, State
from missions.permissions import may_check_return
from tests.factories import make_order, order_input, upload

pytestmark = pytest.mark.django_db


# --- routing ------------------------------------------------------------------------------


def test_the_proposed_approver_is_the_nearest_head_above_who_can_act(cast):
    assert rules.approver_proposal(cast.official) == cast.head  # head of the requester's department
    assert rules.approver_proposal(cast.head) == cast.leader  # a head's own request goes up
    assert rules.approver_proposal(cast.official, traveller_ids=[cast.head.pk]) == cast.leader


def test_only_leaders_who_can_act_are_offered_and_never_the_requester(cast):
    offered = set(rules.approvers(cast.head))
    assert cast.minister not in offered  # no login
    assert cast.head not in offered  # the requester
    assert {cast.leader, cast.leader2, cast.tg_leader} <= offered


@pytest.mark.parametrize("who, travellers, message", [
    ("minister", None, "has no login"), ("official", None, "Choose a leader"),
    ("leader", ["official", "leader"], "traveller cannot approve")])
def test_an_approver_who_cannot_act_is_refused_and_nothing_written(cast, who, travellers, message):
    people = [getattr(cast, name) for name in travellers] if travellers else None
    data = order_input(cast, approver=getattr(cast, who), travellers=people)
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert message in " ".join(exc.value.message_dict["approver"])
    assert not MissionOrder.objects.exists()


def test_a_requester_cannot_name_themselves(cast):
    data = order_input(cast, approver=cast.head, travellers=[cast.official])
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.head.user, data=data)
    assert "your own request" in exc.value.message_dict["approver"][0]


def test_a_clerk_reassigns_a_waiting_request_with_a_reason_and_both_leaders_are_told(cast):
    from missions.events import mission_event

    heard = []
    mission_event.connect(lambda **kw: heard.append((kw["event"], kw.get("previous"))), weak=False,
                          dispatch_uid="test-reassign")
    try:
        order = make_order(cast, state="submitted")
        with pytest.raises(s.TransitionRefused):
            s.order_reassign_approver(order=order, by=cast.official.user, approver=cast.leader2, reason="away")
        with pytest.raises(s.TransitionRefused):
            s.order_reassign_approver(order=order, by=cast.gdaf_clerk.user, approver=cast.leader2, reason=" ")
        s.order_reassign_approver(order=order, by=cast.gdaf_clerk.user, approver=cast.leader2, reason="On leave")
    finally:
        mission_event.disconnect(dispatch_uid="test-reassign")
    order.refresh_from_db()
    assert order.approver == cast.leader2 and order.state == State.SUBMITTED
    assert OrderLog.objects.filter(order=order, action="reassigned", actor=cast.gdaf_clerk.user).exists()
    assert AuditEntry.objects.filter(action="missions.order.reassigned", actor=cast.gdaf_clerk.user).exists()
    assert ("reassigned", cast.leader) in heard
    s.order_approve(order=order, by=cast.leader2.user)


def test_a_delegation_can_be_ended_early(cast):
    today = date.today()
    d = s.delegation_create(leader=cast.leader, acting=cast.gdaf_head, starts_on=today - timedelta(days=2),
                            ends_on=today + timedelta(days=5), by=cast.leader.user)
    with pytest.raises(s.TransitionRefused):
        s.delegation_end(delegation=d, by=cast.gdaf_head.user)
    s.delegation_end(delegation=d, by=cast.leader.user)
    d.refresh_from_db()
    assert d.ends_on == today - timedelta(days=1)
    order = make_order(cast, state="submitted")
    with pytest.raises(s.TransitionRefused):
        s.order_approve(order=order, by=cast.gdaf_head.user)


# --- B.2 ------------------------------------------------------------------------------------


def test_basis_dated_after_the_request_or_given_by_a_traveller_is_refused(cast):
    data = order_input(cast, basis="approval")
    data.approval_leader = cast.official  # not a leader at all
    data.approval_date = date.today() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert set(exc.value.message_dict) >= {"approval_leader", "approval_date"}
    data = order_input(cast, basis="approval", travellers=[cast.official, cast.leader2])
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert "neither asks for nor travels" in exc.value.message_dict["approval_leader"][0]
    data = order_input(cast)
    data.invitation_date = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert "dated after the request" in exc.value.message_dict["invitation_date"][0]


def test_the_scan_is_required_before_issue(cast):
    data = order_input(cast)
    data.invitation_scan = None
    order = s.order_create(by=cast.official.user, data=data)
    s.order_submit(order=order, by=cast.official.user)
    s.order_approve(order=order, by=cast.leader.user)
    with pytest.raises(s.TransitionRefused) as exc:
        s.order_issue(order=order, by=cast.gdaf_clerk.user)
    assert "scanned invitation letter" in exc.value.message
    assert MissionOrder.objects.get(pk=order.pk).state == State.APPROVED


# --- B.3 ------------------------------------------------------------------------------------


def _issued_with_a_member_without_login(cast, start=None):
    return make_order(cast, state="issued", travellers=[cast.official, cast.no_login], start=start)


def test_the_head_of_delegation_records_everyone_and_the_missing_list_names_each(cast):
    order = _issued_with_a_member_without_login(cast)
    legs = list(order.legs.all())
    assert len(order.missing_stamps()) == 2 * len(legs)
    other = order.travellers.get(official=cast.no_login)
    s.stamp_record(order=order, leg=legs[0], by=cast.official.user, traveller=other,
                   departed_on=legs[0].travel_date, arrived_on=legs[0].travel_date, scan=upload())
    missing = order.missing_stamps()
    assert (other, legs[0]) not in missing and len(missing) == 2 * len(legs) - 1
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    with pytest.raises(s.TransitionRefused) as exc:
        s.order_file_return(order=order, by=cast.official.user)
    assert str(cast.no_login) in exc.value.message and str(cast.official) in exc.value.message


def test_a_plain_traveller_records_only_their_own_legs(cast):
    order = make_order(cast, state="issued")  # official (head) and colleague
    leg = order.legs.first()
    head = order.travellers.get(official=cast.official)
    with pytest.raises(s.TransitionRefused):
        s.stamp_record(order=order, leg=leg, by=cast.colleague.user, traveller=head, departed_on=leg.travel_date,
                       arrived_on=leg.travel_date, scan=upload())
    assert not LegStamp.objects.exists()


def test_stamp_dates_within_the_mission_and_not_in_the_future(cast):
    order = _issued_with_a_member_without_login(cast)
    leg = order.legs.first()
    for departed, arrived, field in ((date(2019, 1, 1), date(2019, 1, 1), "departed_on"),
                                     (leg.travel_date, date.today() + timedelta(days=1), "arrived_on")):
        with pytest.raises(ValidationError) as exc:
            s.stamp_record(order=order, leg=leg, by=cast.official.user, departed_on=departed, arrived_on=arrived,
                           scan=upload())
        assert field in exc.value.message_dict
    assert not LegStamp.objects.exists()


def test_a_return_is_filed_only_after_the_last_leg(cast):
    start = date.today() - timedelta(days=1)
    order = make_order(cast, state="issued", travellers=[cast.official], start=start, days=3)
    first = order.legs.order_by("seq").first()
    s.stamp_record(order=order, leg=first, by=cast.official.user, departed_on=first.travel_date,
                   arrived_on=first.travel_date, scan=upload())
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    with pytest.raises(s.TransitionRefused) as exc:
        s.order_file_return(order=order, by=cast.official.user)
    assert "after the last leg" in exc.value.message


def test_a_returns_clerk_records_a_paper_return_and_cannot_accept_it(cast):
    order = _issued_with_a_member_without_login(cast)
    for t in order.travellers.all():
        for leg in order.legs.all():
            s.stamp_record(order=order, leg=leg, by=cast.returns_clerk.user, traveller=t,
                           departed_on=leg.travel_date, arrived_on=leg.travel_date, scan=upload())
    s.report_save(order=order, by=cast.returns_clerk.user, text="របាយការណ៍ក្រដាស")
    order = s.order_file_return(order=order, by=cast.returns_clerk.user)
    assert order.returned_by == cast.returns_clerk.user
    assert not may_check_return(order, cast.returns_clerk.user)
    with pytest.raises(s.TransitionRefused):
        s.order_accept(order=order, by=cast.returns_clerk.user)
    from tests.factories import make_official

    second = make_official(cast.gdaf_returns_office, roles=["returns_clerk"])
    assert s.order_accept(order=order, by=second.user).state == State.ACCEPTED


# --- the pages ------------------------------------------------------------------------------


def test_the_head_of_delegation_records_a_member_without_login_on_the_return_page(cast, login):
    from django.urls import reverse

    order = _issued_with_a_member_without_login(cast)
    other = order.travellers.get(official=cast.no_login)
    client = login(cast.official)
    page = client.get(reverse("missions:return", args=[order.pk]))
    html = page.content.decode()
    assert f'href="?traveller={other.pk}"' in html
    assert len(page.context["missing"]) == 2 * order.legs.count()
    leg = order.legs.first()
    response = client.post(reverse("missions:return", args=[order.pk]), {
        "leg": leg.pk, "traveller": other.pk, f"stamp-{leg.pk}-departed_on": leg.travel_date.isoformat(),
        f"stamp-{leg.pk}-arrived_on": leg.travel_date.isoformat(), f"stamp-{leg.pk}-scan": upload()})
    assert response.status_code == 302
    assert LegStamp.objects.filter(traveller=other, leg=leg).exists()
    page = client.get(reverse("missions:return", args=[order.pk]) + f"?traveller={other.pk}")
    assert f'data-missing="{other.pk}-{leg.pk}"' not in page.content.decode()


def test_reassign_and_end_a_delegation_through_the_pages(cast, login):
    from django.urls import reverse

    order = make_order(cast, state="submitted")
    assert 'action="%s"' % reverse("missions:reassign", args=[order.pk]) not in login(cast.official).get(
        reverse("missions:detail", args=[order.pk])).content.decode()
    client = login(cast.admin)
    assert reverse("missions:reassign", args=[order.pk]) in client.get(
        reverse("missions:detail", args=[order.pk])).content.decode()
    client.post(reverse("missions:reassign", args=[order.pk]), {"approver": cast.minister.pk, "reason": "x"})
    order.refresh_from_db()
    assert order.approver == cast.leader  # the Minister has no login: refused, nothing changed
    client.post(reverse("missions:reassign", args=[order.pk]), {"approver": cast.leader2.pk, "reason": "ឈប់សម្រាក"})
    order.refresh_from_db()
    assert order.approver == cast.leader2
    d = s.delegation_create(leader=cast.leader, acting=cast.gdaf_head, starts_on=date.today(),
                            ends_on=date.today() + timedelta(days=3), by=cast.leader.user)
    login(cast.gdaf_head).post(reverse("missions:delegation_end", args=[d.pk]))
    assert ApprovalDelegation.objects.filter(pk=d.pk, ends_on__gte=date.today()).exists()
    login(cast.leader).post(reverse("missions:delegation_end", args=[d.pk]))
    assert not ApprovalDelegation.objects.filter(pk=d.pk, ends_on__gte=date.today()).exists()
