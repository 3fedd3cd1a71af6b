"""Solar (Gregorian) dates written out in Khmer words, with English counterparts."""

from __future__ import annotations

import datetime

from .digits import to_khmer_digits

SOLAR_MONTHS_KM = (
    "មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា",
    "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ",
)
"""Khmer names of the Gregorian months, January first."""

SOLAR_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

WEEKDAYS_KM = ("អាទិត្យ", "ច័ន្ទ", "អង្គារ", "ពុធ", "ព្រហស្បតិ៍", "សុក្រ", "សៅរ៍")
"""Khmer weekday names, Sunday first (the order of Khmer calendars)."""

WEEKDAYS_EN = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
"""English weekday names, Sunday first like :data:`WEEKDAYS_KM`."""


def _as_date(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise TypeError(f"expected a datetime.date, not {type(value).__name__}")


def sunday_first_index(value: datetime.date) -> int:
    """Index of the weekday of ``value`` in a Sunday-first list (Sunday 0 … Saturday 6).

    Python's :meth:`datetime.date.weekday` counts from Monday, hence the shift.
    """
    return (_as_date(value).weekday() + 1) % 7


def weekday_name(value: datetime.date) -> str:
    """Khmer name of the weekday of ``value``, e.g. ``'អង្គារ'`` for a Tuesday."""
    return WEEKDAYS_KM[sunday_first_index(value)]


def weekday_name_en(value: datetime.date) -> str:
    """English name of the weekday of ``value``."""
    return WEEKDAYS_EN[sunday_first_index(value)]


def month_name(month: int) -> str:
    """Khmer name of Gregorian month ``month`` (1–12)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be in 1..12, not {month}")
    return SOLAR_MONTHS_KM[month - 1]


def month_name_en(month: int) -> str:
    """English name of Gregorian month ``month`` (1–12)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be in 1..12, not {month}")
    return SOLAR_MONTHS_EN[month - 1]


def solar_date_line(value: datetime.date) -> str:
    """The solar date as written in letters: ``'ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៥'``.

    The day is in Khmer digits without zero padding.
    """
    d = _as_date(value)
    return (
        f"ថ្ងៃទី{to_khmer_digits(d.day)} ខែ{month_name(d.month)} "
        f"ឆ្នាំ{to_khmer_digits(d.year)}"
    )


def solar_date_line_en(value: datetime.date) -> str:
    """The English counterpart of :func:`solar_date_line`: ``'25 November 2025'``."""
    d = _as_date(value)
    return f"{d.day} {month_name_en(d.month)} {d.year}"


def short_date(value: datetime.date) -> str:
    """A date for lists and forms: ``'២៥ វិច្ឆិកា ២០២៥'``."""
    d = _as_date(value)
    return f"{to_khmer_digits(d.day)} {month_name(d.month)} {to_khmer_digits(d.year)}"


def short_date_en(value: datetime.date) -> str:
    """The English counterpart of :func:`short_date`: ``'25 Nov 2025'``."""
    d = _as_date(value)
    return f"{d.day} {month_name_en(d.month)[:3]} {d.year}"
