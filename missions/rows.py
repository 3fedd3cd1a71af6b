"""The rows of the order lists and queues, written as HTML in Python.

A 50-row table through the template engine cost more than everything else on a list page
together (about 1,600 variable lookups and 1,100 rendered values per request, ~25 ms at the
ministry's size; docs/PERFORMANCE.md).  A row is a fixed shape, so it is built here with the same
escaping rules as the templates: every value from the database goes through ``escape``; the
only markup is the literal strings below.  Labels are translated once per page, names of units and
dates once per distinct value.  ``templates/missions/list.html`` places the result.
"""

from functools import lru_cache
from html import escape as _html_escape

from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import get_language

from common.language import in_language
from common.templatetags.portal import day
from ministry.models import Official, Province

from .models import Basis, Leg, MissionOrder, State


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
    by ``selectors.add_travellers_and_places``; ``labels`` are the page's ``column_labels()``."""
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
