"""Queues: who sees which orders, filters, search, pagination, counts, exports, and a constant query count."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ministry.models import Province
from missions import selectors
from missions import services as s
from missions.models import MissionOrder
from tests.factories import make_order, order_input

pytestmark = pytest.mark.django_db


def _ids(response):
    return {o["id"] for o in response.context["page"].object_list}


def _drafts(cast, n, offset=0):
    base = date.today() + timedelta(days=10)
    return [s.order_create(by=cast.official.user, data=order_input(cast, start=base + timedelta(days=5 * (i + offset))))
            for i in range(n)]


def test_queue_selectors_by_role(cast):
    submitted = make_order(cast, state="submitted")
    approved = make_order(cast, state="approved", start=submitted.return_date + timedelta(days=2))
    cab = make_order(cast, state="approved", issuer=cast.cabinet, start=approved.return_date + timedelta(days=2))
    returned = make_order(cast, state="returned")
    assert set(selectors.approval_queue(cast.leader.user)) == {submitted}
    assert set(selectors.approval_queue(cast.official.user)) == set()
    assert set(selectors.issue_queue(cast.gdaf_clerk.user)) == {approved}
    assert set(selectors.issue_queue(cast.cabinet_clerk.user)) == {cab}
    assert set(selectors.returns_queue(cast.returns_clerk.user)) == {returned}
    assert set(selectors.returns_queue(cast.gdaf_clerk.user)) == set()
    assert set(selectors.unit_queue(cast.head.user)) == {submitted, approved, cab, returned}
    assert set(selectors.unit_queue(cast.other_head.user)) == set()
    assert set(selectors.my_orders(cast.colleague.user)) == {submitted, approved, cab, returned}


def test_returns_queue_puts_overdue_orders_first(cast, login):
    returned = make_order(cast, state="returned")
    late = make_order(cast, state="issued", start=returned.return_date + timedelta(days=2))
    MissionOrder.objects.filter(pk=late.pk).update(overdue_since=date.today())
    page = login(cast.returns_clerk).get(reverse("missions:returns"))
    assert [o["id"] for o in page.context["page"].object_list] == [late.pk, returned.pk]
    assert _ids(login(cast.returns_clerk).get(reverse("missions:returns"), {"overdue": "1"})) == {late.pk}


def test_queue_pages_are_refused_to_other_roles(cast, login):
    client = login(cast.official)
    for name in ("unit", "approvals", "to_issue", "returns"):
        assert client.get(reverse(f"missions:{name}")).status_code == 302
    assert login(cast.head).get(reverse("missions:unit")).status_code == 200


def test_filters_and_search(cast, login):
    a = make_order(cast, state="issued")
    b = make_order(cast, state="submitted", travellers=[cast.office_official], legs=1,
                   start=a.return_date + timedelta(days=5))
    c = make_order(cast, state="draft", issuer=cast.cabinet, travellers=[cast.colleague],
                   start=b.return_date + timedelta(days=5))
    client = login(cast.head)
    url = reverse("missions:unit")
    assert _ids(client.get(url)) == {a.pk, b.pk, c.pk}
    assert _ids(client.get(url, {"state": "issued"})) == {a.pk}
    assert _ids(client.get(url, {"issuer": cast.cabinet.pk})) == {c.pk}
    assert _ids(client.get(url, {"unit": cast.unit_a_office.pk})) == set()  # requested by unit_a
    assert _ids(client.get(url, {"unit": cast.unit_a.pk})) == {a.pk, b.pk, c.pk}
    assert _ids(client.get(url, {"date_from": b.departure_date.isoformat(), "date_to": b.return_date.isoformat()})) == {b.pk}
    bb = Province.objects.get(code="KH-2")  # only orders with two or more legs reach it
    assert _ids(client.get(url, {"province": bb.pk})) == {a.pk, c.pk}
    assert _ids(client.get(url, {"q": cast.office_official.name_latin})) == {b.pk}
    assert _ids(client.get(url, {"q": cast.office_official.name_km})) == {b.pk}
    assert _ids(client.get(url, {"q": cast.office_official.civil_service_id})) == {b.pk}
    assert _ids(client.get(url, {"q": "១"})) == {a.pk}  # the number in Khmer digits
    assert _ids(client.get(url, {"q": "001"})) == {a.pk}
    assert client.get(url, {"q": "nobody"}).context["total"] == 0


def test_pagination_and_total(cast, login):
    _drafts(cast, 52)
    client = login(cast.official)
    first = client.get(reverse("missions:mine"))
    assert first.context["total"] == 52 and len(first.context["page"].object_list) == 50
    assert len(client.get(reverse("missions:mine"), {"page": 2}).context["page"].object_list) == 2
    assert "52" in first.content.decode()


def test_csv_export_has_the_filtered_rows(cast, login):
    a = make_order(cast, state="issued")
    make_order(cast, state="draft", start=a.return_date + timedelta(days=5))
    client = login(cast.official)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("missions:mine"), {"state": "issued", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Number", "State"]
    assert len(rows) == 2 and rows[1][0] == str(a.pk) and rows[1][1] == a.display_number
    assert str(cast.colleague.name_latin) in rows[1][6]


@pytest.mark.khmer
def test_xlsx_export_opens_with_openpyxl(cast, login):
    from openpyxl import load_workbook

    orders = _drafts(cast, 3)
    response = login(cast.official).get(reverse("missions:mine"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 4
    assert {row[0] for row in values[1:]} == {o.pk for o in orders}
    assert "សុខ" in values[1][6]  # Khmer names by default


@pytest.mark.parametrize("name,who", [("mine", "official"), ("unit", "head")])
def test_query_count_does_not_grow_with_the_page(cast, login, django_assert_max_num_queries, name, who):
    _drafts(cast, 5)
    client = login(getattr(cast, who))
    client.get(reverse(f"missions:{name}"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as five:
        assert client.get(reverse(f"missions:{name}")).context["total"] == 5
    _drafts(cast, 35, offset=5)
    with django_assert_max_num_queries(len(five)):
        page = client.get(reverse(f"missions:{name}"))
    assert page.context["total"] == 40
    with django_assert_max_num_queries(len(five)):
        client.get(reverse(f"missions:{name}"), {"export": "csv"})


def test_approval_queue_query_count_is_constant(cast, login, django_assert_max_num_queries):
    base = date.today() + timedelta(days=10)

    def submitted(n, offset):
        for i in range(n):
            o = s.order_create(by=cast.official.user, data=order_input(cast, start=base + timedelta(days=5 * (i + offset))))
            s.order_submit(order=o, by=cast.official.user)

    submitted(5, 0)
    client = login(cast.leader)
    client.get(reverse("missions:approvals"))
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("missions:approvals"))
    submitted(35, 5)
    with django_assert_max_num_queries(len(five)):
        assert client.get(reverse("missions:approvals")).context["total"] == 40
