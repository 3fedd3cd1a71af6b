"""The speed code of the order lists, behind one door.

A list page at the ministry's size (10 000 officials, 100 000 orders; docs/PERFORMANCE.md) spent its time
in Python, not in the database: the template engine (about 1,600 variable lookups and 1,100 rendered values
for 50 rows, ~25 ms), model instances and prefetches (~530 instances a page), the option templates of a
150-unit select (~40 ms) and building small ORM queries (5.5 ms against 1.5 ms in SQL).  Each piece here
does the same work as a plain Django twin, faster, and ``tests/missions/test_fast_lists.py`` holds each
equal to its twin:

* ``order_rows`` writes the ``<tr>`` elements byte for byte as ``templates/missions/_order_rows.html``
  writes them from model instances;
* ``row_values``, ``add_travellers_and_places`` (two SQL reads) and ``RowPaginator`` give the values the
  ORM's prefetches and Django's ``Paginator`` give;
* ``FastSelect`` writes the markup of Django's ``Select``;
* ``filter_choices`` lists what the filter's ``ModelChoiceField`` lists, kept per process for a minute and
  forgotten when a unit or province is saved or deleted.

Rows are built with the same escaping rules as the templates: every value from the database goes through
``escape``; the only markup is the literal strings below.  Labels are translated once per page, names of
units and dates once per distinct value.  ``templates/missions/list.html`` places the result.
"""


import time
from functools import lru_cache
from html import escape as _html_escape

from django import forms
from django.core.paginator import Paginator
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.middleware.csrf import get_token
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.language import in_language
from common.templatetags.portal import day
from ministry.models import Official, Province, Unit
from ministry.selectors import issuers

from .models import Basis, Leg, MissionOrder, State, Traveller


def escape(value) -> str:
    """``django.utils.html.escape`` without its lazy-text check (a thousand calls a page)."""
    return _html_escape(str(value))


def column_labels() -> dict:
    """The column headings (also the ``data-label`` of each cell on a phone), in the reader's language."""
    return {
        "order": _("Order"), "state": _("State"), "travellers": _("Travellers"), "destinations": _("Destinations"),
        "dates": _("Dates"), "unit": _("Requesting unit"), "issuer": _("Issuer"), "decision": _("Decision"),
        "purpose": _("Purpose"), "basis": _("Basis"),
    }


PURPOSE_SHOWN = 140  # characters of the purpose in a list row; the order page has it whole


def _purpose(km: str, en: str, lang: str) -> str:
    text = " ".join(in_language(km or "", en or "", lang).split())
    return text if len(text) <= PURPOSE_SHOWN else text[:PURPOSE_SHOWN - 1].rstrip() + "…"


@lru_cache(maxsize=8)
def _state_labels(language: str) -> dict:
    return {value: escape(label) for value, label in State.choices}


@lru_cache(maxsize=8)
def _basis_labels(language: str) -> dict:
    return {value: escape(label) for value, label in Basis.choices}


class _Memo(dict):
    """Escaped text of a value computed once per page (units and dates repeat down a list)."""

    def __init__(self, render):
        super().__init__()
        self.render = render

    def __missing__(self, key):
        value = self[key] = escape(self.render(*key) if isinstance(key, tuple) else self.render(key))
        return value


def order_rows(request, rows, *, detail_url: str, can_approve: bool = False, labels: dict | None = None) -> str:
    """The ``<tr>`` elements of a page of ``selectors.row_values`` given their travellers and places
    by ``add_travellers_and_places``; ``labels`` are the page's ``column_labels()``."""
    lang = (get_language() or "km")[:2]
    labels = {key: escape(text) for key, text in (labels or column_labels()).items()}
    states = _state_labels(lang)
    bases = _basis_labels(lang)
    overdue = f' <span class="badge overdue">{escape(_("Overdue"))}</span>'
    units = _Memo(lambda km, en: in_language(km, en, lang))
    dates = _Memo(day)
    people = _Memo(lambda honorific, km, latin: Official.format_name(honorific, km, latin, lang))
    places = _Memo(lambda kind, km, en, country, city: (
        Province.place_label(kind, km, en, lang) if kind else Leg.foreign_place(country, city, lang)
    ))
    cell = '<td data-label="{}">'.format
    url = escape(detail_url)
    decision = ("", "", "")
    if can_approve:
        decision = (
            f'  {cell(labels["decision"])}\n    <form method="post" action="{url}',
            f'/do/approve/"><input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            f'<input type="hidden" name="next" value="approvals">'
            f'<button class="btn" type="submit">{escape(_("Approve"))}</button></form>\n    <a href="{url}',
            f'/confirm/reject/">{escape(_("Reject…"))}</a>\n  </td>\n',
        )
    out = []
    for row in rows:
        pk, state = row["id"], row["state"]
        if row["number"]:
            name = MissionOrder.format_number(
                row["number"], row["issuing_unit__abbreviation_km"], row["issuing_unit__abbreviation_en"], lang)
        else:
            name = MissionOrder.request_label(pk)
        travellers = ", ".join(people[h, km, latin] + (" ★" if head else "") for h, km, latin, head in row["travellers"])
        out.append(
            f'<tr>\n  {cell(labels["order"])}<a href="{url}{pk}/">{escape(name)}</a></td>\n'
            f'  {cell(labels["state"])}<span class="badge state-{escape(state)}">{states.get(state) or escape(state)}'
            f'</span>{overdue if row["overdue_since"] else ""}</td>\n'
            f'  {cell(labels["purpose"])}{escape(_purpose(row["purpose_km"], row["purpose_en"], lang))}</td>\n'
            f'  {cell(labels["travellers"])}{travellers}</td>\n'
            f'  {cell(labels["destinations"])}{"; ".join(places[tuple(p)] for p in row["destinations"])}</td>\n'
            f'  {cell(labels["dates"])}{dates[row["departure_date"]]} – {dates[row["return_date"]]}</td>\n'
            f'  {cell(labels["basis"])}{bases.get(row["basis"], "")}</td>\n'
            f'  {cell(labels["unit"])}{units[row["requesting_unit__name_km"], row["requesting_unit__name_en"]]}</td>\n'
            f'  {cell(labels["issuer"])}{units[row["issuing_unit__name_km"], row["issuing_unit__name_en"]]}</td>\n'
            + (f"{decision[0]}{pk}{decision[1]}{pk}{decision[2]}" if can_approve else "  \n")
            + "</tr>"
        )
    return mark_safe("".join(out))


# --- the values of a page ---------------------------------------------------------------


ROW_FIELDS = (
    "id", "state", "number", "overdue_since", "departure_date", "return_date", "purpose_km", "purpose_en", "basis",
    "requesting_unit__name_km", "requesting_unit__name_en",
    "issuing_unit__name_km", "issuing_unit__name_en", "issuing_unit__abbreviation_km", "issuing_unit__abbreviation_en",
)


class RowPaginator(Paginator):
    """Pages of ``row_values(qs)``.

    * The count is taken on ``qs`` itself: counting the values would join both units to every order of
      the list (PostgreSQL cannot drop an inner join), 2 ms → 47 ms for 15 000 orders.
    * A page after the first reads its 50 keys first, then those rows: skipping 950 orders in the
      ``(-created, -id, requesting_unit)`` index alone costs 1 ms, where skipping whole rows cost 9 ms."""

    def __init__(self, qs, per_page):
        super().__init__(row_values(qs), per_page)
        self._qs = qs

    @cached_property
    def count(self):
        return self._qs.count()

    def page(self, number):
        number = self.validate_number(number)
        if number == 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        keys = list(self._qs.values_list("id", flat=True)[bottom:bottom + self.per_page])
        rows = {row["id"]: row for row in row_values(self._qs.model.objects.filter(id__in=keys))}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def row_values(qs):
    """What a row of a list shows of the order itself, as plain values.  A list page is read as values,
    not model instances: ~530 instances and two prefetches per 50-row page cost more than the database
    did (docs/PERFORMANCE.md)."""
    return qs.values(*ROW_FIELDS)


def add_travellers_and_places(rows: list[dict]) -> list[dict]:
    """Give each row of ``row_values`` its ``travellers`` [(honorific, name_km, name_latin, is_head)] in
    order and its ``destinations`` [(province kind, name_km, name_en, country, city)] by leg: two
    queries whatever the number of rows.

    Written in SQL because these small reads were a quarter of a list page through the ORM (5.5 ms
    against 1.5 ms at 50 rows: building the queries cost more than running them).  On PostgreSQL the
    join to the officials is a nested loop over their primary key only with the page's
    ``random_page_cost`` (settings.py); with the server default it hashed all 10 000 officials (4 ms)."""
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["travellers"], row["destinations"] = [], []
    if not by_id:
        return rows
    traveller, official, leg, province = (m._meta.db_table for m in (Traveller, Official, Leg, Province))
    keys = list(by_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.order_id, o.honorific, o.name_km, o.name_latin, t.is_head FROM {traveller} t"
            f" JOIN {official} o ON o.id = t.official_id WHERE t.order_id IN ({_marks(keys)})"
            " ORDER BY t.order_id, t.sort, t.id", keys)
        for order_id, honorific, name_km, name_latin, is_head in cursor.fetchall():
            by_id[order_id]["travellers"].append((honorific, name_km, name_latin, bool(is_head)))
        cursor.execute(
            f"SELECT l.order_id, p.kind, p.name_km, p.name_en, l.to_country, l.to_city FROM {leg} l"
            f" LEFT JOIN {province} p ON p.id = l.to_province_id WHERE l.order_id IN ({_marks(keys)})"
            " ORDER BY l.order_id, l.seq", keys)
        for order_id, *place in cursor.fetchall():
            by_id[order_id]["destinations"].append(place)
    return rows


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


# --- the filter form ---------------------------------------------------------------------


def _attrs(attrs: dict) -> str:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them: in order, ``True`` bare, ``False`` left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


class FastSelect(forms.Select):
    """The markup of Django's ``Select`` (flat choices) built in one pass over the choices.

    A filter form with 150 units took ~40 ms a page through the option templates and ~5 ms through
    ``optgroups()``; this takes well under 1 ms.  Option groups fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        parts = [f'<select name="{escape(str(name))}"{_attrs(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = ""
            if option_value in wanted:
                selected = " selected"
                wanted = set()  # a single select marks the first match only, as Django does
            parts.append(f'<option value="{escape(option_value)}"{selected}>{escape(str(label))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))


FILTER_CHOICES_TTL = 60  # seconds; saving or deleting a unit or province clears them at once
_filter_choices: dict = {}


def kept(name, build):
    """``build()`` kept per process, language and database for ``FILTER_CHOICES_TTL`` seconds."""
    key = (name, (get_language() or "km")[:2], connection.settings_dict["NAME"])
    now = time.monotonic()
    hit = _filter_choices.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = build()
    _filter_choices[key] = (now + FILTER_CHOICES_TTL, value)
    return value


def filter_choices(name: str) -> list[tuple[int, str]]:
    """(pk, label) options of the filter's ``unit``, ``issuer`` or ``province`` select in the current
    language, as ``ModelChoiceField`` would list them, kept per process for a minute."""
    readers = {"unit": lambda: Unit.objects.filter(active=True), "issuer": issuers, "province": Province.objects.all}
    return kept(name, lambda: [(obj.pk, str(obj)) for obj in readers[name]()])


def _forget_filter_choices(**kwargs):
    _filter_choices.clear()


for _model in (Unit, Province):
    post_save.connect(_forget_filter_choices, sender=_model, dispatch_uid=f"filter-choices-save-{_model.__name__}")
    post_delete.connect(_forget_filter_choices, sender=_model, dispatch_uid=f"filter-choices-del-{_model.__name__}")
