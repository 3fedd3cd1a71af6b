"""Khmer digits (U+17E0–U+17E9) and their conversion to and from ASCII digits."""

from __future__ import annotations

import re

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
ASCII_DIGITS = "0123456789"

_TO_KHMER = str.maketrans(ASCII_DIGITS, KHMER_DIGITS)
_FROM_KHMER = str.maketrans(KHMER_DIGITS, ASCII_DIGITS)


def to_khmer_digits(value: int | str) -> str:
    """Return ``value`` as text with every ASCII digit replaced by its Khmer digit.

    Integers are formatted with ``str()`` first (a minus sign stays as it is);
    in strings every character that is not an ASCII digit is left unchanged.

    >>> to_khmer_digits("2025")
    '២០២៥'
    >>> to_khmer_digits(12)
    '១២'
    """
    if isinstance(value, bool):
        raise TypeError("to_khmer_digits() takes an int or a str, not a bool")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"to_khmer_digits() takes an int or a str, not {type(value).__name__}")
    return value.translate(_TO_KHMER)


def from_khmer_digits(text: str) -> str:
    """Return ``text`` with every Khmer digit replaced by its ASCII digit.

    >>> from_khmer_digits("លេខ ០១២៣")
    'លេខ 0123'
    """
    if not isinstance(text, str):
        raise TypeError(f"from_khmer_digits() takes a str, not {type(text).__name__}")
    return text.translate(_FROM_KHMER)


def parse_khmer_int(text: str) -> int:
    """Parse an integer written in Khmer or ASCII digits (surrounding blanks allowed).

    >>> parse_khmer_int("០១២")
    12
    """
    ascii_text = from_khmer_digits(text).strip()
    if not ascii_text.lstrip("+-").isascii() or not ascii_text.lstrip("+-").isdigit():
        raise ValueError(f"not a number: {text!r}")
    return int(ascii_text)


def khmer_number(value: int, width: int = 0) -> str:
    """Format a non-negative integer in Khmer digits, zero-padded to ``width``.

    Used for order numbers: ``khmer_number(12, width=3)`` gives ``'០១២'``.
    A number longer than ``width`` is never truncated.

    >>> khmer_number(12, width=3)
    '០១២'
    >>> khmer_number(1234, width=3)
    '១២៣៤'
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("khmer_number() takes an int")
    if value < 0:
        raise ValueError("khmer_number() takes a non-negative int")
    if width < 0:
        raise ValueError("width must not be negative")
    return to_khmer_digits(str(value).zfill(width))


_KEEP_LATIN = re.compile(
    r"[a-z][a-z0-9+.-]*://\S+"  # URLs
    r"|\S+@\S+"  # e-mail addresses
    r"|(?<![\d])(?:\+?855[ -]?|0)\d{1,2}[ -]?\d{3}[ -]?\d{3,4}(?![\d])"  # Cambodian phone numbers
    r"|\d{8,}",  # long numbers: identifiers
    re.I,
)


def khmer_digits_in_text(text: str) -> str:
    """Typed text for a Khmer document: numbers in Khmer digits (``លេខ 107`` → ``លេខ ១០៧``), except
    where Latin digits are the rule — URLs, e-mail addresses, phone numbers and long identifiers."""
    if not isinstance(text, str):
        raise TypeError(f"khmer_digits_in_text() takes a str, not {type(text).__name__}")
    out, last = [], 0
    for m in _KEEP_LATIN.finditer(text):
        out.append(to_khmer_digits(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(to_khmer_digits(text[last:]))
    return "".join(out)
