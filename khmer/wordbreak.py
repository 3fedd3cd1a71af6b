"""Break opportunities in Khmer text.

Khmer is written without spaces between words, and text engines that wrap lines
only at spaces (Pango, used by WeasyPrint) let long Khmer lines overflow. The
functions here insert a zero-width space (U+200B) at the word boundaries found by
ICU's dictionary-based word break iterator, so that lines can wrap there.
"""

from __future__ import annotations

import unicodedata

from icu4py.breakers import WordBreaker

__all__ = ["ZWSP", "insert_breaks", "join_words", "khmer_words", "name_breaks", "strip_breaks"]

ZWSP = "\u200b"
"""ZERO WIDTH SPACE, the invisible break opportunity."""

COENG = "\u17d2"
"""KHMER SIGN COENG: the next consonant is written below (subscript)."""

_JOINERS = frozenset("\u200c\u200d")
_NO_BREAK_BEFORE = frozenset("\u17d4\u17d5\u17d6\u17d7\u17d8\u17d9\u17da")
"""Khmer punctuation (។ ៕ ៖ ៗ ៘ ៙ ៚) stays with the word before it."""


def _is_khmer_letter(char: str) -> bool:
    """Khmer consonants, vowels and signs (not digits, not punctuation)."""
    return "\u1780" <= char <= "\u17d3" or char in "\u17dc\u17dd"


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def _may_break_between(before: str, after: str) -> bool:
    """Whether a break opportunity may stand between two adjacent characters.

    Only between two Khmer letters, never inside a grapheme cluster: not before a
    combining mark (vowel signs, diacritics, coeng), not after a coeng (the next
    consonant is its subscript), not next to a joiner, and not before Khmer
    punctuation.
    """
    if not (_is_khmer_letter(before) and _is_khmer_letter(after)):
        return False
    if _is_mark(after) or after == COENG or before == COENG:
        return False
    if before in _JOINERS or after in _JOINERS:
        return False
    return after not in _NO_BREAK_BEFORE


def khmer_words(text: str) -> list[str]:
    """Split ``text`` into the segments of ICU's Khmer word break iterator.

    Spaces and punctuation come out as segments of their own; joining the
    segments gives ``text`` back.
    """
    if not text:
        return []
    return list(WordBreaker(text, "km"))


def insert_breaks(text: str, sep: str = ZWSP) -> str:
    """Insert ``sep`` at the word boundaries of the Khmer parts of ``text``.

    * Boundaries come from ICU's word break iterator (Khmer dictionary).
    * A break goes only between two Khmer letters, never inside a grapheme
      cluster (see :func:`_may_break_between`), and never where a space, a
      U+200B or ``sep`` is already next to the boundary; so nothing is doubled.
    * Text without Khmer is returned unchanged.
    * The result does not depend on breaks already present: boundaries are found
      in the text without its U+200B characters and separators, so running the
      function again gives the same result.

    ``sep`` should not otherwise occur in the text (U+200B by default; ``"<wbr>"``
    for HTML that is escaped already).
    """
    if not isinstance(text, str):
        raise TypeError(f"insert_breaks() takes a str, not {type(text).__name__}")
    if not sep:
        raise ValueError("sep must not be empty")
    if not any(_is_khmer_letter(char) for char in text):
        return text

    removable = [ZWSP] if sep == ZWSP else [sep, ZWSP]
    # Analysis text without separators, and for each of its characters the index
    # of that character in ``text``.
    analysis: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        for token in removable:
            if text.startswith(token, i):
                i += len(token)
                break
        else:
            analysis.append(text[i])
            origin.append(i)
            i += 1

    stripped = "".join(analysis)
    insert_at: list[int] = []
    position = 0
    for segment in khmer_words(stripped):
        if position:
            before, after = stripped[position - 1], stripped[position]
            adjacent = origin[position - 1] + 1 == origin[position]
            if adjacent and not before.isspace() and not after.isspace() and _may_break_between(before, after):
                insert_at.append(origin[position])
        position += len(segment)

    if not insert_at:
        return text
    pieces, last = [], 0
    for index in insert_at:
        pieces.append(text[last:index])
        pieces.append(sep)
        last = index
    pieces.append(text[last:])
    return "".join(pieces)


def strip_breaks(text: str, sep: str = ZWSP) -> str:
    """Remove the break opportunities from ``text``: every U+200B and every ``sep``."""
    if not isinstance(text, str):
        raise TypeError(f"strip_breaks() takes a str, not {type(text).__name__}")
    if sep and sep != ZWSP:
        text = text.replace(sep, "")
    return text.replace(ZWSP, "")


def _is_latin_or_digit(char: str) -> bool:
    return char.isascii() and char.isalnum()


def join_words(left: str, right: str) -> str:
    """``left + right``, with a space where Khmer meets a Latin word or a number.

    Khmer words follow each other without spaces (``មកដល់ខេត្តកំពត``), but a Latin word or an
    ASCII number needs one (``មកដល់ Seoul``, not ``មកដល់Seoul``).
    """
    if left and right and not left[-1].isspace() and not right[0].isspace():
        a, b = left[-1], right[0]
        if (_is_khmer_letter(a) and _is_latin_or_digit(b)) or (_is_latin_or_digit(a) and _is_khmer_letter(b)):
            return f"{left} {right}"
    return left + right


BOUND_SUFFIXES = frozenset({"ដ្ឋាន", "កម្ម", "ករណ៍", "ភិបាល", "ធិការ", "នីយកិច្ច"})
"""Segments ICU sometimes cuts off a word that they end (អគ្គនាយក|ដ្ឋាន): never a line of their own."""


def name_breaks(text: str, sep: str = ZWSP) -> str:
    """Break opportunities in a unit name: between its words, never inside one.

    ICU's segments are joined again where a segment is a bound suffix (:data:`BOUND_SUFFIXES`,
    so ``អគ្គនាយកដ្ឋាន`` stays whole) or a fragment of one or two characters (a transliterated
    name cut into syllables), so a name breaks only between whole words and at its spaces.
    """
    out: list[str] = []
    for word in khmer_words(strip_breaks(text, sep)):
        joined = word in BOUND_SUFFIXES or len(word) <= 2 or len(out[-1]) <= 2 if out else True
        if not joined and _may_break_between(out[-1][-1], word[0]):
            out.append(sep)
        out.append(word)
    return "".join(out)
