"""List rows are written in Python (missions/fast_lists.py): they must say what the models say, escape what
the database holds, page in the queue's order, and keep the approve button working."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ministry.models import Official
from missions import selectors
from missions import services as s
from missions.models import Leg, MissionOrder
from missions.fast_lists import ROW_FIELDS, RowPaginator, add_travellers_and_places, order_rows, row_values
from tests.factories import make_order, order_input

pytestmark = pytest.mark.django_db


def _rows_html(qs, request, **kwargs):
    rows = add_travellers_and_places(list(row_values(qs)))
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr>\n  <td data-label="[^"]*"><a href="/missions/(\d+)/">.*?</tr>',
                                                              order_rows(request, rows, detail_url="/missions/", **kwargs), re.S)}


@pytest.mark.parametrize("lang", ["km", "en"])
def test_each_row_says_what_the_models_say(cast, rf, lang):
    draft = make_order(cast, travellers=[cast.colleague, cast.official])
    issued = make_order(cast, state="issued", start=draft.return_date + timedelta(days=2), legs=3)
    abroad = s.order_create(by=cast.official.user, data=order_input(cast, start=issued.return_date + timedelta(days=2), legs=1))
    Leg.objects.filter(order=abroad).update(to_province=None, to_country="TH", to_city="Bangkok")
    MissionOrder.objects.filter(pk=issued.pk).update(overdue_since=date.today())
    qs = MissionOrder.objects.filter(pk__in=[draft.pk, issued.pk, abroad.pk])
    with translation.override(lang):
        html = _rows_html(qs, rf.get("/"))
        assert set(html) == {draft.pk, issued.pk, abroad.pk}
        for order in qs.select_related("issuing_unit", "requesting_unit"):
            row = html[order.pk]
            travellers = ", ".join(str(t.official) + (" ★" if t.is_head else "") for t in order.travellers.all())
            destinations = "; ".join(leg.destination() for leg in order.legs.all())
            for text in (str(order), order.get_state_display(), travellers, destinations,
                         str(order.requesting_unit), str(order.issuing_unit)):
                assert f">{text}<" in row or f">{text} <" in row or text in row, (text, row)
            assert ('class="badge overdue"' in row) == (order.pk == issued.pk)
    assert "★" in html[draft.pk]
    if lang == "km":
        assert "លេខ ០០" in html[issued.pk] and "បាងកក" not in html[abroad.pk] and "ប្រទេសថៃ" in html[abroad.pk]
    else:
        assert "No. 00" in html[issued.pk] and "Bangkok, Thailand" in html[abroad.pk]


def test_rows_escape_what_the_database_holds(cast, rf):
    order = make_order(cast)
    Official.objects.filter(pk=cast.official.pk).update(name_latin='<script>alert("x")</script> & Co', name_km="<b>ខ</b>")
    cast.unit_a.name_en = "A & <i>B</i>"
    cast.unit_a.save()
    with translation.override("en"):
        row = _rows_html(MissionOrder.objects.filter(pk=order.pk), rf.get("/"))[order.pk]
    assert "<script>" not in row and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in row
    assert "<i>" not in row and "A &amp; &lt;i&gt;B&lt;/i&gt;" in row


def test_the_approve_button_of_a_row_carries_a_working_csrf_token(cast):
    order = make_order(cast, state="submitted")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.leader.user)
    page = client.get(reverse("missions:approvals")).content.decode()
    form = re.search(rf'<form method="post" action="(/missions/{order.pk}/do/approve/)"><input type="hidden" '
                     r'name="csrfmiddlewaretoken" value="([^"]+)"><input type="hidden" name="next" value="approvals">', page)
    assert form, page
    assert client.post(form.group(1), {"next": "approvals"}).status_code == 403  # no token: refused
    response = client.post(form.group(1), {"csrfmiddlewaretoken": form.group(2), "next": "approvals"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "approved"


def test_later_pages_read_their_keys_first_and_keep_the_queue_order(cast):
    first = make_order(cast, state="submitted")
    orders = [first]
    for _ in range(6):
        orders.append(make_order(cast, state="submitted", start=orders[-1].return_date + timedelta(days=2)))
    for qs in (selectors.unit_queue(cast.leader.user), selectors.approval_queue(cast.leader.user)):
        expected = list(qs.values_list("id", flat=True))
        assert len(expected) == 7
        paginator = RowPaginator(qs, 3)
        assert paginator.count == 7 and paginator.num_pages == 3
        pages = [[row["id"] for row in paginator.page(n).object_list] for n in (1, 2, 3)]
        assert pages == [expected[:3], expected[3:6], expected[6:]]
        assert set(paginator.page(2).object_list[0]) == set(ROW_FIELDS)
