"""One visa sheet laid out for every traveller (``render.lay_out_sheet``, ``missions.documents.layout``).

The document printed must be the one WeasyPrint lays out in full: every box of every page in the same
place, of the same size, with the same text, the same bookmarks and links. The check runs over the
pagination grid (``test_pagination``) and the real order, in both languages; where a traveller's
lines do not take the first traveller's place, the whole document is laid out instead, and that is
checked too.
"""

from __future__ import annotations

import dataclasses
import subprocess

import pytest

from missions.documents import render
from missions.documents.layout import Refit, walk
from missions.documents.render import lay_out_sheet, order_sheet, render_html_document, sheet_html
from tests.documents.test_pagination import GRID, REPORTED, synthetic_sheet
from tests.factories import make_order

pytestmark = pytest.mark.django_db

_FIELDS = ("position_x", "position_y", "width", "height", "margin_top", "margin_right", "margin_bottom",
           "margin_left", "padding_top", "padding_bottom", "baseline", "text", "bookmark_label")


def laid_out(document) -> list:
    """Every box of every page (kind, element, place, size, text, bookmark), then each page's
    bookmarks, links and anchors: what WeasyPrint draws and writes."""
    out = []
    for n, page in enumerate(document.pages):
        for box in walk(page._page_box):
            element = getattr(box, "element", None)
            out.append((n, type(box).__name__, getattr(element, "tag", None),
                        *(getattr(box, name, None) for name in _FIELDS)))
        out.append((n, page.width, page.height, page.bookmarks, [link[:3] for link in page.links], page.anchors))
    return out


EXPECTED_REFITS = ("does not take one page of its own", "takes another line or height", "does not fit its box")


def differences(a: list, b: list) -> list:
    """Where two ``laid_out`` lists differ (places and sizes equal to a millionth of a pixel)."""
    def same(x, y):
        if isinstance(x, float) and isinstance(y, float):
            return abs(x - y) < 1e-6
        if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
            return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
        return x == y

    if len(a) != len(b):
        return [f"{len(a)} boxes against {len(b)}"]
    return [(x, y) for x, y in zip(a, b) if not same(x, y)][:3]


def _full(sheet):
    return render_html_document(sheet_html(sheet))


@pytest.fixture
def three_by_three(cast, three_travellers):
    return make_order(cast, state="issued", travellers=three_travellers, legs=3)


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_delegations_order_lays_one_sheet_out_for_all_and_prints_the_same_pages(three_by_three, language,
                                                                                 tmp_path):
    sheet = order_sheet(three_by_three, language)
    html = sheet_html(sheet)
    once = render._lay_out_once(sheet, html)  # no Refit: the three sheets share one layout
    full = render_html_document(html)
    assert len(once.pages) == len(full.pages) == 4
    assert differences(laid_out(once), laid_out(full)) == []
    names = [page.bookmarks[0][1] for page in once.pages[1:]]
    assert names == [f"{t.name} · {sheet.number}" for t in sheet.travellers]
    for name, document in (("once", once), ("full", full)):  # the same ink on paper, pixel for pixel
        (tmp_path / f"{name}.pdf").write_bytes(document.write_pdf())
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
    for page in range(1, 5):
        assert (tmp_path / f"once-{page}.png").read_bytes() == (tmp_path / f"full-{page}.png").read_bytes()
    text = [subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{name}.pdf"), "-"], check=True,
                           capture_output=True).stdout for name in ("once", "full")]
    assert text[0] == text[1]
    assert [type(page).__name__ for page in once.pages] == ["Page", "_SheetPage", "_SheetPage", "_SheetPage"]


def test_the_visa_sheets_draw_one_shared_form_and_their_own_lines(three_by_three):
    import io

    import pikepdf

    sheet = order_sheet(three_by_three, "km")
    with pikepdf.open(io.BytesIO(lay_out_sheet(sheet).write_pdf(pdf_variant="pdf/a-3b"))) as pdf:
        forms = [{name: xobject.objgen for name, xobject in page.Resources.XObject.items()
                  if xobject.Subtype == "/Form"} for page in pdf.pages[1:]]
        assert len({objgen for names in forms for objgen in names.values()}) == 1  # one skeleton for all sheets
        sheets = [page.Contents.read_bytes() for page in pdf.pages[1:]]
        assert all(len(own) < len(pdf.pages[0].Contents.read_bytes()) / 4 for own in sheets)


def test_a_revoked_delegations_sheets_are_drawn_whole_under_the_mark(cast, three_travellers):
    order = make_order(cast, state="issued", travellers=three_travellers, legs=3)
    sheet = dataclasses.replace(order_sheet(order, "km"), revoked=True, revoked_reason="x", revoked_on="y")
    html = sheet_html(sheet)
    once = render._lay_out_once(sheet, html)
    assert [type(page).__name__ for page in once.pages] == ["Page"] * 4  # the mark lies over every sheet's lines
    assert differences(laid_out(once), laid_out(render_html_document(html))) == []


@pytest.fixture
def base_sheet(cast):
    order = make_order(cast, state="issued", travellers=[cast.official, cast.colleague], legs=2)
    return {lang: order_sheet(order, lang) for lang in ("km", "en")}


@pytest.mark.parametrize("travellers,legs,lines,language",
                         [case for case in GRID + REPORTED if case[0] > 1])
def test_the_pagination_grid_prints_what_a_full_layout_prints(base_sheet, travellers, legs, lines, language):
    sheet = synthetic_sheet(base_sheet[language], travellers, legs, lines)
    html = sheet_html(sheet)
    full = render_html_document(html)
    try:
        render._lay_out_once(sheet, html)
    except Refit as why:  # laid out in full: a sheet over two pages, or a traveller's line that wraps
        reused = False
        assert any(reason in str(why) for reason in EXPECTED_REFITS), why
    else:
        reused = True
    assert differences(laid_out(lay_out_sheet(sheet, html)), laid_out(full)) == [], f"reused: {reused}"


def test_a_traveller_whose_position_takes_two_lines_gets_a_full_layout(base_sheet):
    sheet = synthetic_sheet(base_sheet["km"], 3, 2, 1)
    long_position = "អនុប្រធាននាយកដ្ឋានរដ្ឋបាលនិងបុគ្គលិក " * 3
    travellers = list(sheet.travellers)
    travellers[2] = dataclasses.replace(travellers[2], position=long_position.strip())
    sheet = dataclasses.replace(sheet, travellers=travellers)
    html = sheet_html(sheet)
    with pytest.raises(Refit):
        render._lay_out_once(sheet, html)
    document = lay_out_sheet(sheet, html)
    assert differences(laid_out(document), laid_out(_full(sheet))) == []
    assert len(document.pages) >= 1 + 3


def test_one_traveller_is_laid_out_as_before(base_sheet):
    sheet = synthetic_sheet(base_sheet["en"], 1, 3, 2)
    assert differences(laid_out(lay_out_sheet(sheet)), laid_out(_full(sheet))) == []
