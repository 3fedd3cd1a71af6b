"""The official PDF of a mission order: the order (page 1) and one travel visa sheet per traveller.

``render_pdf(order, language)`` is pure: order in, PDF bytes out (tests, bench, return package);
``frozen_sheet(doc)`` is what a stored version prints. The work of the render task (claim a row,
store the file, record a failure, the sweeper) is ``missions.rendering``, next to the tasks.

Khmer has no spaces between words and Pango wraps only at break opportunities, so every
text node of the document passes through ``khmer.wordbreak.insert_breaks`` before layout.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import html as htmllib
import io
import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pydyf
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader
from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Page
from weasyprint.draw import draw_inline_level, draw_page
from weasyprint.formatting_structure.boxes import MarginBox, TableCellBox
from weasyprint.text.fonts import FontConfiguration

from khmer.calendar import lunar_line, lunar_line_en
from khmer.dates import solar_date_line, solar_date_line_en
from khmer.digits import khmer_digits_in_text, to_khmer_digits
from khmer.wordbreak import insert_breaks, join_words, name_breaks, strip_breaks
from ministry.models import HONORIFIC_EN, Unit

from ..models import Basis, Means, MissionOrder, OrderDocument, OrderLog, State
from .layout import Refit, continued, copy_tree, line_texts, only_line, set_line, walk
from .signing import sign_pdf

log = logging.getLogger(__name__)

TEMPLATE = "missions/documents/order.html"


def _words(language: str, message: str, context: str = "") -> str:
    """A word the documents print, from the catalogue in ``language`` (whatever the request's language)."""
    with translation.override(language):
        return translation.pgettext(context, message) if context else translation.gettext(message)


def capital(language: str) -> str:
    """Where a letter is dated: "រាជធានីភ្នំពេញ" in Khmer, "Phnom Penh" in English."""
    return _words(language, "Phnom Penh", "the place a letter is dated at")

def means_label(code: str, language: str) -> str:
    """How the paper names a means of travel: the catalogue's label, as on the screens."""
    if code not in Means.values:
        return code
    with translation.override(language):
        return str(Means(code).label)


# --- what goes on the paper ---------------------------------------------------------------


def verification_url(order: MissionOrder) -> str:
    return settings.SITE_URL + reverse("verify:order", args=[order.verification_token])


@functools.lru_cache(maxsize=64)
def qr_data_uri(url: str) -> str:
    # one per order URL, kept per process: a version rendered again (both languages, re-renders) reuses it
    # PNG, not SVG: one small image is cheaper to lay out and draw than a path of hundreds of modules
    # the quiet zone of the standard: 4 modules
    return segno.make(url, error="m").png_data_uri(scale=5, border=4)


def _date(d, en: bool) -> str:
    if d is None:
        return ""
    return solar_date_line_en(d) if en else solar_date_line(d)


def numeric_date(d, en: bool) -> str:
    """A date in figures for a narrow column: ``03/01/2027``, ``០៣/០១/២០២៧`` (printed unbroken)."""
    text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    return text if en else to_khmer_digits(text)


def _num(n: int, en: bool) -> str:
    return str(n) if en else to_khmer_digits(n)


def _honorific(official, en: bool) -> str:
    return HONORIFIC_EN.get(official.honorific, "") if en else official.get_honorific_display()


def _bare_name(official, en: bool) -> str:
    return official.name_latin if en else official.name_km


def _person(official, en: bool) -> str:
    return f"{_honorific(official, en)} {_bare_name(official, en)}".strip()


@dataclass
class TravellerLine:
    number: str
    name: str
    position: str
    unit: str
    person: str = ""
    """The name without the honorific: printed on one line, never broken."""


@dataclass
class LegRow:
    origin: str
    destination: str
    date: str
    date_short: str
    means: str
    language: str = "km"

    @property
    def departed(self) -> str:
        return f"Departed from {self.origin}" if self.language == "en" else join_words("ចេញដំណើរពី", self.origin)

    @property
    def arrived(self) -> str:
        return f"Arrived at {self.destination}" if self.language == "en" else join_words("មកដល់", self.destination)


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
    persons: list[str] = field(default_factory=list)
    """Personal names printed in the text (signer, approving leader): never broken inside."""
    revoked_on: str = ""

    @property
    def state(self) -> str:
        return State.REVOKED if self.revoked else State.ISSUED

    def to_content(self) -> dict:
        """The sheet as JSON-ready data (without the QR image, which is made again from the URL)."""
        data = asdict(self)
        data.pop("qr")
        return data

    @classmethod
    def from_content(cls, data: dict) -> "OrderSheet":
        data = dict(data)
        data["travellers"] = [TravellerLine(**t) for t in data.get("travellers", [])]
        data["legs"] = [LegRow(**leg) for leg in data.get("legs", [])]
        data["qr"] = ""
        return cls(**data)

    def unbroken(self) -> tuple[list[str], list[str], list[str]]:
        """(personal names, unit names, place names): the words the line breaker must not cut."""
        people = [t.person for t in self.travellers if t.person] + [p for p in self.persons if p]
        units = [self.issuer, *(t.unit for t in self.travellers), *self.copies_to]
        places = [*self.destinations, *(leg.origin for leg in self.legs), *(leg.destination for leg in self.legs)]
        return _unique(people), _unique(units), _unique(places)

    @property
    def verify_url_html(self):
        """The URL of the caption, breakable only after a "/", never inside the token: a U+200B after each
        "/" (what a ``<wbr>`` gives, without an element and a pseudo-element to lay out for each), a word
        joiner (U+2060) after each "-", where Pango would break. Neither is drawn or copied."""
        return mark_safe(htmllib.escape(self.verify_url).replace("/", "/\u200b").replace("-", "-\u2060"))

    def canonical_text(self) -> str:
        """The order in plain text (stored as PDF metadata: PDF text extraction garbles Khmer)."""
        lines = [self.number, self.issue_date, self.issuer_title]
        lines += [f"{t.number}. {t.name} — {t.position} — {t.unit}" for t in self.travellers]
        lines += [" · ".join(self.destinations), self.purpose, self.basis, self.departure, self.return_, self.means]
        lines += [self.signer_name, self.verify_url]
        return strip_breaks("\n".join(x for x in lines if x))


def typed(text: str, en: bool) -> str:
    """A value typed by a user, for the document: numbers in Khmer digits in a Khmer document."""
    return text if en or not text else khmer_digits_in_text(text)


def revocation(order: MissionOrder):
    """The log entry of the order's revocation, or None."""
    if order.state != State.REVOKED:
        return None
    return OrderLog.objects.filter(order=order, to_state=State.REVOKED).order_by("-created").first()


def revoked_on(order: MissionOrder):
    """The day the order was revoked, or None."""
    entry = revocation(order)
    return timezone.localdate(entry.created) if entry else None


def _basis(order: MissionOrder, en: bool) -> str:
    if order.basis == Basis.INVITATION:
        if en:
            return (f"Invitation letter from {order.invitation_sender}, No. {order.invitation_number}, "
                    f"dated {_date(order.invitation_date, en)}")
        return (f"{join_words('លិខិតអញ្ជើញពី', typed(order.invitation_sender, en))} "
                f"លេខ {typed(order.invitation_number, en)} "
                f"ចុះ{_date(order.invitation_date, en)}")
    leader = order.approval_leader
    if leader is None:
        return ""
    title = leader.position.title_en if en else leader.position.title_km
    note = f" ({typed(order.approval_note, en)})" if order.approval_note else ""
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
            person=_bare_name(t.official, en),
        )
        for i, t in enumerate(travellers, start=1)
    ]
    means = _unique(means_label(leg.means, lang) for leg in legs)
    # the places travelled to, without the place the mission starts from and returns to
    home = legs[0].origin(lang) if legs else None
    destinations = _unique(leg.destination(lang) for leg in legs if leg.destination(lang) != home)
    gdaf = Unit.objects.filter(receives_returns=True).order_by("pk").first()
    archive = _words(lang, "Archive", "the last copy of a letter")
    copies = _unique(
        [(t.unit_en or t.unit_km) if en else t.unit_km for t in travellers]
        + ([(gdaf.name_en if en else gdaf.name_km)] if gdaf else [])
        + [archive]
    )
    signer = order.signer
    purpose = (order.purpose_en or order.purpose_km) if en else typed(order.purpose_km, en)
    url = verification_url(order)
    return OrderSheet(
        language=lang,
        number=number,
        ministry=_words(lang, "Ministry of Civil Service"),
        issuer=unit.name_en if en else unit.name_km,
        issuer_title=(unit.issuer_title_en or unit.name_en) if en else (unit.issuer_title_km or unit.name_km),
        lunar_line=lunar_line_en(issued_on) if en else lunar_line(issued_on),
        solar_line=f"{capital(lang)}, {_date(issued_on, en)}" if en else f"{capital(lang)} {_date(issued_on, en)}",
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
        qr="",
        revoked=order.state == State.REVOKED,
        revoked_reason=typed(order.reason, en) if order.state == State.REVOKED else "",
        revoked_on=_date(revoked_on(order), en) if order.state == State.REVOKED else "",
        legs=[
            LegRow(
                origin=leg.origin(lang),
                destination=leg.destination(lang),
                date=_date(leg.travel_date, en),
                date_short=numeric_date(leg.travel_date, en),
                means=means_label(leg.means, lang),
                language=lang,
            )
            for leg in legs
        ],
        persons=[_bare_name(p, en) for p in (signer, order.approval_leader) if p is not None],
    )


# --- HTML and PDF --------------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]*>)")
_RAW = re.compile(r"<(style|script|title)\b", re.I)


NBSP = "\u00a0"


def _unbroken(text: str) -> str:
    """``text`` on one line: its spaces made no-break spaces (no other break opportunity is left in it:
    Khmer words break only where the word breaker puts a U+200B, and a run of digits and their
    separators not at all)."""
    return text.replace(" ", NBSP)


def _name_kinds(people, units, places, numbers=()):
    """The names the line breaker must not cut (escaped as in the HTML), each with how it is written,
    and one pattern finding them (longest first): place names break only at their own spaces, unit
    names only between whole words, order numbers never (no-break spaces); personal names never,
    not even where a name is wider than its cell (a span of class ``nb pn``: kept whole, never cut
    into characters)."""
    if not people and not units and not places and not numbers:
        return {}, None
    esc = functools.partial(htmllib.escape, quote=False)
    kinds = {esc(n): _unbroken(esc(n)) for n in numbers}
    kinds.update({esc(n): esc(n) for n in places})
    kinds.update({esc(n): name_breaks(esc(n)) for n in units})
    kinds.update({esc(n): f'<span class="nb pn">{esc(n)}</span>' for n in people})
    return kinds, re.compile("|".join(re.escape(n) for n in sorted(kinds, key=len, reverse=True)))


_MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
FIGURES = re.compile(
    "ថ្ងៃទី[០-៩]{1,2} ខែ[\u1780-\u17dd]+ ឆ្នាំ[០-៩]{4}"  # ថ្ងៃទី៣ ខែមករា ឆ្នាំ២០២៧
    rf"|\b[0-9]{{1,2}} (?:{_MONTHS_EN}) [0-9]{{4}}\b"  # 3 January 2027
    r"|[0-9០-៩]+(?:(?:[/.,:\-]|[ \u00a0\u202f](?=[0-9០-៩]{3}(?![0-9០-៩])))[0-9០-៩]+)*"  # ០៣/០១/២០២៧, ៥ ០៦០ ០០០
)
"""Dates and numbers: printed on one line, never broken inside (a date in letters as a whole)."""


def _breaks(text: str) -> str:
    """Word breaks in ``text`` (escaped HTML), none inside a date or a number (their spaces made
    no-break spaces: text, not an element, so the layout has no box more to build)."""
    out, last = [], 0
    for m in FIGURES.finditer(text):
        out.append(insert_breaks(text[last:m.start()]))
        out.append(_unbroken(m.group(0)))
        last = m.end()
    out.append(insert_breaks(text[last:]))
    return "".join(out)


def _protect(text: str, kinds: dict, pattern) -> str:
    """Word breaks in ``text`` (escaped HTML), except inside the names of ``kinds``, which are written
    as ``kinds`` says, and inside dates and numbers (see ``_breaks``)."""
    if pattern is None:
        return _breaks(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(_breaks(text[last:m.start()]))
        out.append(kinds[m.group(0)])
        last = m.end()
    out.append(_breaks(text[last:]))
    return "".join(out)


def _khmer(values, exclude=()):
    return [v for v in values if v and v not in exclude and _is_khmer(v)]


def break_html(html: str, people=(), units=(), places=(), numbers=()) -> str:
    """Insert Khmer word breaks into the text between tags (not into tags, styles or the title);
    personal, unit and place names are never cut inside a word, and ``numbers`` (the order number),
    dates and figures never at all (see ``_protect``)."""
    people = _khmer(people)
    units = _khmer(units, people)
    places = _khmer(places, [*people, *units])
    numbers = [n for n in numbers if n and " " in n]  # "លេខ ០០៣ ស.ជ.ណ": its spaces are no break either
    kinds, pattern = _name_kinds(people, units, places, numbers)
    done: dict[str, str] = {}  # the labels and values repeated on every visa sheet are broken once
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
            if part not in done:
                done[part] = _protect(part, kinds, pattern)
            out.append(done[part])
    return "".join(out)


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (for the page margin boxes)."""
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def folio_css(sheet: OrderSheet) -> str:
    """The page margin boxes of every page: the order number and "ទំព័រ ១/២" (Khmer digits in Khmer)."""
    number = _css_string(strip_breaks(sheet.number))
    if sheet.language == "en":
        page = '"Page " counter(page) "/" counter(pages)'
    else:
        page = '"ទំព័រ " counter(page, khmer) "/" counter(pages, khmer)'
    return f"@page {{ @bottom-left {{ content: {number}; }} @bottom-right {{ content: {page}; }} }}"


def sheet_html(sheet: OrderSheet) -> str:
    """The HTML WeasyPrint lays out for ``sheet``, Khmer word breaks included."""
    if not sheet.qr:
        sheet = replace(sheet, qr=qr_data_uri(sheet.verify_url))
    with translation.override(sheet.language):
        html = render_to_string(
            TEMPLATE, {"s": sheet, "en": sheet.language == "en", "folio_css": folio_css(sheet)}
        )
    return break_html(html, *sheet.unbroken(), numbers=[sheet.number])


def document_html(order: MissionOrder, language: str = "km") -> str:
    """The HTML WeasyPrint lays out, Khmer word breaks included."""
    return sheet_html(order_sheet(order, language))


_fonts = None
_css = None
PRINT_CSS = "static/css/order-print.css"


def _font_config():
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
    return _fonts


def order_stylesheet():
    """The print CSS of the order, parsed once per process."""
    global _css
    if _css is None:
        _css = CSS(filename=str(settings.BASE_DIR / PRINT_CSS), font_config=_font_config())
    return _css


def _is_khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


def _install_actual_text():
    """Khmer that copies and searches as typed: every line of Khmer text is drawn inside a marked
    span carrying its text as ``/ActualText`` (ISO 32000 14.9.4), once per process.

    WeasyPrint's ToUnicode map gives one glyph per cluster and reorders them: a coeng stack or a
    pre-base vowel comes back garbled from ``pdftotext`` or a reader's copy. Text extractors that
    honour ``/ActualText`` (poppler, Acrobat) take the span's text instead of the glyphs'. The no-break
    spaces that keep a date or a number on one line (see ``_unbroken``) copy as the spaces typed."""
    import pydyf
    import weasyprint.draw as draw

    if getattr(draw.draw_text, "actual_text", False):
        return
    glyphs_only = draw.draw_text

    def draw_text(stream, textbox, *args, **kwargs):
        text = strip_breaks(textbox.text)
        if not _is_khmer(text) and NBSP not in text:
            return glyphs_only(stream, textbox, *args, **kwargs)
        actual = pydyf.String(text.replace(NBSP, " "))
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": actual}))
        try:
            return glyphs_only(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text.actual_text = True
    draw.draw_text = draw_text


def _install_parser_cache():
    """WeasyPrint's HTML parser (tinyhtml5 2.1.0) means to keep one compiled pattern per set of stop
    characters, but files each under the pattern instead of the characters, so every ``chars_until``
    call (one per run of text or attribute value) rebuilds its pattern: half of the parsing time of an
    order. Filing the pattern under the key the parser looks up makes the lookup hit; the parse and its
    result are otherwise the library's own (the same tree, tested)."""
    import re

    from tinyhtml5 import inputstream

    stream = inputstream.HTMLUnicodeInputStream
    if getattr(stream.chars_until, "keyed", False):
        return
    chars_until = stream.chars_until
    patterns = inputstream.characters_until_regex

    def keyed_chars_until(self, characters, opposite=False):
        key = (characters, opposite)
        if key not in patterns:
            chars = "".join(f"\\x{ord(ch):02x}" for ch in characters)
            patterns[key] = re.compile(f"[{chars}]+" if opposite else f"[^{chars}]+")
        return chars_until(self, characters, opposite)

    keyed_chars_until.keyed = True
    keyed_chars_until.__wrapped__ = chars_until
    stream.chars_until = keyed_chars_until


_writing = contextvars.ContextVar("pdf_write", default=None)


def _install_single_serialization():
    """Each PDF stream serialized and compressed once per file, not twice.

    pydyf (0.13) computes a stream's bytes (joined operators, then zlib level 9) every time its
    ``data`` is read, and ``PDF.write`` reads every object's twice when the file has an identifier
    (which PDF/A requires): once to write it, once more for the MD5 of the identifier. Inside
    ``PDF.write`` a stream's bytes are now kept after the first reading; nothing changes a stream
    while it is written, so the file is byte for byte the same (tested), in about 10 ms less."""
    import pydyf

    if getattr(pydyf.PDF.write, "single_serialization", False):
        return
    serialize = pydyf.Stream.data.fget
    write = pydyf.PDF.write

    def data(self):
        kept = _writing.get()
        if kept is None:
            return serialize(self)
        entry = kept.get(id(self))
        if entry is None:
            entry = kept[id(self)] = (self, serialize(self))  # the stream is held: its id stays its own
        return entry[1]

    def write_once(self, *args, **kwargs):
        token = _writing.set({})
        try:
            return write(self, *args, **kwargs)
        finally:
            _writing.reset(token)

    write_once.single_serialization = True
    write_once.__wrapped__ = write
    pydyf.Stream.data = property(data)
    pydyf.PDF.write = write_once


UA_EVERY_ELEMENT = (
    ("\n::marker {", "\nli::marker {"),  # the markers of list items: the only elements with one here
    *((f"\n::{name} {{", f"\n:not(*)::{name} {{") for name in (
        "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback")),  # no notes here
)
"""The rules of WeasyPrint's user-agent stylesheet that give every element of a document a pseudo-element
(a ``::marker``, five kinds of note), each with what the documents need of it."""

_ua = None


def _user_agent_stylesheet():
    """WeasyPrint's own HTML user-agent stylesheet, with the pseudo-elements every element would get
    (see ``UA_EVERY_ELEMENT``) kept to the elements that have them.

    Each of those six rules matches every element, and WeasyPrint computes a style for each pseudo-element
    a rule matches, whether it is ever laid out or not: six styles more for each of the ~300 elements of an
    order, two fifths of its cascade. The layout and the PDF are the same (tested); a library update
    that changes these rules fails here rather than going unnoticed."""
    global _ua
    if _ua is None:
        import weasyprint

        text = (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text(encoding="utf-8")
        for old, new in UA_EVERY_ELEMENT:
            if text.count(old) != 1:
                raise RuntimeError(f"WeasyPrint's user-agent stylesheet has changed: {old.strip()!r}")
            text = text.replace(old, new)
        _ua = CSS(string=text, font_config=_font_config())
    return _ua


class _Document(HTML):
    """An HTML document laid out with the documents' user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [_user_agent_stylesheet()]


def render_html_document(html: str, stylesheets=None):
    """Lay ``html`` out with WeasyPrint (the layout tree is what tests inspect); the order's
    print CSS unless other ``stylesheets`` are given (``[]`` for none)."""
    _install_actual_text()
    _install_parser_cache()
    _install_single_serialization()
    if stylesheets is None:
        stylesheets = [order_stylesheet()]
    return _Document(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=stylesheets, font_config=_font_config()
    )


# --- one visa sheet laid out for every traveller -----------------------------------------------

_SECTION = re.compile(r'<section class="visa" data-sheet="\d+">.*?</section>\n*', re.S)
_SLOT = re.compile(r'<td[^>]*\bdata-slot="(\w+)"[^>]*>(.*?)</td>', re.S)
_PIECE = re.compile(r"<span[^>]*>([^<]*)</span>|([^<]+)")
_HEAD = re.compile(r'<h1[^>]*\bdata-head="([^"]*)"')
_SPACES = re.compile(r"[ \t\n\r\f]+")


def _slots(section: str) -> tuple[str, dict[str, list[str]]]:
    """(the bookmark of a visa sheet, its traveller's lines): each ``data-slot`` cell's text as laid out,
    one string per piece (plain text or a ``<span>``), spaces collapsed as in CSS."""
    head = _HEAD.search(section)
    if head is None:
        raise Refit("a visa sheet without its heading")
    slots = {}
    for name, inner in _SLOT.findall(section):
        if _PIECE.sub("", inner):
            raise Refit(f"markup in the {name} line")
        pieces = [_SPACES.sub(" ", span or text) for span, text in _PIECE.findall(inner)]
        if pieces:
            pieces[0], pieces[-1] = pieces[0].lstrip(" "), pieces[-1].rstrip(" ")
        slots[name] = [htmllib.unescape(p) for p in pieces]
    return htmllib.unescape(head.group(1)), slots


def _folio(sheet: OrderSheet, page: int, pages: int) -> str:
    """The text of the "ទំព័រ ១/២" margin box (``folio_css``)."""
    if sheet.language == "en":
        return f"Page {page}/{pages}"
    return f"ទំព័រ {to_khmer_digits(page)}/{to_khmer_digits(pages)}"


def _page_lines(page_box, sheet, page: int, pages: int, expected: int | None = None) -> dict:
    """The boxes that set the folio of ``page_box`` to ``page``/``pages`` (checking first that it reads
    ``page``/``expected``, as laid out)."""
    folio = [m for m in page_box.children if isinstance(m, MarginBox) and m.at_keyword == "@bottom-right"]
    if len(folio) != 1:
        raise Refit("a page without its folio")
    margin = folio[0]
    line = only_line(margin)
    if expected is not None and line_texts(line) != [_folio(sheet, page, expected)]:
        raise Refit(f"folio {line_texts(line)!r}")
    new = _folio(sheet, page, pages)
    if line_texts(line) == [new]:
        return {}
    right = margin.position_x + margin.width
    replaced = set_line(line, [new], left=page_box.content_box_x(), right=right, align="right")
    if abs(margin.width - line.width) < 1e-6:  # the margin box is as wide as its text: it moves with it
        box = margin.copy()
        box.children = [replaced[id(line)]]
        box.position_x, box.width = replaced[id(line)].position_x, replaced[id(line)].width
        replaced[id(margin)] = box
    return replaced


def lay_out_sheet(sheet: OrderSheet, html: str | None = None):
    """The laid-out pages of ``sheet`` (a WeasyPrint document): the order, then each traveller's visa
    sheet. When the first traveller's sheet takes one page and every other traveller's lines take the
    place of the first one's (``missions.documents.layout``), that page is laid out once and copied
    with each traveller's lines, and what the sheets share is drawn once (``_SheetPage``); otherwise
    every sheet is laid out."""
    html = html if html is not None else sheet_html(sheet)
    if len(sheet.travellers) > 1:
        try:
            return _lay_out_once(sheet, html)
        except Refit as why:
            log.debug("visa sheets laid out one by one: %s", why)
    return render_html_document(html)


def _path(root, box) -> list:
    """The boxes from ``root`` down to ``box``, both included."""
    if root is box:
        return [root]
    for child in getattr(root, "children", ()):
        found = _path(child, box)
        if found:
            return [root, *found]
    return []


def _lay_out_once(sheet: OrderSheet, html: str):
    sections = list(_SECTION.finditer(html))
    if len(sections) != len(sheet.travellers):
        raise Refit("not one visa sheet per traveller")
    heads_slots = [_slots(m.group(0)) for m in sections]
    first = html[: sections[1].start()] + html[sections[-1].end():]
    document = render_html_document(first)
    pages = document.pages
    order_pages = len(pages) - 1
    sheet_page = pages[-1]._page_box
    on_pages = [i for i, page in enumerate(pages) for box in walk(page._page_box)
                if getattr(box, "element", None) is not None and box.element.get("data-sheet")]
    if set(on_pages) != {order_pages}:
        raise Refit("the first visa sheet does not take one page of its own")
    cells = {box.element.get("data-slot"): box for box in walk(sheet_page)
             if isinstance(box, TableCellBox) and box.element is not None and box.element.get("data-slot")}
    head, slots = heads_slots[0]
    if set(cells) != set(slots):
        raise Refit("the traveller's lines are not all laid out")
    lines = {name: only_line(cell) for name, cell in cells.items()}
    if any(line_texts(lines[name]) != slots[name] for name in slots):
        raise Refit("the laid-out lines are not the traveller's")
    heading = [box for box in walk(sheet_page) if getattr(box, "bookmark_label", None) == head]
    if len(heading) != 1:
        raise Refit("the sheet's bookmark")
    section = next(box for box in walk(sheet_page)
                   if getattr(box, "element", None) is not None and box.element.get("data-sheet"))
    path = _path(sheet_page.children[0], section)[:-1]  # the blocks around the sheet (the sheet ends here)
    bottom = sheet_page.content_box_y() + sheet_page.height
    total = order_pages + len(sheet.travellers)
    new_pages = [
        _page_with(page, copy_tree(page._page_box, _page_lines(page._page_box, sheet, n, total, expected=len(pages))))
        for n, page in enumerate(pages[:-1], start=1)
    ]
    for k, (head_k, slots_k) in enumerate(heads_slots):
        n = order_pages + 1 + k
        replaced = _page_lines(sheet_page, sheet, n, total, expected=len(pages) if k == 0 else None)
        for name, cell in cells.items():
            if slots_k[name] != slots[name]:
                replaced.update(set_line(lines[name], slots_k[name], left=cell.content_box_x(),
                                         right=cell.content_box_x() + cell.width))
        if k < len(heads_slots) - 1:  # the document goes on: the blocks around the sheet reach the page's end
            replaced.update(continued(path, bottom))
        if head_k != head:
            box = heading[0].copy()
            box.bookmark_label = head_k
            replaced[id(heading[0])] = box
        new_pages.append(_page_with(pages[-1], copy_tree(sheet_page, replaced), {head: head_k}))
    pages = new_pages
    # the skeleton is drawn once for all sheets: only where the sheets differ in nothing drawn but their own
    # lines (no REVOKED mark over them; the blocks around the sheet, taller on all but the last page, unpainted)
    if not sheet.revoked and all(_unpainted(box.background) for box in path):
        skeleton = _Skeleton(copy_tree(sheet_page, {id(box): _emptied(box) for box in _own_lines(sheet_page)}))
        pages[order_pages:] = [_SheetPage(page, skeleton) for page in pages[order_pages:]]
    return document.copy(pages)


def _page_with(page: Page, page_box, labels: dict | None = None) -> Page:
    """``page`` with another box tree whose boxes are where ``page``'s are (only lines of text set again),
    so its links, anchors and bookmarks are ``page``'s, bookmarks relabelled as ``labels`` says."""
    new = copy.copy(page)
    new._page_box = page_box
    new.links, new.anchors = list(page.links), dict(page.anchors)
    new.forms = {form: list(inputs) for form, inputs in page.forms.items()}
    new.bookmarks = list(page.bookmarks)
    if labels:
        new.bookmarks = [(level, labels.get(label, label), target, state)
                         for level, label, target, state in page.bookmarks]
    return new


def _unpainted(background) -> bool:
    return background is None or (background.color.alpha == 0 and all(layer.image is None
                                                                       for layer in background.layers))


def _own_lines(page_box) -> list:
    """The boxes holding a visa sheet's own lines: the traveller's cells and the folio's margin box."""
    return [box for box in walk(page_box)
            if (isinstance(box, TableCellBox) and box.element is not None and box.element.get("data-slot"))
            or (isinstance(box, MarginBox) and box.at_keyword == "@bottom-right")]


def _emptied(box):
    new = box.copy()
    new.children = []
    return new


class _Skeleton:
    """What every traveller's visa sheet draws alike (all but the traveller's lines and the folio): drawn
    once per file as a form, which each sheet's page draws before its own lines."""

    def __init__(self, page_box):
        self.page_box = page_box
        self._form = None

    def form(self, stream):
        resources = stream._resources  # the file's: a form is drawn again for another file
        if self._form is None or self._form[0] is not resources:
            page = self.page_box
            form = stream.clone(
                resources=pydyf.Dictionary({
                    "ExtGState": pydyf.Dictionary(), "XObject": pydyf.Dictionary(), "Pattern": pydyf.Dictionary(),
                    "Shading": pydyf.Dictionary(), "ColorSpace": resources["ColorSpace"],
                    "Font": None,  # WeasyPrint fills in the file's fonts
                }),
                extra=pydyf.Dictionary({
                    "Type": "/XObject", "Subtype": "/Form",
                    "BBox": pydyf.Array((0, 0, page.margin_width(), page.margin_height())),
                }),
            )
            form.id = f"x{len(resources['XObject'])}"
            resources["XObject"][form.id] = form
            draw_page(page, form)
            self._form = (resources, form)
        return self._form[1]


class _SheetPage(Page):
    """A traveller's visa sheet: laid out as ``page`` (what the tests and bookmarks read), drawn as the
    sheets' skeleton and this sheet's own lines (the same marks on paper, tested pixel for pixel)."""

    def __init__(self, page: Page, skeleton: _Skeleton):
        self.__dict__.update(page.__dict__)
        self.skeleton = skeleton
        self.lines = [line for box in _own_lines(page._page_box) for line in box.children]

    def paint(self, stream, scale=1):
        form = self.skeleton.form(stream)
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            stream.draw_x_object(form.id)
            for line in self.lines:
                draw_inline_level(stream, self._page_box, line)


def render_pdf(order: MissionOrder, language: str = "km") -> bytes:
    """The PDF of ``order`` in ``language`` ("km" or "en") as it stands now: the order, then one visa
    sheet per traveller."""
    return render_sheet_pdf(order_sheet(order, language))


def render_sheet_pdf(sheet: OrderSheet) -> bytes:
    """The PDF of one version: everything printed comes from ``sheet``."""
    document = lay_out_sheet(sheet)
    meta = document.metadata
    title = _words(sheet.language, "Mission order")
    meta.title = strip_breaks(f"{title} {sheet.number}")
    meta.description = strip_breaks(sheet.purpose)
    meta.authors = [strip_breaks(sheet.issuer)]
    meta.keywords = [sheet.verify_url]
    canonical = json.dumps(
        {"number": strip_breaks(sheet.number), "state": sheet.state, "text": sheet.canonical_text()},
        ensure_ascii=False,
        indent=1,
    )
    meta.attachments = [Attachment(string=canonical, base_url=None, name="order.json", description="canonical text")]
    # archival (PDF/A-3b: XMP metadata, sRGB output intent, the canonical text attached), then signed by the issuer
    pdf = document.write_pdf(pdf_variant="pdf/a-3b")
    return sign_pdf(pdf, reason=strip_breaks(f"{title} {sheet.number}"), location=capital("en"))


# --- frozen versions -------------------------------------------------------------------------


def frozen_sheet(doc: OrderDocument) -> OrderSheet:
    """What version ``doc`` prints, stored with it the first time it is rendered.

    The order's facts (names, honorifics, positions, units, places, dates) are those of its first
    rendered version, in both languages, so a re-render after someone's name changed prints the
    same text under the same number. The state is the version's own: only a version asked for at or
    after the revocation carries the REVOKED mark, with the date and reason."""
    if doc.content.get(doc.language):
        return OrderSheet.from_content(doc.content[doc.language])
    order = doc.order
    first = (
        OrderDocument.objects.filter(order=order).exclude(pk=doc.pk).exclude(content={})
        .order_by("created", "pk").first()
    )
    facts = dict(first.content) if first is not None else {}
    for lang in ("km", "en"):
        if lang not in facts:
            facts[lang] = order_sheet(order, lang).to_content()
    log_entry = revocation(order)
    when = timezone.localdate(log_entry.created) if log_entry else None
    revoked = doc.reason == OrderDocument.Reason.REVOKED or (
        log_entry is not None and doc.created >= log_entry.created
    )
    content = {}
    for lang, data in facts.items():
        en = lang == "en"
        data = dict(data)
        data["revoked"] = revoked
        data["revoked_reason"] = typed(order.reason, en) if revoked else ""
        data["revoked_on"] = _date(when, en) if revoked and when else ""
        content[lang] = data
    OrderDocument.objects.filter(pk=doc.pk).update(content=content)
    doc.content = content
    return OrderSheet.from_content(content[doc.language])


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)

