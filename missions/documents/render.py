"""The official PDF of a mission order: the order (page 1) and one travel visa sheet per traveller.

``render_pdf(order, language)`` is pure: order in, PDF bytes out (tests, bench, return package).
``render_document(document_id)`` is the task body: claim one ``OrderDocument`` row, render,
store the file privately with its SHA-256, or record the failure — the order itself never
changes here. ``retry_pending()`` is the beat sweeper for rows left pending or failed.

Khmer has no spaces between words and Pango wraps only at break opportunities, so every
text node of the document passes through ``khmer.wordbreak.insert_breaks`` before layout.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from khmer.calendar import lunar_line, lunar_line_en
from khmer.dates import solar_date_line, solar_date_line_en
from khmer.digits import to_khmer_digits
from khmer.wordbreak import insert_breaks, strip_breaks

from ..models import Basis, MissionOrder, OrderDocument, State

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)
CLAIM_LEASE = timedelta(minutes=10)
"""A claimed row whose render has not finished after this long (a worker died) may be claimed again."""

TEMPLATE = "missions/documents/order.html"
CAPITAL_KM = "រាជធានីភ្នំពេញ"
CAPITAL_EN = "Phnom Penh"

MEANS_KM = {
    "ministry_car": "រថយន្តក្រសួង",
    "private_car": "រថយន្តផ្ទាល់ខ្លួន",
    "bus": "រថយន្តក្រុង",
    "plane": "យន្តហោះ",
    "boat": "ទូក",
    "train": "រថភ្លើង",
    "motorbike": "ម៉ូតូ",
}
MEANS_EN = {
    "ministry_car": "Ministry car",
    "private_car": "Private car",
    "bus": "Bus",
    "plane": "Plane",
    "boat": "Boat",
    "train": "Train",
    "motorbike": "Motorbike",
}


# --- what goes on the paper ---------------------------------------------------------------


def verification_url(order: MissionOrder) -> str:
    return settings.SITE_URL + reverse("verify:order", args=[order.verification_token])


def qr_data_uri(url: str) -> str:
    # PNG, not SVG: one small image is cheaper to lay out and draw than a path of hundreds of modules
    return segno.make(url, error="m").png_data_uri(scale=5, border=2)


def _date(d, en: bool) -> str:
    if d is None:
        return ""
    return solar_date_line_en(d) if en else solar_date_line(d)


def _short_date(d, en: bool) -> str:
    text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    return text if en else to_khmer_digits(text)


def _num(n: int, en: bool) -> str:
    return str(n) if en else to_khmer_digits(n)


def _honorific(official, en: bool) -> str:
    from ministry.models import HONORIFIC_EN

    return HONORIFIC_EN.get(official.honorific, "") if en else official.get_honorific_display()


def _person(official, en: bool) -> str:
    name = official.name_latin if en else official.name_km
    return f"{_honorific(official, en)} {name}".strip()


@dataclass
class TravellerLine:
    number: str
    name: str
    position: str
    unit: str


@dataclass
class LegRow:
    origin: str
    destination: str
    date: str
    date_short: str
    means: str


@dataclass
class OrderSheet:
    """Every printed value, already in the document's language."""

    language: str
    number: str
    ministry: str
    issuer: str
    issuer_title: str
    lunar_line: str
    solar_line: str
    travellers: list[TravellerLine]
    destinations: list[str]
    purpose: str
    basis: str
    departure: str
    return_: str
    means: str
    signer_title: str
    signer_name: str
    copies_to: list[str]
    verify_url: str
    qr: str
    revoked: bool
    revoked_reason: str
    legs: list[LegRow] = field(default_factory=list)
    issue_date: str = ""

    def canonical_text(self) -> str:
        """The order in plain text (stored as PDF metadata: PDF text extraction garbles Khmer)."""
        lines = [self.number, self.issue_date, self.issuer_title]
        lines += [f"{t.number}. {t.name} — {t.position} — {t.unit}" for t in self.travellers]
        lines += [" · ".join(self.destinations), self.purpose, self.basis, self.departure, self.return_, self.means]
        lines += [self.signer_name, self.verify_url]
        return strip_breaks("\n".join(x for x in lines if x))


def _basis(order: MissionOrder, en: bool) -> str:
    if order.basis == Basis.INVITATION:
        if en:
            return (f"Invitation letter from {order.invitation_sender}, No. {order.invitation_number}, "
                    f"dated {_date(order.invitation_date, en)}")
        return (f"លិខិតអញ្ជើញពី{order.invitation_sender} លេខ {order.invitation_number} "
                f"ចុះ{_date(order.invitation_date, en)}")
    leader = order.approval_leader
    if leader is None:
        return ""
    title = leader.position.title_en if en else leader.position.title_km
    note = f" ({order.approval_note})" if order.approval_note else ""
    if en:
        return f"Approval in principle of {_person(leader, en)}, {title}, given on {_date(order.approval_date, en)}{note}"
    return f"គោលការណ៍ឯកភាពពី{_person(leader, en)} {title} ចុះ{_date(order.approval_date, en)}{note}"


def _unique(values):
    seen, out = set(), []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def order_sheet(order: MissionOrder, language: str = "km") -> OrderSheet:
    from ministry.models import Unit

    en = language == "en"
    unit = order.issuing_unit
    issued_on = timezone.localdate(order.issued_at) if order.issued_at else timezone.localdate()
    travellers = list(order.travellers.select_related("official"))
    legs = list(order.legs.select_related("from_province", "to_province"))
    lang = "en" if en else "km"

    with translation.override(lang):
        number = order.display_number or ("No. —" if en else "លេខ —")
    people = [
        TravellerLine(
            number=_num(i, en),
            name=_person(t.official, en),
            position=(t.position_en or t.position_km) if en else t.position_km,
            unit=(t.unit_en or t.unit_km) if en else t.unit_km,
        )
        for i, t in enumerate(travellers, start=1)
    ]
    means = _unique((MEANS_EN if en else MEANS_KM).get(leg.means, leg.means) for leg in legs)
    destinations = _unique(leg.destination(lang) for leg in legs)
    gdaf = Unit.objects.filter(receives_returns=True).order_by("pk").first()
    archive = "Archive" if en else "ឯកសារ-កាលប្បវត្តិ"
    copies = _unique(
        [(t.unit_en or t.unit_km) if en else t.unit_km for t in travellers]
        + ([(gdaf.name_en if en else gdaf.name_km)] if gdaf else [])
        + [archive]
    )
    signer = order.signer
    purpose = (order.purpose_en or order.purpose_km) if en else order.purpose_km
    url = verification_url(order)
    return OrderSheet(
        language=lang,
        number=number,
        ministry="Ministry of Civil Service" if en else "ក្រសួងមុខងារសាធារណៈ",
        issuer=unit.name_en if en else unit.name_km,
        issuer_title=(unit.issuer_title_en or unit.name_en) if en else (unit.issuer_title_km or unit.name_km),
        lunar_line=lunar_line_en(issued_on) if en else lunar_line(issued_on),
        solar_line=f"{CAPITAL_EN}, {_date(issued_on, en)}" if en else f"{CAPITAL_KM} {_date(issued_on, en)}",
        issue_date=_date(issued_on, en),
        travellers=people,
        destinations=destinations,
        purpose=purpose,
        basis=_basis(order, en),
        departure=_date(order.departure_date, en),
        return_=_date(order.return_date, en),
        means=", ".join(means) if en else " / ".join(means),
        signer_title=(unit.issuer_title_en or unit.name_en) if en else (unit.issuer_title_km or unit.name_km),
        signer_name=_person(signer, en) if signer else "",
        copies_to=copies,
        verify_url=url,
        qr=qr_data_uri(url),
        revoked=order.state == State.REVOKED,
        revoked_reason=order.reason if order.state == State.REVOKED else "",
        legs=[
            LegRow(
                origin=leg.origin(lang),
                destination=leg.destination(lang),
                date=_date(leg.travel_date, en),
                date_short=_short_date(leg.travel_date, en),
                means=(MEANS_EN if en else MEANS_KM).get(leg.means, leg.means),
            )
            for leg in legs
        ],
    )


# --- HTML and PDF --------------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]*>)")
_RAW = re.compile(r"<(style|script|title)\b", re.I)


def break_html(html: str) -> str:
    """Insert Khmer word breaks into the text between tags (not into tags, styles or the title)."""
    out, raw = [], None
    for part in _TAG.split(html):
        if part.startswith("<"):
            m = _RAW.match(part)
            if m:
                raw = m.group(1).lower()
            elif raw and part.lower().startswith(f"</{raw}"):
                raw = None
            out.append(part)
        elif raw or not part.strip():
            out.append(part)
        else:
            out.append(insert_breaks(part))
    return "".join(out)


def document_html(order: MissionOrder, language: str = "km") -> str:
    """The HTML WeasyPrint lays out, Khmer word breaks included."""
    sheet = order_sheet(order, language)
    with translation.override(sheet.language):
        html = render_to_string(TEMPLATE, {"s": sheet, "en": sheet.language == "en"})
    return break_html(html)


_fonts = None
_css = None
PRINT_CSS = "static/css/order-print.css"


def _font_config():
    global _fonts
    if _fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        _fonts = FontConfiguration()
    return _fonts


def order_stylesheet():
    """The print CSS of the order, parsed once per process."""
    global _css
    if _css is None:
        from weasyprint import CSS

        _css = CSS(filename=str(settings.BASE_DIR / PRINT_CSS), font_config=_font_config())
    return _css


def render_html_document(html: str, stylesheets=None):
    """Lay ``html`` out with WeasyPrint (the layout tree is what tests inspect); the order's
    print CSS unless other ``stylesheets`` are given (``[]`` for none)."""
    from weasyprint import HTML

    if stylesheets is None:
        stylesheets = [order_stylesheet()]
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=stylesheets, font_config=_font_config()
    )


def render_pdf(order: MissionOrder, language: str = "km") -> bytes:
    """The PDF of ``order`` in ``language`` ("km" or "en"): the order, then one visa sheet per traveller."""
    from weasyprint import Attachment

    sheet = order_sheet(order, language)
    with translation.override(sheet.language):
        html = break_html(render_to_string(TEMPLATE, {"s": sheet, "en": sheet.language == "en"}))
    document = render_html_document(html)
    meta = document.metadata
    title = "Mission order" if sheet.language == "en" else "លិខិតបញ្ជាបេសកកម្ម"
    meta.title = strip_breaks(f"{title} {sheet.number}")
    meta.description = strip_breaks(sheet.purpose)
    meta.authors = [strip_breaks(sheet.issuer)]
    meta.keywords = [sheet.verify_url]
    canonical = json.dumps(
        {"number": strip_breaks(sheet.number), "state": order.state, "text": sheet.canonical_text()},
        ensure_ascii=False,
        indent=1,
    )
    meta.attachments = [Attachment(string=canonical, base_url=None, name="order.json", description="canonical text")]
    return document.write_pdf()


# --- the task body ---------------------------------------------------------------------------


def _claim(document_id: int) -> bool:
    """Take the row for this run: pending/failed, attempts left, no live claim. One UPDATE, so two runs
    cannot both win. While a render is under way ``rendered_at`` holds the claim time (the lease)."""
    now = timezone.now()
    return bool(
        OrderDocument.objects.filter(
            pk=document_id,
            status__in=(OrderDocument.Status.PENDING, OrderDocument.Status.FAILED),
            attempts__lt=MAX_ATTEMPTS,
        )
        .filter(Q(rendered_at__isnull=True) | Q(rendered_at__lt=now - CLAIM_LEASE))
        .update(status=OrderDocument.Status.PENDING, attempts=F("attempts") + 1, rendered_at=now, error="")
    )


def render_document(document_id: int) -> str:
    """Render one requested version of an order's PDF. Safe to run twice: a second run does nothing.

    Returns "ready", "failed" or "skipped". A failure is recorded on the row (status, error,
    attempts) for the order page and the sweeper; the order is left as it is.
    """
    if not _claim(document_id):
        return "skipped"
    doc = OrderDocument.objects.select_related("order", "order__issuing_unit").get(pk=document_id)
    started = time.perf_counter()
    try:
        pdf = render_pdf(doc.order, doc.language)
        return _store(document_id, pdf, round((time.perf_counter() - started) * 1000))
    except Exception as exc:  # a render or storage error is recorded on the row, not raised into the worker
        log.exception("rendering document %s failed", document_id)
        OrderDocument.objects.filter(pk=document_id).update(
            status=OrderDocument.Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
            rendered_at=None,
        )
        return "failed"


def _store(document_id: int, pdf: bytes, elapsed_ms: int) -> str:
    """Write the file (private storage, random name) and mark the row ready, or leave nothing behind."""
    with transaction.atomic():
        doc = OrderDocument.objects.select_for_update().get(pk=document_id)
        if doc.status != OrderDocument.Status.PENDING:  # pragma: no cover - someone else finished it
            return "skipped"
        doc.file.save(f"order-{doc.order_id}-v{doc.version}-{doc.language}.pdf", ContentFile(pdf), save=False)
        try:
            doc.sha256 = hashlib.sha256(pdf).hexdigest()
            doc.size = len(pdf)
            doc.render_ms = elapsed_ms
            doc.status = OrderDocument.Status.READY
            doc.rendered_at = timezone.now()
            doc.error = ""
            doc.save(update_fields=["file", "sha256", "size", "render_ms", "status", "rendered_at", "error"])
        except Exception:
            doc.file.storage.delete(doc.file.name)
            raise
    return "ready"


def retry_pending(now=None) -> int:
    """Queue again the renders left pending or failed for more than a minute with attempts left."""
    from ..tasks import render_order_document

    now = now or timezone.now()
    ids = list(
        OrderDocument.objects.filter(
            status__in=(OrderDocument.Status.PENDING, OrderDocument.Status.FAILED),
            attempts__lt=MAX_ATTEMPTS,
            created__lt=now - RETRY_AFTER,
        )
        .filter(Q(rendered_at__isnull=True) | Q(rendered_at__lt=now - CLAIM_LEASE))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        render_order_document.delay(pk)
    return len(ids)


def pdf_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)

