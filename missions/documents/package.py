"""The return package (B.3): one PDF for GDAF's file — the order as issued, every stamped visa
sheet (traveller by traveller, leg by leg), the report, and the report's attachment."""

from __future__ import annotations

import base64
import dataclasses
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import Image, ImageOps
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from common.uploads import check_upload  # noqa: F401  (registers the HEIC opener when available)
from khmer.calendar import lunar_line
from khmer.dates import solar_date_line
from khmer.digits import to_khmer_digits

from ..models import LegStamp, MissionOrder, OrderDocument
from .render import (
    break_html,
    capital,
    folio_css,
    numeric_date,
    order_sheet,
    render_html_document,
    render_pdf,
    typed,
)

A4_POINTS = (595.28, 841.89)
MAX_PIXELS = (2480, 3508)
"""A4 at 300 dpi: enough for any stamp, and a photo from a phone does not make the package huge."""


def latest_order_pdf(order: MissionOrder, language: str = "km") -> bytes:
    """The newest ready PDF of the order; rendered now when none is ready yet."""
    doc = (
        OrderDocument.objects.filter(order=order, language=language, status=OrderDocument.Status.READY)
        .exclude(file="")
        .order_by("-version")
        .first()
    )
    if doc is not None:
        with doc.file.open("rb") as fh:
            return fh.read()
    return render_pdf(order, language)


def image_data_uri(data: bytes) -> str:
    """The image as a data URI for the photo page (EXIF orientation applied, at most A4 at 300 dpi)."""
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.thumbnail(MAX_PIXELS)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def _fit_a4(page):
    """A page of an uploaded PDF, scaled and centred on an A4 page."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    scale = min(A4_POINTS[0] / width, A4_POINTS[1] / height)
    a4 = PageObject.create_blank_page(width=A4_POINTS[0], height=A4_POINTS[1])
    dx, dy = (A4_POINTS[0] - width * scale) / 2, (A4_POINTS[1] - height * scale) / 2
    a4.merge_transformed_page(page, Transformation().scale(scale).translate(dx, dy))
    return a4


def _read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def _context(order: MissionOrder):
    """What every page of the package prints: the order's letterhead values, dated today."""
    sheet = order_sheet(order, "km")
    today = timezone.localdate()
    return dataclasses.replace(sheet, lunar_line=lunar_line(today), solar_line=f"{capital('km')} {solar_date_line(today)}")


def _leg_text(stamp) -> str:
    leg = stamp.leg
    return f"ដំណើរទី{to_khmer_digits(leg.seq)}៖ {leg.origin('km')} → {leg.destination('km')}"


def _traveller_text(stamp) -> str:
    official = stamp.traveller.official
    return f"{official.get_honorific_display()} {official.name_km}"


def report_html(order: MissionOrder, stamps, sheet=None) -> str:
    """The report page (B.3): letterhead, the order's reference, each traveller's legs with the dates
    of departure and arrival, and the report text — Khmer digits and dates throughout."""
    sheet = sheet or _context(order)
    rows = [
        {
            "number": to_khmer_digits(i),
            "traveller": _traveller_text(st),
            "leg": _leg_text(st),
            # in figures: a date in letters does not fit its column on one line
            "departed": numeric_date(st.departed_on, False),
            "arrived": numeric_date(st.arrived_on, False),
        }
        for i, st in enumerate(stamps, start=1)
    ]
    with translation.override("km"):
        html = render_to_string(
            "missions/documents/report.html",
            {"s": sheet, "en": False, "rows": rows, "text": typed(order.report_text, False),
             "folio_css": folio_css(sheet)},
        )
    people = [st.traveller.official.name_km for st in stamps]
    return break_html(html, people, *sheet.unbroken()[1:], numbers=[sheet.number])


def report_pdf(order: MissionOrder, stamps, sheet=None) -> bytes:
    return render_html_document(report_html(order, stamps, sheet)).write_pdf()


def photos_pdf(photos, sheet) -> bytes:
    """One A4 page per photo, each with its caption."""
    with translation.override("km"):
        html = render_to_string("missions/documents/photos.html",
                                {"photos": photos, "folio_css": folio_css(sheet)})
    return render_html_document(break_html(html, *sheet.unbroken(), numbers=[sheet.number])).write_pdf()


def return_package(order: MissionOrder) -> bytes:
    """The order as issued, then traveller by traveller and leg by leg the stamped visa sheets (photos on
    A4 pages with a caption, PDF scans fitted to A4), the report, its attachment; bookmarks for each part."""
    stamps = list(
        LegStamp.objects.filter(traveller__order=order)
        .exclude(scan="")
        .select_related("traveller__official", "leg__from_province", "leg__to_province")
        .order_by("traveller__sort", "traveller__id", "leg__seq")
    )
    sheet = _context(order)
    scans = [(st, _read(st.scan)) for st in stamps]
    photos = [
        {"traveller": _traveller_text(st), "leg": _leg_text(st), "src": image_data_uri(data),
         "dates": f"ចេញដំណើរ {solar_date_line(st.departed_on)} · មកដល់ {solar_date_line(st.arrived_on)}"}
        for st, data in scans
        if data[:5] != b"%PDF-"
    ]
    photo_pages = iter(PdfReader(io.BytesIO(photos_pdf(photos, sheet))).pages) if photos else iter(())

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(latest_order_pdf(order)), strict=False), import_outline=False)
    writer.add_outline_item(title="លិខិតបញ្ជាបេសកកម្ម", page_number=0)
    parent, current = None, None
    for st, data in scans:
        first = len(writer.pages)
        if data[:5] == b"%PDF-":
            for page in PdfReader(io.BytesIO(data), strict=False).pages:
                writer.add_page(_fit_a4(page))
        else:
            writer.add_page(next(photo_pages))
        if st.traveller_id != current:
            current = st.traveller_id
            parent = writer.add_outline_item(title=_traveller_text(st), page_number=first)
        writer.add_outline_item(title=_leg_text(st), page_number=first, parent=parent)
    report_at = len(writer.pages)
    writer.append(PdfReader(io.BytesIO(report_pdf(order, stamps, sheet)), strict=False), import_outline=False)
    writer.add_outline_item(title="របាយការណ៍លទ្ធផលការងារ", page_number=report_at)
    if order.report_file:
        attached_at = len(writer.pages)
        data = _read(order.report_file)
        if data[:5] == b"%PDF-":
            for page in PdfReader(io.BytesIO(data), strict=False).pages:
                writer.add_page(_fit_a4(page))
        else:
            writer.append(PdfReader(io.BytesIO(photos_pdf([{"traveller": "ឯកសារភ្ជាប់", "leg": "", "dates": "",
                                                             "src": image_data_uri(data)}], sheet))),
                          import_outline=False)
        writer.add_outline_item(title="ឯកសារភ្ជាប់នៃរបាយការណ៍", page_number=attached_at)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": f"Return package {order.year}-{order.number or 0:03d}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
