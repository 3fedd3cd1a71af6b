"""Pagination of the order PDF, read from WeasyPrint's layout (not from extracted text).

The grid of the issue is 1–30 travellers × 1–8 legs × purposes of 1–12 lines × Khmer and English:
6 400 documents, some of them 60 pages. Laying all of them out would take an hour on a 2-core CI
machine, so the grid is sampled: every value of each dimension is taken from its edges and the
points where the layout changes (1 and 2 travellers; 8, where the order fills page 1; 30; 1 leg;
3 and 4 legs, where a visa sheet first needs a second page; 8 legs; 1, 2, 8 and 12 purpose lines),
and the sample covers every PAIR of values of any two dimensions at least once (all-pairs, chosen
greedily and deterministically below) — 4 × 4 × 4 × 2 values in 17 documents instead of 128 —
plus the documents the issue reported. Faults of pagination come from interactions of two
dimensions (many travellers with a long purpose; many legs with a long name), which all-pairs
covers.

Each document fails on: a leg split across pages, a closing paragraph parted from the signature,
a page without "ទំព័រ n/N" and the order number, a continued visa sheet without its traveller and
number, or a box drawn outside the page's margins.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from khmer.digits import to_khmer_digits
from khmer.wordbreak import strip_breaks
from missions.documents.render import LegRow, TravellerLine, order_sheet, render_html_document, sheet_html

TRAVELLERS = (1, 2, 8, 30)
LEGS = (1, 3, 4, 8)
PURPOSE_LINES = (1, 2, 8, 12)
LANGUAGES = ("km", "en")

NAMES = {
    "km": ["លោក សុខ សុភា", "លោកស្រី ស្រីសុវណ្ណបុប្ផាចន្ទ្រា រស្មីវិចិត្រ", "ឯកឧត្តម ចាន់ ដារ៉ា", "កញ្ញា កាលីហ្វ័រញ៉ា ម៉ៅ"],
    "en": ["Mr Sok Sophea", "Mrs Sreysovannabopha Chantrea Reaksmey", "H.E. Chan Dara",
           "Mr Chanthavongsouvannarithkhemarakpong"],  # a 38-character Latin word
}
POSITIONS = {"km": ["មន្ត្រី", "អនុប្រធាននាយកដ្ឋានរដ្ឋបាលនិងបុគ្គលិក"], "en": ["Official", "Deputy Director of Administration"]}
UNITS = {
    "km": ["អគ្គនាយកដ្ឋានរដ្ឋបាលនិងហិរញ្ញវត្ថុ", "នាយកដ្ឋានគោលនយោបាយមុខងារសាធារណៈ"],
    "en": ["General Department of Administration and Finance", "Department of Civil Service Policy"],
}
PLACES = {
    "km": ["រាជធានីភ្នំពេញ", "ខេត្តសៀមរាប", "ខេត្តបន្ទាយមានជ័យ", "សេអ៊ូល ប្រទេសកូរ៉េខាងត្បូង", "កាលីហ្វ័រញ៉ា ប្រទេសសហរដ្ឋអាមេរិក"],
    "en": ["Phnom Penh", "Siem Reap province", "Banteay Meanchey province", "Seoul, Republic of Korea",
           "San Francisco, United States of America"],
}
MEANS = {"km": ["រថយន្តក្រសួង", "យន្តហោះ", "រថយន្តក្រុង"], "en": ["Ministry car", "Plane", "Bus"]}
PURPOSE_LINE = {
    "km": "ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ និងត្រួតពិនិត្យការអនុវត្តច្រកចេញចូលតែមួយនៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ",
    "en": "Attend the workshop on civil-service reform and review the one-window offices of sub-national administrations",
}


def all_pairs(*dimensions):
    """A small list of combinations covering every pair of values of any two dimensions (greedy, deterministic)."""
    uncovered = {
        ((i, a), (j, b))
        for i, j in itertools.combinations(range(len(dimensions)), 2)
        for a in dimensions[i]
        for b in dimensions[j]
    }
    chosen = []
    candidates = list(itertools.product(*dimensions))
    while uncovered:
        def gain(combo):
            return sum(((i, combo[i]), (j, combo[j])) in uncovered for i, j in itertools.combinations(range(len(combo)), 2))

        best = max(candidates, key=gain)
        chosen.append(best)
        uncovered -= {((i, best[i]), (j, best[j])) for i, j in itertools.combinations(range(len(best)), 2)}
    return chosen


GRID = all_pairs(TRAVELLERS, LEGS, PURPOSE_LINES, LANGUAGES)
REPORTED = [  # the documents of the issue
    (8, 1, 1, "km"),  # 8 travellers: the signature stood alone on page 2
    (1, 1, 8, "km"),  # an 8-line purpose: the same
    (1, 4, 2, "km"),  # 4 legs abroad: a leg split between two pages
    (3, 3, 3, "en"),
]


def test_the_sample_covers_every_pair():
    assert len(GRID) < len(TRAVELLERS) * len(LEGS) * len(PURPOSE_LINES) * len(LANGUAGES) // 4
    for (i, a), (j, b) in itertools.combinations(enumerate((TRAVELLERS, LEGS, PURPOSE_LINES, LANGUAGES)), 2):
        for x in a:
            for y in b:
                assert any(c[i] == x and c[j] == y for c in GRID), (x, y)


def synthetic_sheet(base, travellers: int, legs: int, lines: int):
    """``base`` (a real order's sheet) with ``travellers`` travellers, ``legs`` legs and a purpose of ``lines`` lines."""
    lang = base.language
    en = lang == "en"

    def num(n):
        return str(n) if en else to_khmer_digits(n)

    people = [
        TravellerLine(number=num(i + 1), name=NAMES[lang][i % 4], position=POSITIONS[lang][i % 2], unit=UNITS[lang][i % 2],
                      person=NAMES[lang][i % 4].split(" ", 1)[1])
        for i in range(travellers)
    ]
    places = PLACES[lang]
    rows = []
    for k in range(legs):
        a, b = places[k % len(places)], places[(k + 1) % len(places)]
        rows.append(LegRow(origin=a, destination=b, date=base.departure, date_short=num(f"{3 + k:02d}/01/2027"),
                           means=MEANS[lang][k % 3]))
    return dataclasses.replace(base, travellers=people, legs=rows, purpose="\n".join([PURPOSE_LINE[lang]] * lines))


# --- reading the layout -----------------------------------------------------------------------


def _walk(box, margin=False):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox) and not margin:
        return
    yield box
    for child in getattr(box, "children", []):
        yield from _walk(child, margin)


def _text(box) -> str:
    from weasyprint.formatting_structure import boxes

    return strip_breaks("".join(b.text for b in _walk(box, margin=True) if isinstance(b, boxes.TextBox)))


def _attr(box, name):
    element = getattr(box, "element", None)
    return element.get(name) if element is not None and hasattr(element, "get") else None


def pagination_faults(document, sheet) -> list[str]:
    from weasyprint.formatting_structure import boxes

    en = sheet.language == "en"
    total = len(document.pages)
    number = strip_breaks(sheet.number)
    faults = []
    keep_pages: dict[str, set[int]] = {}
    sheet_pages: dict[str, list[int]] = {}
    heads: dict[str, str] = {}
    for n, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        margins = {m.at_keyword: _text(m) for m in page_box.children if isinstance(m, boxes.MarginBox)}
        folio = f"Page {n}/{total}" if en else f"ទំព័រ {to_khmer_digits(n)}/{to_khmer_digits(total)}"
        if margins.get("@bottom-right") != folio:
            faults.append(f"page {n}: folio {margins.get('@bottom-right')!r}, expected {folio!r}")
        if margins.get("@bottom-left") != number:
            faults.append(f"page {n}: order number {margins.get('@bottom-left')!r} missing")
        left, top = page_box.content_box_x() - 0.5, page_box.content_box_y() - 0.5
        right, bottom = left + page_box.width + 1, top + page_box.height + 1
        on_page = set()
        for box in _walk(page_box):
            if box is page_box:
                continue
            keep, section = _attr(box, "data-keep"), _attr(box, "data-sheet")
            if keep:
                keep_pages.setdefault(keep, set()).add(n)
            if section:
                on_page.add(section)
            if _attr(box, "data-head"):
                heads[_attr(box, "data-head")] = n
            drawn = isinstance(box, (boxes.TextBox, boxes.ReplacedBox)) or (
                isinstance(box, (boxes.TableCellBox, boxes.TableBox)) and box.style["border_top_width"]
            )
            if drawn and (box.position_x < left or box.position_y < top
                          or box.position_x + box.margin_width() > right
                          or box.position_y + box.margin_height() > bottom):
                faults.append(f"page {n}: {type(box).__name__} {_text(box)[:30]!r} outside the margins")
        for section in on_page:
            sheet_pages.setdefault(section, []).append(n)
        for section in on_page:
            if sheet_pages[section][0] != n:  # a visa sheet continued from an earlier page
                head = margins.get("@top-right", "")
                traveller = sheet.travellers[int(section) - 1].name
                if strip_breaks(traveller) not in head or number not in head:
                    faults.append(f"page {n}: continued visa sheet {section} without traveller and number ({head!r})")
    for keep, pages in keep_pages.items():
        if len(pages) > 1:
            faults.append(f"{keep} split over pages {sorted(pages)}")
    expected = {f"leg-{t}-{k}" for t in range(1, len(sheet.travellers) + 1) for k in range(1, len(sheet.legs) + 1)}
    if not expected | {"closing"} <= set(keep_pages):
        faults.append(f"not laid out: {sorted(expected | {'closing'} - set(keep_pages))[:5]}")
    return faults


def _squeeze(text: str) -> str:
    return "".join(strip_breaks(text).split())


def printed_dates(sheet) -> list[str]:
    """The dates and numbers of ``sheet`` that must stand on one line."""
    values = [sheet.number, sheet.issue_date, sheet.departure, sheet.return_]
    values += [v for leg in sheet.legs for v in (leg.date, leg.date_short)]
    return sorted({v for v in values if v}, key=len, reverse=True)


def broken_dates(document, values) -> list[str]:
    """Dates and numbers (``values``) laid out across two lines: in a block whose lines together hold
    the date while none of its lines holds it whole."""
    from weasyprint.formatting_structure import boxes

    dates = [(d, _squeeze(d)) for d in values]
    faults = []
    for n, page in enumerate(document.pages, start=1):
        for box in _walk(page._page_box, margin=True):
            lines = [_squeeze(_text(line)) for line in getattr(box, "children", []) if isinstance(line, boxes.LineBox)]
            if len(lines) < 2:
                continue
            joined = "".join(lines)
            for date, squeezed in dates:
                if squeezed in joined and not any(squeezed in line for line in lines):
                    cut = next(i for i in range(len(lines)) if squeezed in "".join(lines[: i + 1]))
                    faults.append(f"page {n}: {date!r} broken: {lines[cut - 1][-12:]!r} | {lines[cut][:12]!r}")
    return faults


def ink_outside_cells(document) -> list[str]:
    """Text drawn past the right edge of its table cell (an unbreakable date too wide for its column)."""
    from weasyprint.formatting_structure import boxes

    faults = []
    for n, page in enumerate(document.pages, start=1):
        for cell in _walk(page._page_box):
            if not isinstance(cell, boxes.TableCellBox):
                continue
            right = cell.content_box_x() + cell.width + cell.padding_right + 0.5
            for box in _walk(cell):
                if isinstance(box, boxes.TextBox) and box.position_x + box.margin_width() > right:
                    faults.append(f"page {n}: {_text(box)[:20]!r} past its cell by "
                                  f"{box.position_x + box.margin_width() - right:.1f}px")
    return faults


_BASE: dict = {}


@pytest.fixture
def base_sheets(db):
    """The sheets (both languages) of one real issued order, the base of every synthetic document
    (plain data, made once for the module)."""
    if not _BASE:
        from tests.factories import Cast, make_order

        cast = Cast()
        order = make_order(cast, state="issued", travellers=[cast.official, cast.colleague], legs=2)
        _BASE.update({lang: order_sheet(order, lang) for lang in LANGUAGES})
    return _BASE


@pytest.mark.parametrize("travellers,legs,lines,language", GRID + REPORTED)
def test_pages_hold_together(base_sheets, travellers, legs, lines, language):
    sheet = synthetic_sheet(base_sheets[language], travellers, legs, lines)
    document = render_html_document(sheet_html(sheet))
    assert len(document.pages) >= 1 + travellers
    assert pagination_faults(document, sheet) == []
    assert broken_dates(document, printed_dates(sheet)) == []
    assert ink_outside_cells(document) == []


def test_the_check_fails_on_a_split_leg_and_a_page_without_folio(base_sheets):
    """Without the print rules that keep units together, the same check finds the faults of the issue."""
    from weasyprint import CSS

    from missions.documents.render import order_stylesheet

    sheet = synthetic_sheet(base_sheets["km"], 1, 8, 2)
    loose = CSS(string="table.stamps tr, .closing-block { break-inside: auto }"
                       "@page { @bottom-right { content: none !important } } @page visa { @top-right { content: none } }")
    document = render_html_document(sheet_html(sheet), stylesheets=[order_stylesheet(), loose])
    faults = pagination_faults(document, sheet)
    assert any("split over pages" in f for f in faults)
    assert any("folio" in f for f in faults)
    assert any("continued visa sheet" in f for f in faults)
