"""Each fast path of missions/fast_lists.py says what its plain Django twin says: the rows byte for byte as
the template writes them from model instances, the values as the ORM reads them, the pages as Django's
Paginator cuts them, the select as Django's Select, the filter options as the ModelChoiceField lists them."""

import re
from datetime import date, timedelta

import pytest
from django import forms
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext_lazy

from ministry.models import Official, Province, Unit
from ministry.selectors import issuers
from missions import services as s
from missions.fast_lists import (
    FastSelect,
    RowPaginator,
    add_travellers_and_places,
    column_labels,
    filter_choices,
    order_rows,
    row_values,
)
from missions.models import Leg, MissionOrder
from tests.factories import make_order, order_input

CHOICES = [("", gettext_lazy("Any")), (1, "Phnom Penh"), (2, 'A & <B> "quoted"'), ("x", "ខេត្តសៀមរាប"), (2, "Duplicate")]


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", "1", 1, 2, "x", "missing", ["1"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_unit"}, {"id": "id_unit", "class": "wide", "required": True}])
def test_fast_select_renders_what_django_select_renders(value, attrs):
    fast, django = FastSelect(choices=CHOICES), forms.Select(choices=CHOICES)
    assert _squash(fast.render("unit", value, attrs)) == _squash(django.render("unit", value, attrs))


def test_fast_select_falls_back_for_option_groups():
    grouped = [("Cambodia", [(1, "Phnom Penh"), (2, "Siem Reap")]), (3, "Bangkok")]
    fast, django = FastSelect(choices=grouped), forms.Select(choices=grouped)
    assert _squash(fast.render("place", "2")) == _squash(django.render("place", "2"))
    assert 'selected' in fast.render("place", "2")


# The plain version of ``order_rows``: the template the list used before its rows were written in Python.
ROWS_TEMPLATE = (
    '{% load portal %}{% for order in orders %}<tr>\n'
    '  <td data-label="{{ labels.order }}"><a href="{{ detail_url }}{{ order.pk }}/">{{ order }}</a></td>\n'
    '  <td data-label="{{ labels.state }}"><span class="badge state-{{ order.state }}">{{ order.get_state_display }}'
    '</span>{% if order.overdue_since %} <span class="badge overdue">{{ overdue }}</span>{% endif %}</td>\n'
    '  <td data-label="{{ labels.purpose }}">{{ order.purpose }}</td>\n'
    '  <td data-label="{{ labels.travellers }}">{% for t in order.travellers.all %}{{ t.official }}'
    '{% if t.is_head %} ★{% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}</td>\n'
    '  <td data-label="{{ labels.destinations }}">{% for leg in order.legs.all %}{{ leg.destination }}'
    '{% if not forloop.last %}; {% endif %}{% endfor %}</td>\n'
    '  <td data-label="{{ labels.dates }}">{{ order.departure_date|day }} – {{ order.return_date|day }}</td>\n'
    '  <td data-label="{{ labels.basis }}">{{ order.get_basis_display }}</td>\n'
    '  <td data-label="{{ labels.unit }}">{{ order.requesting_unit }}</td>\n'
    '  <td data-label="{{ labels.issuer }}">{{ order.issuing_unit }}</td>\n'
    '{% if can_approve %}  <td data-label="{{ labels.decision }}">\n'
    '    <form method="post" action="{{ detail_url }}{{ order.pk }}/do/approve/"><input type="hidden" '
    'name="csrfmiddlewaretoken" value="{{ token }}"><input type="hidden" name="next" value="approvals">'
    '<button class="btn" type="submit">{{ approve }}</button></form>\n'
    '    <a href="{{ detail_url }}{{ order.pk }}/confirm/reject/">{{ reject }}</a>\n'
    '  </td>\n{% else %}  \n{% endif %}</tr>{% endfor %}'
)


@pytest.fixture
def book(cast):
    """Orders in several states, one abroad, one overdue, one with markup in the database."""
    draft = make_order(cast, travellers=[cast.colleague, cast.official])
    issued = make_order(cast, state="issued", start=draft.return_date + timedelta(days=2), legs=3)
    abroad = s.order_create(by=cast.official.user, data=order_input(cast, start=issued.return_date + timedelta(days=2),
                                                                    legs=1))
    Leg.objects.filter(order=abroad).update(to_province=None, to_country="TH", to_city="Bangkok")
    MissionOrder.objects.filter(pk=issued.pk).update(overdue_since=date.today())
    submitted = make_order(cast, state="submitted", start=abroad.return_date + timedelta(days=2))
    Official.objects.filter(pk=cast.colleague.pk).update(name_latin='<b>"Sok"</b> & Co')
    Unit.objects.filter(pk=cast.unit_a.pk).update(name_en="A & <i>B</i>")
    return MissionOrder.objects.filter(pk__in=[draft.pk, issued.pk, abroad.pk, submitted.pk]).order_by("-id")


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize("can_approve", [False, True])
def test_rows_are_byte_for_byte_what_the_template_writes(book, rf, lang, can_approve):
    request = rf.get("/")
    with translation.override(lang):
        labels = column_labels()
        fast = order_rows(request, add_travellers_and_places(list(row_values(book))), detail_url="/missions/",
                          can_approve=can_approve, labels=labels)
        plain = engines["django"].from_string(ROWS_TEMPLATE).render({
            "orders": book.select_related("requesting_unit", "issuing_unit"), "labels": labels,
            "detail_url": "/missions/", "can_approve": can_approve, "token": get_token(request),
            "overdue": translation.gettext("Overdue"), "approve": translation.gettext("Approve"),
            "reject": translation.gettext("Reject…"),
        })
    assert fast.count("<tr>") == 4
    # the CSRF token is masked afresh at each reading (test_rows.py posts with it); everything else is equal
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("TOKEN", str(fast)) == token.sub("TOKEN", plain)
    assert ("TOKEN" in token.sub("TOKEN", plain)) == can_approve


@pytest.mark.django_db
def test_travellers_and_places_are_what_the_orm_reads(book):
    rows = add_travellers_and_places(list(row_values(book)))
    for row in rows:
        order = MissionOrder.objects.get(pk=row["id"])
        assert row["travellers"] == [
            (t.official.honorific, t.official.name_km, t.official.name_latin, t.is_head)
            for t in order.travellers.select_related("official").order_by("sort", "id")]
        assert row["destinations"] == [
            [leg.to_province.kind if leg.to_province else None, leg.to_province.name_km if leg.to_province else None,
             leg.to_province.name_en if leg.to_province else None, leg.to_country, leg.to_city]
            for leg in order.legs.select_related("to_province").order_by("seq")]
    assert any(row["destinations"][0][0] is None for row in rows)  # the order abroad


@pytest.mark.django_db
def test_row_pages_are_the_pages_django_cuts(book):
    for per_page in (1, 2, 3):
        fast, plain = RowPaginator(book, per_page), Paginator(row_values(book), per_page)
        assert (fast.count, fast.num_pages) == (plain.count, plain.num_pages)
        for number in plain.page_range:
            assert list(fast.page(number).object_list) == list(plain.page(number).object_list)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["km", "en"])
def test_filter_options_are_what_the_model_choice_field_lists_and_follow_a_renamed_unit(cast, lang):
    querysets = {"unit": Unit.objects.filter(active=True), "issuer": issuers(), "province": Province.objects.all()}
    with translation.override(lang):
        for name, queryset in querysets.items():
            plain = [(value.value, label) for value, label in forms.ModelChoiceField(queryset, empty_label=None).choices]
            assert filter_choices(name) == plain, name
        cast.unit_a.name_km = cast.unit_a.name_en = "Renamed unit"
        cast.unit_a.save()  # the kept options are forgotten at once, not after a minute
        assert (cast.unit_a.pk, "Renamed unit") in filter_choices("unit")
