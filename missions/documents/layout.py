"""A laid-out page used again with other one-line texts (WeasyPrint's layout tree).

The visa sheets of a delegation differ only in a few lines: the traveller's name, position and unit,
and the page number. Laying out each sheet costs as much as the order page; laying one out and
setting those lines again on a copy of its page costs almost nothing. A line is set again only where
the new text provably takes the old text's place: one line, the same height and baseline, inside
the same box, aligned the same way. Anything else raises ``Refit``, and the caller lays the whole
document out instead (``missions.documents.render.lay_out_sheet``); the tests compare both ways box
for box.

Boxes are never changed in place: a page with other lines is a new tree sharing every box that did
not change (WeasyPrint draws a laid-out tree without changing it).
"""

from __future__ import annotations

from types import SimpleNamespace

from weasyprint.formatting_structure import boxes
from weasyprint.text.line_break import split_first_line

_CONTEXT = SimpleNamespace(dictionaries={})
"""What ``split_first_line`` reads of a layout context: the hyphenation dictionaries (none are used:
the documents do not hyphenate)."""

_EPSILON = 1e-6


class Refit(Exception):
    """A new text does not take the old text's place: lay the document out in full."""


def walk(box):
    """``box`` and every box inside it, margin boxes included, in document order."""
    stack = [box]
    while stack:
        box = stack.pop()
        yield box
        children = getattr(box, "children", None)
        if children:
            stack.extend(reversed(children))


def only_line(box) -> boxes.LineBox:
    """The single line of a block-level box (a table cell, a page margin box)."""
    lines = [child for child in box.children if isinstance(child, boxes.LineBox)]
    if len(lines) != 1 or len(box.children) != 1:
        raise Refit(f"{box!r} holds {len(lines)} lines")
    return lines[0]


def _text_boxes(line: boxes.LineBox) -> list[tuple[boxes.Box, boxes.TextBox]]:
    """The line's pieces: (the box placed on the line, its text box): a text box, or an inline box
    (a ``<span>``) holding one text box and nothing around it."""
    pieces = []
    for child in line.children:
        if isinstance(child, boxes.TextBox):
            pieces.append((child, child))
        elif (isinstance(child, boxes.InlineBox) and len(child.children) == 1
              and isinstance(child.children[0], boxes.TextBox)
              and abs(child.margin_width() - child.width) < _EPSILON):
            pieces.append((child, child.children[0]))
        else:
            raise Refit(f"{child!r} on the line")
    return pieces


def line_texts(line: boxes.LineBox) -> list[str]:
    return [text.text for _, text in _text_boxes(line)]


def set_line(line: boxes.LineBox, texts: list[str], *, left: float, right: float,
             align: str = "left") -> dict[int, boxes.Box]:
    """The boxes that replace ``line`` and its pieces (keyed by ``id`` of the box replaced) for the
    same pieces holding ``texts``, the line kept between ``left`` and ``right`` and aligned to
    ``align`` ("left": its start stays; "right": its end stays)."""
    pieces = _text_boxes(line)
    if len(pieces) != len(texts) or not all(texts):
        raise Refit("another number of pieces")
    old_start = pieces[0][0].position_x
    old_total = sum(placed.width for placed, _ in pieces)
    if abs(line.position_x - old_start) > _EPSILON or abs(line.width - old_total) > _EPSILON:
        raise Refit("the line is not as wide as its text")
    fitted = []
    for i, ((placed, old), text) in enumerate(zip(pieces, texts)):
        layout, _, resume, width, height, baseline = split_first_line(
            text, old.style, _CONTEXT, max(0, right - left), 0, is_line_start=i == 0)
        # as WeasyPrint sets a text box: its baseline below the half-leading of its line height
        if resume is not None or height != old.height or abs(baseline + old.margin_top - old.baseline) > _EPSILON:
            raise Refit(f"{text!r} takes another line or height")
        fitted.append((placed, old, text, layout, width))
    total = sum(width for *_, width in fitted)
    if align == "left":
        start = old_start
    elif align == "right":
        start = old_start + old_total - total
    else:
        raise Refit(f"text aligned {align!r}")
    if start < left - _EPSILON or start + total > right + _EPSILON:
        raise Refit("the new text does not fit its box")
    replaced: dict[int, boxes.Box] = {}
    children, x = [], start
    for placed, old, text, layout, width in fitted:
        new_text = old.copy_with_text(text)
        new_text.pango_layout, new_text.width, new_text.position_x = layout, width, x
        if placed is old:
            new = new_text
        else:
            new = placed.copy()
            new.children, new.width, new.position_x = [new_text], width, x
        replaced[id(placed)] = new
        children.append(new)
        x += width
    new_line = line.copy()
    new_line.children, new_line.position_x, new_line.width = children, start, total
    replaced[id(line)] = new_line
    return replaced


def copy_tree(box, replaced: dict[int, boxes.Box]):
    """``box`` with the boxes of ``replaced`` (keyed by ``id`` of the box they replace) in place of
    theirs, and their children replaced likewise: new boxes on the path to each, the rest shared."""
    new = replaced.get(id(box), box)
    children = getattr(new, "children", None)
    if children:
        new_children = [copy_tree(child, replaced) for child in children]
        if any(a is not b for a, b in zip(new_children, children)):
            if new is box:
                new = box.copy()
            new.children = new_children
    return new


def continued(path: list[boxes.Box], bottom: float) -> dict[int, boxes.Box]:
    """The blocks of ``path`` (the page's root block down to a block) as WeasyPrint lays them out when
    the document goes on after this page: down to the page's ``bottom``."""
    replaced = {}
    for box in path:
        if box.padding_bottom or box.border_bottom_width or box.margin_bottom:
            raise Refit(f"{box!r} has a bottom edge")
        new = box.copy()
        new.height = bottom - box.content_box_y()
        replaced[id(box)] = new
    return replaced
