"""Budgets committed at approval and settled at the end; the approver's override; settlement by GDAF."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finance import services as fs
from finance.models import BudgetLine, BudgetOverride, Commitment, MissionFact, Settlement
from ministry.models import AuditEntry
from missions import services as s
from missions.models import State
from tests.factories import make_order


def _future():
    return date.today() + timedelta(days=30)


def test_approval_commits_the_estimate_to_the_nearest_budget_line(cast):
    line = BudgetLine.objects.create(unit=cast.unit_a.parent, fiscal_year=_future().year, amount=Decimal("1000"))
    order = make_order(cast, state="approved", start=_future())
    c = Commitment.objects.get(order=order)
    assert c.line == line and c.state == "committed" and c.estimate > 0 and not c.over_budget
    assert fs.line_use(line).committed == c.estimate
    assert AuditEntry.objects.filter(action="finance.budget.committed", object_id=str(order.pk)).exists()


def test_exceeding_needs_the_approvers_override_with_a_reason(cast, login):
    BudgetLine.objects.create(unit=cast.unit_a, fiscal_year=_future().year, amount=Decimal("10"))
    order = make_order(cast, state="submitted", start=_future())
    with pytest.raises(s.TransitionRefused, match="exceeds"):
        s.order_approve(order=order, by=cast.leader.user)
    order.refresh_from_db()
    assert order.state == State.SUBMITTED and not Commitment.objects.filter(order=order).exists()

    # in the browser: the approver sees what remains, and the refusal is a message, not an error
    client = login(cast.leader)
    page = client.get(f"/missions/{order.pk}/").content.decode()
    assert "exceeds the remaining budget" in page and "Override the budget" in page
    r = client.post(f"/missions/{order.pk}/do/approve/", follow=True)
    assert "exceeds what remains" in r.content.decode()
    # someone else cannot override; an empty reason changes nothing
    with pytest.raises(s.TransitionRefused):
        fs.budget_override(order=order, by=cast.head.user, reason="urgent")
    assert client.post(f"/finance/order/{order.pk}/override/", {"reason": " "}).status_code == 302
    assert not BudgetOverride.objects.exists()
    r = client.post(f"/finance/order/{order.pk}/override/", {"reason": "ការងារបន្ទាន់"}, follow=True)
    assert "override was recorded" in r.content.decode()
    s.order_approve(order=order, by=cast.leader.user)
    c = Commitment.objects.get(order=order)
    assert c.over_budget
    assert AuditEntry.objects.filter(action="finance.budget.override", object_id=str(order.pk),
                                     actor=cast.leader.user).exists()


def test_cancel_and_revoke_release_the_commitment(cast):
    line = BudgetLine.objects.create(unit=cast.unit_a, fiscal_year=_future().year, amount=Decimal("1000"))
    order = make_order(cast, state="revoked", start=_future())
    assert Commitment.objects.get(order=order).state == "released"
    assert fs.line_use(line).used == 0
    assert not MissionFact.objects.filter(order=order).exists()


def test_settlement_by_gdaf_after_acceptance(cast, login):
    start = date.today() - timedelta(days=20)
    line = BudgetLine.objects.create(unit=cast.unit_a, fiscal_year=start.year, amount=Decimal("5000"))
    order = make_order(cast, state="returned", start=start)
    with pytest.raises(s.TransitionRefused, match="accepted"):
        fs.settlement_record(order=order, by=cast.returns_clerk.user, advance=Decimal("0"))
    s.order_accept(order=order, by=cast.returns_clerk.user)
    with pytest.raises(s.TransitionRefused):
        fs.settlement_record(order=order, by=cast.gdaf_clerk.user, advance=Decimal("0"))

    client = login(cast.returns_clerk)
    assert client.get(f"/finance/order/{order.pk}/settle/").status_code == 200
    r = client.post(f"/finance/order/{order.pk}/settle/", {"advance": "-5", "meals_days": "0", "lodging_nights": "0"})
    assert r.status_code == 200 and not Settlement.objects.exists()
    r = client.post(f"/finance/order/{order.pk}/settle/", {"advance": "១០០", "meals_days": "០", "lodging_nights": "0"})
    assert r.status_code == 302
    st = Settlement.objects.get(order=order)
    assert st.advance == Decimal("100") and st.final > 0
    assert st.difference == st.final - Decimal("100")
    c = Commitment.objects.get(order=order)
    assert c.state == "settled" and c.actual == st.final
    assert fs.line_use(line).actual == st.final
    assert MissionFact.objects.get(order=order).actual == st.final

    pdf = client.get(f"/finance/order/{order.pk}/settlement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/finance/order/{order.pk}/settlement.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 1 + 2 + 3  # header, two travellers, final/advance/difference
    assert values[-1][11] == pytest.approx(float(st.difference))

    # a traveller sees the settlement on the order page but cannot open GDAF's pages
    traveller = login(cast.official)
    assert "Final amount" in traveller.get(f"/missions/{order.pk}/").content.decode()
    assert traveller.get(f"/finance/order/{order.pk}/settle/").status_code == 404
    assert traveller.get(f"/finance/order/{order.pk}/settlement.pdf").status_code == 404


def test_budget_lines_are_managed_by_gdaf_and_audited(cast, login):
    client = login(cast.returns_clerk)
    year = _future().year
    r = client.post(f"/finance/budgets/?year={year}",
                    {"unit": cast.unit_a.pk, "fiscal_year": year, "amount": "2500", "note": ""})
    assert r.status_code == 302
    line = BudgetLine.objects.get(unit=cast.unit_a, fiscal_year=year)
    assert line.amount == Decimal("2500")
    assert AuditEntry.objects.filter(action="finance.budget_line.saved", actor=cast.returns_clerk.user).exists()
    assert "2,500.00" in client.get(f"/finance/budgets/?year={year}").content.decode()
    other = login(cast.head)
    r = other.post("/finance/budgets/", {"unit": cast.unit_a.pk, "fiscal_year": year, "amount": "1"})
    assert r.status_code == 302 and BudgetLine.objects.get(pk=line.pk).amount == Decimal("2500")
