"""PDFs of the finance office, to the order's document standards: A4, the Kingdom's heading, Khmer OS
fonts (Muol Light for headings), Khmer digits, the Khmer and solar date lines, Khmer word breaks.
Rendered on request (a page or a few pages: well under a second)."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from khmer.calendar import lunar_line
from khmer.dates import solar_date_line
from ministry.models import Unit
from missions.documents.render import break_html, capital, render_html_document

from .allowances import to_riel

PDF_ROWS = 2000  # a printable register or report of more rows is asked to be narrowed (by month)


def _pdf(template: str, context: dict) -> bytes:
    return render_html_document(_html(template, context)).write_pdf()


def _html(template: str, context: dict) -> str:
    today = timezone.localdate()
    gdaf = Unit.objects.filter(receives_returns=True).order_by("pk").first()
    context = {"lunar": lunar_line(today), "solar": f"{capital('km')} {solar_date_line(today)}", "gdaf": gdaf,
               **context}
    with translation.override("km"):
        return break_html(render_to_string(template, context))


def settlement_pdf(settlement) -> bytes:
    return render_html_document(settlement_html(settlement)).write_pdf()


def settlement_html(settlement) -> str:
    order = settlement.order
    lines = [{**line, "riel": to_riel(line["total"], settlement.riel_per_usd)} for line in settlement.lines]
    return _html("finance/documents/settlement.html", {
        "s": settlement, "order": order, "lines": lines,
        "final_riel": to_riel(settlement.final, settlement.riel_per_usd),
        "advance_riel": to_riel(settlement.advance, settlement.riel_per_usd),
        "difference_riel": to_riel(abs(settlement.difference), settlement.riel_per_usd),
        "difference_abs": abs(settlement.difference),
    })


def register_pdf(issuer, year, rows, *, truncated: bool) -> bytes:
    return _pdf("finance/documents/register.html", {"issuer": issuer, "year": year, "rows": rows,
                                                     "truncated": truncated})


def report_pdf(report, scope_unit) -> bytes:
    return _pdf("finance/documents/report.html", {"r": report, "scope_unit": scope_unit})
