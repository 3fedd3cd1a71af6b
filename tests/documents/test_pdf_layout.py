"""The PDF itself: pages, embedded fonts, lines inside the margins, and a QR code that scans."""

import dataclasses
import io
import subprocess

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image

from khmer.wordbreak import strip_breaks
from missions.documents.render import document_html, page_count, render_html_document, render_pdf
from missions.models import MissionOrder

LONG_PURPOSE = "".join(
    [
        "ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ",
        "ត្រួតពិនិត្យការអនុវត្តច្រកចេញចូលតែមួយនៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ",
        "ផ្សព្វផ្សាយគោលនយោបាយជាតិស្តីពីមុខងារសាធារណៈដល់មន្ត្រីរាជការគ្រប់លំដាប់ថ្នាក់",
        "សហការរៀបចំការប្រឡងជ្រើសរើសមន្ត្រីរាជការនិងការវាយតម្លៃសមិទ្ធកម្មប្រចាំឆ្នាំ",
    ]
    * 3
)
"""About 650 characters of Khmer without a single space."""


def _pdffonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "order.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.mark.django_db
def test_pdf_has_the_order_page_and_one_visa_sheet_per_traveller(issued, tmp_path):
    pdf = render_pdf(issued, "km")
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1 + 3
    fonts = _pdffonts(pdf, tmp_path)
    assert "Khmer-OS-Muol-Light" in fonts and "Khmer-OS-Siemreap" in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes " in line  # embedded, subset


@pytest.mark.django_db
def test_english_pdf_has_the_same_pages(cast, tmp_path):
    from tests.factories import make_order

    order = make_order(cast, state="issued", travellers=[cast.official, cast.colleague])
    pdf = render_pdf(order, "en")
    assert page_count(pdf) == 1 + 2
    assert "DejaVu-Sans" in _pdffonts(pdf, tmp_path)


@pytest.mark.khmer
@pytest.mark.django_db
def test_pdf_metadata_carries_the_canonical_text(issued):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render_pdf(issued, "km")))
    assert reader.metadata.title == f"លិខិតបញ្ជាបេសកកម្ម {issued.display_number}"
    assert reader.metadata.subject == issued.purpose_km
    attached = reader.attachments["order.json"][0].decode()
    assert issued.display_number in attached and issued.verification_token in attached


def _overflowing_lines(document):
    """Text lines whose right edge passes the right edge of the page's content box."""
    from weasyprint.formatting_structure import boxes

    bad = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width + 0.5  # half a CSS pixel of rounding
        left = page_box.content_box_x() - 0.5

        def walk(box):
            if isinstance(box, (boxes.LineBox, boxes.TextBox)):
                if box.position_x < left or box.position_x + box.margin_width() > right:
                    bad.append((number, type(box).__name__, round(box.position_x + box.margin_width() - right)))
            for child in getattr(box, "children", []):
                walk(child)

        walk(page_box)
    return bad


@pytest.mark.django_db
def test_no_line_runs_past_the_right_margin_with_a_very_long_khmer_purpose(issued):
    MissionOrder.objects.filter(pk=issued.pk).update(purpose_km=LONG_PURPOSE)
    issued.refresh_from_db()
    html = document_html(issued, "km")
    document = render_html_document(html)
    checked = sum(1 for _ in document.pages)
    assert checked >= 4
    assert _overflowing_lines(document) == []
    # the check can fail: the same document without the word breaks (and without the last-resort
    # wrapping of over-long words in cells) overflows
    from weasyprint import CSS

    from missions.documents.render import order_stylesheet

    unbroken = render_html_document(strip_breaks(html), stylesheets=[order_stylesheet(), CSS(string="td { overflow-wrap: normal }")])
    assert _overflowing_lines(unbroken)


@pytest.mark.django_db
def test_qr_code_opens_the_verification_page(issued, tmp_path):
    path = tmp_path / "order.pdf"
    path.write_bytes(render_pdf(issued, "km"))
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png")))
    found = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert found == [f"{settings.SITE_URL}/verify/{issued.verification_token}/"]


def test_qr_code_has_the_standard_quiet_zone_of_four_modules():
    import base64

    from missions.documents.render import qr_data_uri

    uri = qr_data_uri("https://portal.example/verify/abc-def/")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    scale = 5
    dark_rows = [y for y in range(image.height) if min(image.getpixel((x, y)) for x in range(image.width)) < 128]
    dark_cols = [x for x in range(image.width) if min(image.getpixel((x, y)) for y in range(image.height)) < 128]
    assert dark_rows[0] == 4 * scale and dark_cols[0] == 4 * scale
    assert image.height - 1 - dark_rows[-1] == 4 * scale


def _squash(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch != "\u200b")


@pytest.mark.khmer
@pytest.mark.django_db
def test_khmer_text_copies_as_typed(issued, tmp_path):
    """``pdftotext`` gives back the Khmer of the issued PDF as typed (coeng stacks and pre-base vowels in
    their order), from the ``/ActualText`` of each line: without it most of these phrases come back garbled."""
    from missions.documents.render import order_sheet

    sheet = order_sheet(issued, "km")
    path = tmp_path / "order.pdf"
    path.write_bytes(render_pdf(issued, "km"))
    text = _squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout)
    phrases = ["ព្រះរាជាណាចក្រកម្ពុជា", "លិខិតបញ្ជាបេសកកម្ម", "ទិដ្ឋាការធ្វើដំណើរ", "សេចក្តីបញ្ជាក់ ហត្ថលេខា និងត្រា",
               sheet.purpose, sheet.lunar_line, *(t.name for t in sheet.travellers), *sheet.destinations]
    assert [p for p in phrases if _squash(strip_breaks(p)) not in text] == []
    assert text.count(_squash("ទិដ្ឋាការធ្វើដំណើរ")) == 3  # each line once: the span replaces its glyphs


@pytest.mark.django_db
def test_dates_and_amounts_of_the_settlement_sheet_stay_on_one_line_inside_their_cells(cast):
    """The settlement sheet (finance) uses the same word breaks and print rules: its dates and amounts
    in Khmer digits stand on one line, inside their cells."""
    from datetime import date, timedelta
    from decimal import Decimal

    from finance import services as fs
    from finance.documents import settlement_html
    from finance.models import BudgetLine
    from khmer.digits import to_khmer_digits
    from missions import services as s
    from tests.documents import test_pagination as layout
    from tests.factories import make_order

    start = date.today() - timedelta(days=20)
    BudgetLine.objects.create(unit=cast.unit_a, fiscal_year=start.year, amount=Decimal("5000"))
    order = make_order(cast, state="returned", start=start)
    s.order_accept(order=order, by=cast.returns_clerk.user)
    settlement = fs.settlement_record(order=order, by=cast.returns_clerk.user, advance=Decimal("1234.5"))
    html = settlement_html(settlement)
    dates = {to_khmer_digits(f"{d:%d/%m/%Y}") for d in (order.departure_date, order.return_date)}
    assert all(d in html.replace("\u200b", "") for d in dates)
    document = render_html_document(html)
    assert layout.broken_dates(document, sorted(dates)) == []
    assert layout.ink_outside_cells(document) == []
    assert _overflowing_lines(document) == []


@pytest.mark.django_db
def test_the_html_parser_keeps_its_patterns_and_reads_the_same_tree(issued, monkeypatch):
    """The parser's pattern cache is keyed by the stop characters it is asked for (render.py,
    ``_install_parser_cache``): an order's HTML parses to the same tree with and without it."""
    from xml.etree import ElementTree

    import tinyhtml5
    from tinyhtml5 import inputstream

    html = document_html(issued, "km")
    render_html_document("<p>x</p>", stylesheets=[])  # installs the cache
    keyed = inputstream.HTMLUnicodeInputStream.chars_until
    assert keyed.keyed
    inputstream.characters_until_regex.clear()
    tree = ElementTree.tostring(tinyhtml5.parse(html))
    assert (("&", "<", "\u0000"), False) in inputstream.characters_until_regex  # text runs hit the cache
    monkeypatch.setattr(inputstream.HTMLUnicodeInputStream, "chars_until", keyed.__wrapped__)
    assert ElementTree.tostring(tinyhtml5.parse(html)) == tree


def test_each_stream_of_the_pdf_is_compressed_once_and_the_file_is_the_same(issued, monkeypatch):
    """``render._install_single_serialization``: pydyf reads every stream's bytes twice for a PDF/A
    (to write it, then for the file identifier); kept after the first reading, the file is the same."""
    import types
    import zlib

    import pydyf

    document = render_html_document(document_html(issued))  # installs it
    compressions = []

    def compressobj(level=-1):
        compressions.append(level)
        return zlib.compressobj(level=level)

    monkeypatch.setattr(pydyf, "zlib", types.SimpleNamespace(compressobj=compressobj, compress=zlib.compress))
    once = document.write_pdf(pdf_variant="pdf/a-3b")
    streams = len(compressions)
    monkeypatch.setattr(pydyf.PDF, "write", pydyf.PDF.write.__wrapped__)  # pydyf's own
    compressions.clear()
    twice = document.write_pdf(pdf_variant="pdf/a-3b")
    assert once == twice
    assert 0 < streams < len(compressions) <= 2 * streams  # pydyf alone: each stream twice but the last (the xref)


def _boxes(document):
    """Every box of ``document``'s pages: its kind, place, size and text (what the layout decided)."""
    out = []

    def walk(box, page):
        out.append((page, type(box).__name__, round(box.position_x, 2), round(box.position_y, 2),
                    round(box.width or 0, 2), round(box.height or 0, 2), getattr(box, "text", None)))
        for child in getattr(box, "children", ()):
            walk(child, page)

    for n, page in enumerate(document.pages):
        walk(page._page_box, n)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["km", "en"])
def test_the_documents_user_agent_stylesheet_lays_out_the_same_pages(cast, three_travellers, language):
    """The user-agent stylesheet without pseudo-elements on every element (render.py,
    ``_user_agent_stylesheet``) lays an order out box for box as WeasyPrint's own, markers included."""
    from weasyprint import HTML

    from missions.documents import render
    from tests.factories import make_order

    order = make_order(cast, state="issued", travellers=three_travellers, legs=3)
    html = document_html(order, language)
    ours = render_html_document(html)
    stock = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[render.order_stylesheet()], font_config=render._font_config()
    )
    assert len(ours.pages) == len(stock.pages) >= 4
    assert _boxes(ours) == _boxes(stock)
    assert any(kind == "TextBox" and text == "- " for _, kind, *_, text in _boxes(ours))  # the list's markers


def test_a_changed_user_agent_stylesheet_is_noticed(monkeypatch):
    """A WeasyPrint update that changes the rules the documents' stylesheet rewrites fails loudly."""
    from missions.documents import render

    monkeypatch.setattr(render, "_ua", None)
    monkeypatch.setattr(render, "UA_EVERY_ELEMENT", (("\n::no-such-pseudo-element {", "\n::x {"),))
    with pytest.raises(RuntimeError, match="user-agent stylesheet has changed"):
        render._user_agent_stylesheet()


@pytest.mark.django_db
def test_the_borderless_tables_lay_out_as_collapsed_ones(issued):
    """``table.fields`` and ``table.travellers`` have no borders: laid out with separate borders and no
    spacing (nothing for WeasyPrint to collapse), every box is where collapsed borders would put it."""
    from weasyprint import CSS

    from missions.documents.render import order_stylesheet

    html = document_html(issued)
    collapsed = CSS(string="table.fields, table.travellers { border-collapse: collapse }")
    assert _boxes(render_html_document(html)) == _boxes(
        render_html_document(html, stylesheets=[order_stylesheet(), collapsed]))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["km", "en"])
def test_the_caption_url_breaks_only_after_a_slash(issued, language):
    """The verification URL under the QR code wraps only after a "/", never inside the token (whose
    "-" Pango would otherwise break before)."""
    from weasyprint.formatting_structure import boxes

    from missions.documents.layout import walk
    from missions.documents.render import order_sheet, sheet_html

    sheet = order_sheet(issued, language)
    sheet = dataclasses.replace(sheet, verify_url=sheet.verify_url.rstrip("/")[:-12] + "ab-cd-ef-gh-ij/")
    document = render_html_document(sheet_html(sheet))
    caption = next(box for box in walk(document.pages[0]._page_box)
                   if getattr(box, "element", None) is not None and "verify-url" in (box.element.get("class") or "")
                   and isinstance(box, boxes.BlockBox))
    lines = ["".join(b.text for b in walk(line) if isinstance(b, boxes.TextBox)).replace("\u200b", "").replace("\u2060", "")
             for line in caption.children]
    assert "".join(lines) == sheet.verify_url
    assert len(lines) >= 2 and all(line.endswith("/") for line in lines)
