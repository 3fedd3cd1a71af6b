"""Khmer language helpers for the mission-order portal (no Django here).

* :mod:`khmer.digits` – Khmer digits both ways and zero-padded order numbers;
* :mod:`khmer.dates` – solar dates in words, month and weekday names;
* :mod:`khmer.calendar` – the Khmer lunar date by the traditional Chhankitek calculation;
* :mod:`khmer.wordbreak` – zero-width break opportunities at Khmer word boundaries.
"""

from __future__ import annotations

import importlib

from .dates import (
    SOLAR_MONTHS_EN,
    SOLAR_MONTHS_KM,
    WEEKDAYS_EN,
    WEEKDAYS_KM,
    month_name,
    month_name_en,
    solar_date_line,
    solar_date_line_en,
    weekday_name,
    weekday_name_en,
)
from .digits import from_khmer_digits, khmer_number, parse_khmer_int, to_khmer_digits

_LAZY = {
    "LunarDate": "calendar",
    "NewYear": "calendar",
    "khmer_new_year": "calendar",
    "lunar_date": "calendar",
    "lunar_line": "calendar",
    "lunar_line_en": "calendar",
    "visak_bochea": "calendar",
    "ZWSP": "wordbreak",
    "insert_breaks": "wordbreak",
    "khmer_words": "wordbreak",
    "strip_breaks": "wordbreak",
}
"""Names loaded on first use, so that ``python -m khmer.calendar`` runs cleanly
and ``import khmer`` does not load ICU until word breaking is needed."""


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'khmer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "SOLAR_MONTHS_EN",
    "SOLAR_MONTHS_KM",
    "WEEKDAYS_EN",
    "WEEKDAYS_KM",
    "ZWSP",
    "LunarDate",
    "NewYear",
    "from_khmer_digits",
    "insert_breaks",
    "khmer_new_year",
    "khmer_number",
    "khmer_words",
    "lunar_date",
    "lunar_line",
    "lunar_line_en",
    "month_name",
    "month_name_en",
    "parse_khmer_int",
    "solar_date_line",
    "solar_date_line_en",
    "strip_breaks",
    "to_khmer_digits",
    "visak_bochea",
    "weekday_name",
    "weekday_name_en",
]
