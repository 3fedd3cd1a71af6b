"""XLSX exports for accounting and reporting. Amounts are numbers (USD with cents, riel whole), so that a
spreadsheet can add them up; headings are in the reader's language."""

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.language import in_language
from missions.models import MissionOrder

from .allowances import to_riel
from .selectors import register_rows

MAX_ROWS = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: tablib.Dataset, name: str) -> HttpResponse:
    data.title = (data.title or name)[:31]
    response = HttpResponse(data.export("xlsx"), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _f(value):
    return float(value) if value is not None else None


def settlement_dataset(settlement) -> tablib.Dataset:
    order = settlement.order
    headers = [_("Order"), _("Traveller"), _("From"), _("Until"), _("Days"), _("Nights"), _("Per day (USD)"),
               _("Allowance (USD)"), _("Lodging (USD)"), _("Transport (USD)"), _("Deduction (USD)"), _("Total (USD)"),
               _("Total (riel)")]
    data = tablib.Dataset(headers=[str(h) for h in headers], title=_("Settlement"))
    number = order.display_number or MissionOrder.request_label(order.pk)
    for line in settlement.lines:
        data.append([number, in_language(line["name_km"], line["name_en"]), line["start"], line["end"], line["days"],
                     line["nights"], _f(line["per_day"]), _f(line["allowance"]), _f(line["lodging"]),
                     _f(line["transport"]), _f(line["deduction"]), _f(line["total"]),
                     to_riel(line["total"], settlement.riel_per_usd)])
    data.append([number, _("Final amount"), "", "", "", "", "", "", "", "", "", _f(settlement.final),
                 to_riel(settlement.final, settlement.riel_per_usd)])
    data.append([number, _("Advance paid"), "", "", "", "", "", "", "", "", "", _f(settlement.advance),
                 to_riel(settlement.advance, settlement.riel_per_usd)])
    data.append([number, _("Difference (to pay if positive, to recover if negative)"), "", "", "", "", "", "", "", "",
                 "", _f(settlement.difference), to_riel(settlement.difference, settlement.riel_per_usd)])
    return data


def settlements_dataset(qs) -> tablib.Dataset:
    headers = [_("Order"), _("Requesting unit"), _("Departure"), _("Return"), _("Settled at"), _("Advance (USD)"),
               _("Final (USD)"), _("Difference (USD)"), _("Final (riel)"), _("Riel per USD"), _("Demo rates")]
    data = tablib.Dataset(headers=[str(h) for h in headers], title=_("Settlements"))
    for st in qs[:MAX_ROWS].select_related("table"):
        order = st.order
        data.append([order.display_number or order.pk, str(order.requesting_unit), order.departure_date.isoformat(),
                     order.return_date.isoformat(), timezone.localtime(st.settled_at).strftime("%Y-%m-%d %H:%M"),
                     _f(st.advance), _f(st.final), _f(st.difference), to_riel(st.final, st.riel_per_usd),
                     _f(st.riel_per_usd), _("yes") if st.table.is_demo else _("no")])
    return data


def register_dataset(issuer, year, qs) -> tablib.Dataset:
    headers = [_("Number"), _("Issued on"), _("State"), _("Requesting unit"), _("Travellers"), _("Destinations"),
               _("Departure"), _("Return")]
    data = tablib.Dataset(headers=[str(h) for h in headers], title=f"{issuer.code} {year}")
    ids = list(qs.values_list("id", flat=True)[:MAX_ROWS])
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = {r["id"]: r for r in register_rows(MissionOrder.objects.filter(pk__in=chunk))}
        for key in chunk:
            r = rows[key]
            data.append([r["label"], timezone.localdate(r["issued_at"]).isoformat() if r["issued_at"] else "",
                         r["state_label"], r["unit"], r["people"], r["places"], r["departure_date"].isoformat(),
                         r["return_date"].isoformat()])
    return data


def report_dataset(report, scope_unit) -> tablib.Dataset:
    headers = [_("Order"), _("Requesting unit"), _("Destination"), _("Departure"), _("Return"), _("Travellers"),
               _("Traveller-days"), _("Estimate (USD)"), _("Actual (USD)"), _("Overdue")]
    title = f"{report.year}-{report.month:02d}"
    data = tablib.Dataset(headers=[str(h) for h in headers], title=title)
    for f in report.missions:
        data.append([f.order.display_number, str(f.unit), str(f.province) if f.province else _("Abroad"),
                     f.departure_date.isoformat(), f.return_date.isoformat(), f.travellers, f.traveller_days,
                     _f(f.estimate), _f(f.actual), _("yes") if f.overdue else ""])
    totals = report.totals
    data.append([_("Total"), str(scope_unit) if scope_unit else _("Ministry of Civil Service"), "", "", "", "",
                 totals.get("traveller_days") or 0, _f(totals.get("estimate")), _f(totals.get("actual")), ""])
    return data
