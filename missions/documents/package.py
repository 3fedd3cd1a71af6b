"""The return package (B.3): one PDF for GDAF's file — the order as issued, every stamped visa
sheet (traveller by traveller, leg by leg), the report, and the report's attachment."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter

from ..models import LegStamp, MissionOrder, OrderDocument
from ..uploads import check_upload  # noqa: F401  (registers the HEIC opener when available)
from .render import break_html, render_html_document, render_pdf

A4_INCHES = (8.27, 11.69)


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


def image_to_pdf(data: bytes) -> bytes:
    """One A4-sized PDF page showing the image (photo orientation from EXIF applied)."""
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        dpi = max(img.width / A4_INCHES[0], img.height / A4_INCHES[1], 72)
        out = io.BytesIO()
        img.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def _append_file(writer: PdfWriter, field) -> int:
    """Append a stored upload (PDF or image) to ``writer``; returns the number of pages added."""
    with field.open("rb") as fh:
        data = fh.read()
    if data[:5] != b"%PDF-":
        data = image_to_pdf(data)
    reader = PdfReader(io.BytesIO(data), strict=False)
    writer.append(reader)
    return len(reader.pages)


def report_pdf(order: MissionOrder, stamps) -> bytes:
    with translation.override("km"):
        html = render_to_string(
            "missions/documents/report.html",
            {"order": order, "stamps": stamps, "now": timezone.localtime()},
        )
    return render_html_document(break_html(html), stylesheets=[]).write_pdf()


def return_package(order: MissionOrder) -> bytes:
    stamps = list(
        LegStamp.objects.filter(traveller__order=order)
        .exclude(scan="")
        .select_related("traveller__official", "leg__from_province", "leg__to_province")
        .order_by("traveller__sort", "traveller__id", "leg__seq")
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(latest_order_pdf(order)), strict=False))
    for stamp in stamps:
        _append_file(writer, stamp.scan)
    writer.append(PdfReader(io.BytesIO(report_pdf(order, stamps)), strict=False))
    if order.report_file:
        _append_file(writer, order.report_file)
    writer.add_metadata({"/Title": f"Return package {order.year}-{order.number or 0:03d}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
