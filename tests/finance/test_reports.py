"""The register, the statistics (with the province map) and the "who is away" calendar: content,
exports and who may see what."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from finance.models import MissionFact
from finance import selectors
from missions.models import State
from tests.factories import make_order


@pytest.fixture
def issued(cast):
    start = date.today() + timedelta(days=5)
    a = make_order(cast, state="issued", start=start)
    b = make_order(cast, state="issued", start=start + timedelta(days=10), travellers=[cast.office_official])
    c = make_order(cast, state="issued", issuer=cast.cabinet, start=start + timedelta(days=20),
                   travellers=[cast.other])
    return a, b, c


def test_register_lists_the_issuers_numbers_with_filters_and_exports(cast, login, issued):
    a, b, c = issued
    client = login(cast.gdaf_clerk)
    page = client.get("/finance/register/").content.decode()
    assert a.display_number in page and b.display_number in page
    assert c.display_number not in page  # the Cabinet's book is not GDAF's clerk's
    assert "Reprint" in page and f"/missions/{a.pk}/#actions" in page
    # search by traveller and by number
    page = client.get("/finance/register/", {"q": cast.office_official.name_latin}).content.decode()
    assert b.display_number in page and a.display_number not in page
    from khmer.digits import khmer_number

    page = client.get("/finance/register/", {"q": f"លេខ {khmer_number(a.number, width=3)}"}).content.decode()
    assert a.display_number in page and b.display_number not in page
    # another issuer's book cannot be asked for: the filter refuses it and GDAF's is shown
    page = client.get("/finance/register/", {"issuer": cast.cabinet.pk}).content.decode()
    assert c.display_number not in page
    xlsx = client.get("/finance/register/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [a.display_number, b.display_number]
    pdf = client.get("/finance/register/", {"export": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_register_for_gdaf_finance_covers_every_issuer_and_others_are_refused(cast, login, issued):
    a, b, c = issued
    client = login(cast.returns_clerk)
    page = client.get("/finance/register/", {"issuer": cast.cabinet.pk}).content.decode()
    assert c.display_number in page and "Reprint" not in page
    for who in (cast.official, cast.head, cast.leader):
        r = login(who).get("/finance/register/")
        assert r.status_code == 302


def test_facts_follow_the_workflow(cast, issued):
    a, b, c = issued
    fact = MissionFact.objects.get(order=a)
    assert fact.travellers == 2 and fact.days == 4 and fact.traveller_days == 8
    assert fact.province.code == "KH-17" and not fact.abroad
    from missions import services as s

    from finance.models import Absence

    assert set(Absence.objects.filter(order=a).values_list("official_id", flat=True)) == {
        cast.official.pk, cast.colleague.pk}
    s.order_revoke(order=a, by=cast.gdaf_clerk.user, reason="x")
    assert not MissionFact.objects.filter(order=a).exists()
    assert not Absence.objects.filter(order=a).exists()


def test_statistics_by_scope(cast, login, issued):
    from finance.services import fact_write
    from missions.models import MissionOrder

    a, b, c = issued
    MissionOrder.objects.filter(pk=c.pk).update(requesting_unit=cast.unit_b)  # asked for by unit B
    fact_write(MissionOrder.objects.get(pk=c.pk))
    year = a.departure_date.year
    whole = selectors.statistics("", year)
    assert whole.totals["missions"] == MissionFact.objects.filter(year=year).count()
    head = selectors.statistics(cast.head.unit.path, year)
    ids_in_a = {f.order_id for f in MissionFact.objects.filter(year=year, unit_path__startswith=cast.unit_a.path)}
    assert head.totals["missions"] == len(ids_in_a)
    assert c.pk not in ids_in_a  # unit B's order is not in unit A's picture

    # the page: a head sees their subtree, GDAF the Ministry, an official nothing
    page = login(cast.head).get("/finance/statistics/", {"year": year}).content.decode()
    assert "Department A" in page and "<svg" in page and 'data-code="KH-17"' in page
    assert login(cast.official).get("/finance/statistics/").status_code == 302
    client = login(cast.returns_clerk)
    page = client.get("/finance/statistics/", {"year": year}).content.decode()
    assert "Ministry of Civil Service" in page
    xlsx = client.get("/finance/statistics/", {"year": year, "month": a.departure_date.month, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert a.display_number in [r[0] for r in rows]
    pdf = client.get("/finance/statistics/", {"year": year, "month": a.departure_date.month, "export": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_overdue_rate_and_days_to_return(cast):
    start = date.today() - timedelta(days=30)
    late = make_order(cast, state="issued", start=start)
    from missions import services as s

    s.orders_mark_overdue(today=date.today())
    on_time = make_order(cast, state="accepted", start=start - timedelta(days=10))
    year = start.year
    stats = selectors.statistics("", year, today=date.today())
    facts = MissionFact.objects.filter(year=year, return_date__lt=date.today())
    assert MissionFact.objects.get(order=late).overdue
    assert stats.overdue_rate == pytest.approx(facts.filter(overdue=True).count() / facts.count())
    assert MissionFact.objects.get(order=on_time).days_to_return is not None


def test_who_is_away_week_and_month(cast, login):
    start = date.today() + timedelta(days=2)
    order = make_order(cast, state="issued", start=start, days=2)
    client = login(cast.colleague)  # same unit as the travellers
    page = client.get("/finance/away/", {"view": "month", "day": start.isoformat()}).content.decode()
    assert cast.official.name_latin in page or cast.official.name_km in page
    assert f"/missions/{order.pk}/" in page
    # another unit's official does not see unit A's people
    page = login(cast.other).get("/finance/away/", {"view": "month", "day": start.isoformat()}).content.decode()
    assert cast.official.name_km not in page and cast.official.name_latin not in page
    # the leadership group's calendar is for leaders
    assert login(cast.official).get("/finance/away/", {"group": "leadership"}).status_code == 302
    assert login(cast.leader).get("/finance/away/", {"group": "leadership"}).status_code == 200


@pytest.mark.khmer
def test_khmer_pages_use_khmer_digits(cast, login, issued):
    a, b, c = issued
    page = login(cast.returns_clerk).get("/finance/statistics/", {"year": a.departure_date.year}).content.decode()
    assert "ស្ថិតិ" in page
    assert any(d in page for d in "០១២៣៤៥៦៧៨៩")


def test_finance_facts_command_rebuilds_what_the_events_wrote(cast, issued):
    from django.core.management import call_command

    from finance.models import MissionFact

    from finance.models import Absence

    before = {f.order_id: (f.traveller_days, f.province_id, f.abroad, f.unit_path)
              for f in MissionFact.objects.all()}
    absences = set(Absence.objects.values_list("order_id", "official_id", "unit_path", "departure_date"))
    MissionFact.objects.all().delete()
    Absence.objects.all().delete()
    call_command("finance_facts", chunk=2, stdout=io.StringIO())
    after = {f.order_id: (f.traveller_days, f.province_id, f.abroad, f.unit_path) for f in MissionFact.objects.all()}
    assert after == before and len(after) == 3
    assert set(Absence.objects.values_list("order_id", "official_id", "unit_path", "departure_date")) == absences
    assert len(absences) == 4  # two travellers, then one, then one


def test_the_order_page_shows_a_clash_at_request_time_with_a_link_to_the_calendar(cast, login):
    start = date.today() + timedelta(days=40)
    first = make_order(cast, state="submitted", start=start)
    second = make_order(cast, state="draft", start=start + timedelta(days=1))
    page = login(cast.official).get(f"/missions/{second.pk}/").content.decode()
    assert "Already on another mission on these dates" in page
    assert f"/missions/{first.pk}/" in page and "/finance/away/?view=month" in page
    # a draft is no clash for the submitted order
    page = login(cast.official).get(f"/missions/{first.pk}/").content.decode()
    assert "Already on another mission" not in page


def test_cached_statistics_change_when_an_order_is_issued(cast, django_capture_on_commit_callbacks):
    start = date.today() + timedelta(days=5)
    first = selectors.statistics_cached("", start.year)
    with django_capture_on_commit_callbacks(execute=True):
        make_order(cast, state="issued", start=start)
    again = selectors.statistics_cached("", start.year)
    assert again.totals["missions"] == first.totals["missions"] + 1
    assert selectors.statistics_cached("", start.year).totals == again.totals


def test_kept_filter_html_follows_values_and_choices(cast):
    from django.http import QueryDict

    from finance.forms import RegisterFilter, filter_html

    issuers = [cast.cabinet, cast.gdaf]
    plain = filter_html(RegisterFilter(None, issuers=issuers), choices=[u.pk for u in issuers])
    searched = filter_html(RegisterFilter(QueryDict("q=Sok"), issuers=issuers), choices=[u.pk for u in issuers])
    assert 'value="Sok"' in searched and 'value="Sok"' not in plain
    bad = filter_html(RegisterFilter(QueryDict("year=abc"), issuers=issuers), choices=[u.pk for u in issuers])
    assert "errorlist" in bad
    only_gdaf = filter_html(RegisterFilter(None, issuers=[cast.gdaf]), choices=[cast.gdaf.pk])
    assert "Cabinet" not in only_gdaf and "Cabinet" in plain
