"""Reads for the register, the statistics and the "who is away" calendar."""

from __future__ import annotations

import calendar as cal
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from ministry.models import Official, Province, Unit
from missions.models import MissionOrder, State, Traveller
from missions.selectors import add_travellers_and_places, filter_orders

from .models import MissionFact

REGISTER_FIELDS = ("id", "state", "number", "year", "issued_at", "departure_date", "return_date",
                   "requesting_unit__name_km", "requesting_unit__name_en", "issuing_unit__abbreviation_km",
                   "issuing_unit__abbreviation_en", "overdue_since")


def register_queryset(issuer: Unit, year: int, *, q: str = "", state: str = "", month: int | None = None,
                      unit: Unit | None = None):
    """The number book of ``issuer`` for ``year``: every number given, in order."""
    qs = MissionOrder.objects.filter(issuing_unit=issuer, year=year, number__isnull=False)
    qs = filter_orders(qs, state=state or None, unit=unit, q=q)
    if month:
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        qs = qs.filter(issued_at__date__gte=start, issued_at__date__lt=end)
    return qs.order_by("number")


def register_rows(qs) -> list[dict]:
    """The register's rows as text in the active language: number, state, unit, travellers, places."""
    from ministry.models import in_language
    from missions.models import Leg

    states = dict(State.choices)
    rows = add_travellers_and_places(list(qs.values(*REGISTER_FIELDS)))
    for r in rows:
        r["label"] = MissionOrder.format_number(r["number"], r["issuing_unit__abbreviation_km"],
                                                r["issuing_unit__abbreviation_en"])
        r["state_label"] = str(states.get(r["state"], r["state"]))
        r["unit"] = in_language(r["requesting_unit__name_km"], r["requesting_unit__name_en"])
        r["people"] = ", ".join(Official.format_name(h, km, latin) for h, km, latin, _head in r["travellers"])
        r["places"] = ", ".join(
            Province.place_label(kind, name_km, name_en) if kind else Leg.foreign_place(country, city)
            for kind, name_km, name_en, country, city in r["destinations"])
    return rows


# --- statistics ---------------------------------------------------------------------------------


def facts(scope: str, year: int):
    qs = MissionFact.objects.filter(year=year)
    if scope:
        qs = qs.filter(unit_path__startswith=scope)
    return qs


TOTALS = {"missions": Count("order"), "traveller_days": Sum("traveller_days"), "estimate": Sum("estimate"),
          "actual": Sum("actual")}


@dataclass
class Statistics:
    year: int
    totals: dict
    by_month: list
    by_unit: list
    by_province: list
    abroad: dict
    overdue_rate: float | None
    average_days_to_return: float | None
    province_days: dict


def statistics(scope: str, year: int, today: date | None = None) -> Statistics:
    """The year's missions, traveller-days and costs by month, unit (the scope's units one level down)
    and province; abroad against domestic; the overdue-return rate and the average days to return."""
    today = today or timezone.localdate()
    qs = facts(scope, year)
    totals = qs.aggregate(**TOTALS)
    months = {row["month"]: row for row in qs.values("month").annotate(**TOTALS)}
    by_month = [months.get(m, {"month": m, "missions": 0, "traveller_days": 0, "estimate": None, "actual": None})
                for m in range(1, 13)]
    by_province_rows = {row["province"]: row for row in qs.filter(abroad=False).values("province").annotate(**TOTALS)}
    provinces = list(Province.objects.all())
    by_province = [{**by_province_rows.get(p.pk, {"missions": 0, "traveller_days": 0}), "province": p}
                   for p in provinces]
    abroad = {row["abroad"]: row for row in qs.values("abroad").annotate(**TOTALS)}
    due = qs.filter(return_date__lt=today)
    due_count = due.count()
    overdue = due.filter(overdue=True).count()
    avg = qs.filter(days_to_return__isnull=False).aggregate(a=Avg("days_to_return"))["a"]
    return Statistics(
        year=year, totals=totals, by_month=by_month, by_unit=_by_unit(qs, scope), by_province=by_province,
        abroad={"domestic": abroad.get(False, {}), "abroad": abroad.get(True, {})},
        overdue_rate=(overdue / due_count) if due_count else None,
        average_days_to_return=float(avg) if avg is not None else None,
        province_days={row["province"].code: row["traveller_days"] or 0 for row in by_province},
    )


def _by_unit(qs, scope: str) -> list[dict]:
    """Totals for each unit one level below the scope (for the whole Ministry: the general departments,
    the Cabinet…), each with its subtree, plus the scope's own unit."""
    if scope:
        top = Unit.objects.filter(path=scope).first()
    else:
        top = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        return []
    rows = {row["unit_path"]: row for row in qs.values("unit_path").annotate(**TOTALS)}
    children = list(top.children.order_by("path"))
    out = []
    own = rows.get(top.path)
    if own:
        out.append({"unit": top, **own})
    for child in children:
        total = {"missions": 0, "traveller_days": 0, "estimate": 0, "actual": 0}
        for path, row in rows.items():
            if path.startswith(child.path):
                for key in total:
                    total[key] += row[key] or 0
        if total["missions"]:
            out.append({"unit": child, **total})
    return out


# --- who is away -----------------------------------------------------------------------------------

AWAY_STATES = (State.ISSUED, State.RETURNED, State.SENT_BACK, State.ACCEPTED)


def period(view: str, anchor: date) -> tuple[date, date]:
    if view == "month":
        start = anchor.replace(day=1)
        return start, start.replace(day=cal.monthrange(start.year, start.month)[1])
    start = anchor - timedelta(days=anchor.weekday())
    return start, start + timedelta(days=6)


def away(officials, start: date, end: date) -> list[dict]:
    """Each official of ``officials`` with an issued mission in [start, end]: their trips, by name."""
    rows = (Traveller.objects.filter(official__in=officials, order__state__in=AWAY_STATES,
                                     order__departure_date__lte=end, order__return_date__gte=start)
            .values("official_id", "order_id", "order__departure_date", "order__return_date", "order__number",
                    "order__issuing_unit__abbreviation_km", "order__issuing_unit__abbreviation_en")
            .order_by("order__departure_date"))
    trips: dict[int, list] = {}
    for row in rows:
        trips.setdefault(row["official_id"], []).append(row)
    people = {o.pk: o for o in Official.objects.filter(pk__in=trips).select_related("unit", "position")}
    out = []
    for official_id, mine in trips.items():
        official = people[official_id]
        out.append({"official": official, "trips": mine})
    out.sort(key=lambda r: (r["official"].position.rank, r["official"].name_latin))
    return out


def leadership_officials():
    return Official.objects.filter(active=True, position__in_leadership_group=True)


def unit_officials(unit: Unit, subtree: bool):
    if subtree:
        return Official.objects.filter(active=True, unit__in=Unit.subtree_ids(unit.path))
    return Official.objects.filter(active=True, unit=unit)


@dataclass
class MonthlyReport:
    year: int
    month: int
    totals: dict
    by_unit: list
    by_province: list
    abroad: dict
    missions: list


REPORT_ROWS = 2000


def monthly_report(scope: str, year: int, month: int) -> MonthlyReport:
    """One month of the statistics, with the list of its missions (by departure)."""
    qs = facts(scope, year).filter(month=month)
    totals = qs.aggregate(**TOTALS)
    rows = {row["province"]: row for row in qs.filter(abroad=False).values("province").annotate(**TOTALS)}
    by_province = [{**rows[p.pk], "province": p} for p in Province.objects.all() if p.pk in rows]
    abroad = {row["abroad"]: row for row in qs.values("abroad").annotate(**TOTALS)}
    missions = list(qs.select_related("order__issuing_unit", "unit", "province")
                    .order_by("departure_date", "order_id")[:REPORT_ROWS])
    return MonthlyReport(year=year, month=month, totals=totals, by_unit=_by_unit(qs, scope), by_province=by_province,
                         abroad={"domestic": abroad.get(False, {}), "abroad": abroad.get(True, {})},
                         missions=missions)


CLASH_STATES = (State.SUBMITTED, State.APPROVED, State.ISSUED, State.RETURNED, State.SENT_BACK, State.ACCEPTED)


def clashes(order) -> list[dict]:
    """The travellers of ``order`` who are already on another mission on overlapping dates (the check the
    submission makes), for the order page: who, which order, when."""
    rows = (Traveller.objects.filter(official__in=order.travellers.values("official_id"),
                                     order__state__in=CLASH_STATES, order__departure_date__lte=order.return_date,
                                     order__return_date__gte=order.departure_date)
            .exclude(order=order).select_related("official")
            .values("official__honorific", "official__name_km", "official__name_latin", "order_id",
                    "order__departure_date", "order__return_date")[:20])
    return [{"name": Official.format_name(r["official__honorific"], r["official__name_km"], r["official__name_latin"]),
             "order_id": r["order_id"], "start": r["order__departure_date"], "end": r["order__return_date"]}
            for r in rows]
