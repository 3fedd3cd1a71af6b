"""One structured trail: each change of an order is one OrderLog row with typed data and one audit entry,
written by the same call with the same actor; the timeline is rendered from the data."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from ministry.models import AuditEntry
from missions import trail
from missions.models import MissionOrder, OrderLog
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _audit_entries(order):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(MissionOrder),
                                     object_id=str(order.pk), action__startswith="missions.order.").order_by("pk")


def test_every_change_of_an_order_is_logged_and_audited_with_its_actor_and_the_same_data(cast):
    order = make_order(cast, state="returned")
    log = list(OrderLog.objects.filter(order=order).order_by("pk"))
    entries = list(_audit_entries(order))
    assert [e.action for e in entries] == [f"missions.order.{row.action}" for row in log]
    assert [e.actor_id for e in entries] == [row.actor_id for row in log]
    assert {row.action for row in log} >= {"created", "submit", "approve", "issue", "document_requested",
                                           "stamp_recorded", "report_saved", "file_return"}
    for row, entry in zip(log, entries):
        assert set(row.data) == set(OrderLog.DATA.get(row.action, ()))
        assert {k: entry.data[k] for k in row.data} == row.data
    stamp = next(row for row in log if row.action == "stamp_recorded")
    assert stamp.note == "" and stamp.data["leg"] == 1 and stamp.data["traveller"] == cast.official.pk
    assert stamp.data["traveller_name"] == str(cast.official)


def test_a_reassignment_keeps_both_leaders_and_the_reason_as_data(cast):
    order = make_order(cast, state="submitted")
    from missions import services as s

    s.order_reassign_approver(order=order, by=cast.admin.user, approver=cast.leader2, reason="ក្រៅប្រទេស")
    row = OrderLog.objects.get(order=order, action="reassigned")
    assert row.data == {"from": cast.leader.pk, "from_name": str(cast.leader), "to": cast.leader2.pk,
                        "to_name": str(cast.leader2), "reason": "ក្រៅប្រទេស"}
    assert row.details() == f"{cast.leader} → {cast.leader2}: ក្រៅប្រទេស"
    entry = _audit_entries(order).get(action="missions.order.reassigned")
    assert entry.actor == cast.admin.user and entry.data["to"] == cast.leader2.pk


def test_data_that_is_not_in_the_schema_of_the_action_is_refused_and_nothing_is_written(cast):
    order = make_order(cast)
    before = OrderLog.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValueError):
        trail.record(order, "stamp_recorded", by=cast.official.user, traveler_name="typo")
    with pytest.raises(ValueError):
        trail.record(order, "report_saved", by=cast.official.user, version=1)
    assert (OrderLog.objects.count(), AuditEntry.objects.count()) == before


def test_the_data_migration_reads_the_old_notes_and_leaves_other_notes_as_written(cast):
    fill = __import__("missions.migrations.0011_orderlog_data", fromlist=["fill"]).fill
    order = make_order(cast, state="issued")
    document = order.documents.get()
    OrderLog.objects.filter(order=order).update(data={})
    old = {
        "document_requested": "v1 · KM",
        "stamp_recorded": "Sok Dara · 2",
        "reassigned": "Leader One → Leader Two: abroad",
        "overdue": "2026-11-30",
    }
    rows = {action: OrderLog.objects.create(order=order, action=action, note=note) for action, note in old.items()}
    odd = OrderLog.objects.create(order=order, action="stamp_recorded", note="recorded on paper")
    fill(apps, None)
    for row in [*rows.values(), odd]:
        row.refresh_from_db()
    assert rows["document_requested"].data == {"document": document.pk, "version": 1, "language": "km",
                                               "reason": "issued"}
    assert rows["stamp_recorded"].data == {"traveller": None, "traveller_name": "Sok Dara", "leg": 2}
    assert rows["reassigned"].data == {"from": None, "from_name": "Leader One", "to": None, "to_name": "Leader Two",
                                       "reason": "abroad"}
    assert rows["overdue"].data == {"on": "2026-11-30"}
    assert all(row.note == "" for row in rows.values())
    assert odd.data == {} and odd.details() == "recorded on paper"
    assert rows["stamp_recorded"].details() == "Sok Dara, leg 2"
    assert rows["document_requested"].details() == "Version 1, Khmer: Issued"
    assert rows["reassigned"].details() == "Leader One → Leader Two: abroad"
