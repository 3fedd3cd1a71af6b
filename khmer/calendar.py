"""The Khmer lunar calendar by the traditional Chhankitek (ចន្ទគតិ) calculation.

The rules are those of the Khmer calendar books, as described by Roath Kim Soeun
("Pratitin Soryakkatik-Chankatik 1900-1999"):

* the yearly quantities of the Chula Sakaraj year (ចុល្លសករាជ, "JS"):
  aharkun (ហារគុណ), kromathopol (ក្រមធុពល), avoman (អវមាន) and bodithey (បូតិថី);
* the leap-month rule (អធិកមាស, adhikameas: ខែអាសាឍ is doubled), the leap-day rule
  (ចន្ទ្រាធិមាស, chantreathimeas or adhikavar: ខែជេស្ឋ has 30 days) and the rule
  that a year never has both, the leap day moving to the following year;
* the Khmer New Year (មហាសង្ក្រាន្ត, Moha Songkran): the true longitude of the sun
  (សម្ពោធព្រះអាទិត្យ) on the last days of the year, its entry into Aries giving
  the day and time of the New Year, the day(s) of Vanabat (វារៈវ័នបត) and the day
  of Lerng Sak (ថ្ងៃឡើងស័ក), whose lunar date is given by the bodithey.

Calendar conventions of the printed date line:

* the lunar year runs from 1កើត ខែបុស្ស; 1 January 1900 was 1កើត ខែបុស្ស;
* the months alternate 30 and 29 days (បុស្ស 30, មាឃ 29, …, មិគសិរ 29);
* the animal year (ឆ្នាំសត្វ) and the era (ស័ក, the last digit of the JS year)
  change with the New Year: the first day to take the new ones is the day after
  Moha Songkran, the first day that begins after the sun has entered Aries
  (the JS year, whose day count starts at Lerng Sak, is named from that day on);
* the Buddhist Era year (ពុទ្ធសករាជ) changes the day after Visak Bochea, the full
  moon (15កើត) of ខែពិសាខ.

The calculation is checked for the years 1000–3000 (:data:`MIN_YEAR`,
:data:`MAX_YEAR`): over them the lunar months counted from the epoch and the
solar day count (aharkun) agree on every Lerng Sak. Other years raise ValueError.

Run ``python -m khmer.calendar FROM [TO]`` to print the lunar date of each day.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import sys

from .dates import WEEKDAYS_EN, WEEKDAYS_KM, _as_date, sunday_first_index
from .digits import to_khmer_digits

__all__ = [
    "ANIMAL_YEARS_EN",
    "ANIMAL_YEARS_KM",
    "ERAS_EN",
    "ERAS_KM",
    "LEAP_DAY",
    "LEAP_MONTH",
    "LUNAR_MONTHS_EN",
    "LUNAR_MONTHS_KM",
    "LunarDate",
    "MAX_YEAR",
    "MIN_YEAR",
    "NewYear",
    "REGULAR",
    "adhikameas",
    "aharkun",
    "avoman",
    "bodithey",
    "chantreathimeas",
    "khmer_new_year",
    "new_year_moment",
    "kromathopol",
    "leap_kind",
    "lunar_date",
    "lunar_line",
    "lunar_line_en",
    "main",
    "solar_leap",
    "visak_bochea",
]

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

MIGASIR, BOSS, MEAK, PHALKUN, CHET, PISAKH, JESTH, ASADH = range(8)
SRAP, PHOTROBOT, ASSOCH, KADEUK, PATHAMASADH, TUTIYASADH = range(8, 14)

LUNAR_MONTHS_KM = (
    "មិគសិរ", "បុស្ស", "មាឃ", "ផល្គុន", "ចេត្រ", "ពិសាខ", "ជេស្ឋ", "អាសាឍ",
    "ស្រាពណ៍", "ភទ្របទ", "អស្សុជ", "កត្តិក", "បឋមាសាឍ", "ទុតិយាសាឍ",
)
"""Lunar month names by month index: 0–11 from មិគសិរ, 12 and 13 the two អាសាឍ of a leap-month year."""

LUNAR_MONTHS_EN = (
    "Migasir", "Boss", "Meak", "Phalkun", "Chet", "Pisakh", "Jesth", "Asadh",
    "Srap", "Photrobot", "Assoch", "Kadeuk", "Pathamasadh", "Tutiyasadh",
)

ANIMAL_YEARS_KM = ("ជូត", "ឆ្លូវ", "ខាល", "ថោះ", "រោង", "ម្សាញ់", "មមី", "មមែ", "វក", "រកា", "ច", "កុរ")
"""The twelve animal years, from the Rat."""

ANIMAL_YEARS_EN = (
    "Rat", "Ox", "Tiger", "Rabbit", "Dragon", "Snake",
    "Horse", "Goat", "Monkey", "Rooster", "Dog", "Pig",
)

ERAS_KM = (
    "សំរឹទ្ធិស័ក", "ឯកស័ក", "ទោស័ក", "ត្រីស័ក", "ចត្វាស័ក",
    "បញ្ចស័ក", "ឆស័ក", "សប្តស័ក", "អដ្ឋស័ក", "នព្វស័ក",
)
"""Era (ស័ក) names by the last digit of the Chula Sakaraj year."""

ERAS_EN = (
    "Samrithi Sak", "Ek Sak", "To Sak", "Trei Sak", "Chattva Sak",
    "Pancha Sak", "Chha Sak", "Sapta Sak", "Attha Sak", "Nuppa Sak",
)

PHASES_KM = ("កើត", "រោច")
PHASES_EN = ("waxing", "waning")

# ---------------------------------------------------------------------------
# Era arithmetic
# ---------------------------------------------------------------------------

JS_TO_AD = 638
"""The JS year beginning at the New Year of Gregorian year ``y`` is ``y - 638``."""

JS_TO_BE = 1182
"""Buddhist Era year = JS year + 1182 (both counted from their own New Year days)."""

MIN_YEAR = 1000
MAX_YEAR = 3000
"""Gregorian years for which lunar dates and New Years are computed."""


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")

# ---------------------------------------------------------------------------
# Yearly quantities of the Chula Sakaraj year
# ---------------------------------------------------------------------------

_SOLAR_YEAR_NUMERATOR = 292207
"""A solar year is 292207/800 days (365.25875) in the Khmer reckoning."""


@functools.lru_cache(maxsize=None)
def _aharkun_raw(js: int) -> tuple[int, int]:
    """Return ``(aharkun, kromathopol)`` of JS year ``js``."""
    total = _SOLAR_YEAR_NUMERATOR * js + 373
    return total // 800 + 1, 800 - total % 800


def aharkun(js: int) -> int:
    """Aharkun (ហារគុណ): days from the origin of the era to the start of JS year ``js``."""
    return _aharkun_raw(js)[0]


def kromathopol(js: int) -> int:
    """Kromathopol (ក្រមធុពល): what remains of the 800 parts of the year's last day (1–800)."""
    return _aharkun_raw(js)[1]


def avoman(js: int) -> int:
    """Avoman (អវមាន, 0–691): how far the lunar days run ahead of the solar days.

    ``avoman = (11 × aharkun + 650) mod 692``.
    """
    return (11 * aharkun(js) + 650) % 692


def bodithey(js: int) -> int:
    """Bodithey (បូតិថី, 0–29): the lunar day (tithi) at the start of the year.

    ``bodithey = (aharkun + ⌊(11 × aharkun + 650) / 692⌋) mod 30``.
    """
    h = aharkun(js)
    return (h + (11 * h + 650) // 692) % 30


def solar_leap(js: int) -> bool:
    """Solar leap year rule: a JS year has 366 days when its kromathopol is at most 207."""
    return kromathopol(js) <= 207


@functools.lru_cache(maxsize=None)
def adhikameas(js: int) -> bool:
    """Leap-month rule (អធិកមាស) computed from the bodithey.

    A year is a leap-month year when its bodithey is 25 or more, or less than 6.
    Two exceptions look at the following year: bodithey 25 followed by 5 makes only
    the second year a leap-month year, and bodithey 24 followed by 6 makes the
    first one a leap-month year.
    """
    this_year, next_year = bodithey(js), bodithey(js + 1)
    if this_year == 25 and next_year == 5:
        return False
    if this_year == 24 and next_year == 6:
        return True
    return this_year >= 25 or this_year < 6


@functools.lru_cache(maxsize=None)
def chantreathimeas(js: int) -> bool:
    """Leap-day rule (ចន្ទ្រាធិមាស / adhikavar) computed from the avoman.

    In a solar leap year the year has a leap day when its avoman is below 127;
    otherwise when its avoman is below 138. When avoman 137 is followed by
    avoman 0, the leap day belongs to the second year, not the first.
    """
    value = avoman(js)
    if value == 0 and avoman(js - 1) == 137:
        return True
    if solar_leap(js):
        return value < 127
    if value == 137 and avoman(js + 1) == 0:
        return False
    return value < 138


REGULAR = 0
"""A common lunar year: 354 days."""
LEAP_MONTH = 1
"""A leap-month year (អធិកមាស): អាសាឍ doubled as បឋមាសាឍ and ទុតិយាសាឍ, 384 days."""
LEAP_DAY = 2
"""A leap-day year (ចន្ទ្រាធិមាស): ជេស្ឋ has 30 days, 355 days."""


@functools.lru_cache(maxsize=None)
def leap_kind(js: int) -> int:
    """Kind of the calendar year whose ជេស្ឋ and អាសាឍ fall in JS year ``js``.

    A year cannot carry both a leap month and a leap day: when the rules give
    both, the year keeps its leap month and the leap day goes to the next year.
    Returns :data:`REGULAR`, :data:`LEAP_MONTH` or :data:`LEAP_DAY`.
    """
    if adhikameas(js):
        return LEAP_MONTH
    if chantreathimeas(js):
        return LEAP_DAY
    if adhikameas(js - 1) and chantreathimeas(js - 1):
        return LEAP_DAY
    return REGULAR


def _leap_day_deferred_into(js: int) -> bool:
    """True when JS year ``js`` received the leap day its predecessor could not keep."""
    return adhikameas(js - 1) and chantreathimeas(js - 1)


# ---------------------------------------------------------------------------
# Months of the lunar year
# ---------------------------------------------------------------------------

_MONTH_LENGTHS = {
    REGULAR: (
        (BOSS, 30), (MEAK, 29), (PHALKUN, 30), (CHET, 29), (PISAKH, 30), (JESTH, 29),
        (ASADH, 30), (SRAP, 29), (PHOTROBOT, 30), (ASSOCH, 29), (KADEUK, 30), (MIGASIR, 29),
    ),
    LEAP_DAY: (
        (BOSS, 30), (MEAK, 29), (PHALKUN, 30), (CHET, 29), (PISAKH, 30), (JESTH, 30),
        (ASADH, 30), (SRAP, 29), (PHOTROBOT, 30), (ASSOCH, 29), (KADEUK, 30), (MIGASIR, 29),
    ),
    LEAP_MONTH: (
        (BOSS, 30), (MEAK, 29), (PHALKUN, 30), (CHET, 29), (PISAKH, 30), (JESTH, 29),
        (PATHAMASADH, 30), (TUTIYASADH, 30),
        (SRAP, 29), (PHOTROBOT, 30), (ASSOCH, 29), (KADEUK, 30), (MIGASIR, 29),
    ),
}
"""Months of a calendar year counted from 1កើត ខែបុស្ស, with their lengths in days."""


def _month_starts(lengths: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int, int], ...]:
    table, start = [], 0
    for month, length in lengths:
        table.append((month, start, length))
        start += length
    return tuple(table)


_MONTH_TABLE = {kind: _month_starts(lengths) for kind, lengths in _MONTH_LENGTHS.items()}
_YEAR_LENGTH = {kind: sum(length for _, length in lengths) for kind, lengths in _MONTH_LENGTHS.items()}

_CHET_OFFSET = 30 + 29 + 30
"""Days from 1កើត ខែបុស្ស to 1កើត ខែចេត្រ (the same in every kind of year)."""
_PISAKH_OFFSET = _CHET_OFFSET + 29
"""Days from 1កើត ខែបុស្ស to 1កើត ខែពិសាខ."""

_EPOCH_YEAR = 1900
_EPOCH_ORDINAL = datetime.date(1900, 1, 1).toordinal()
"""1 January 1900 was 1កើត ខែបុស្ស, the start of the calendar year of 1900."""


def _kind_of_calendar_year(year: int) -> int:
    """Kind of the calendar year whose ជេស្ឋ falls in Gregorian year ``year``."""
    return leap_kind(year - JS_TO_AD)


_year_starts: dict[int, int] = {_EPOCH_YEAR: _EPOCH_ORDINAL}


def _year_start(year: int) -> int:
    """Ordinal of 1កើត ខែបុស្ស opening the calendar year whose ជេស្ឋ is in ``year``.

    Computed from the epoch by adding (or taking away) whole year lengths, and cached.
    """
    start = _year_starts.get(year)
    if start is not None:
        return start
    if year > _EPOCH_YEAR:
        known = max(y for y in _year_starts if y < year)
        start = _year_starts[known]
        for y in range(known, year):
            start += _YEAR_LENGTH[_kind_of_calendar_year(y)]
            _year_starts[y + 1] = start
    else:
        known = min(y for y in _year_starts if y > year)
        start = _year_starts[known]
        for y in range(known - 1, year - 1, -1):
            start -= _YEAR_LENGTH[_kind_of_calendar_year(y)]
            _year_starts[y] = start
    return start


def _calendar_year_of(ordinal: int, year: int) -> int:
    """The calendar year (named by its ជេស្ឋ) containing day ``ordinal`` of Gregorian ``year``."""
    if ordinal >= _year_start(year + 1):
        return year + 1
    if ordinal >= _year_start(year):
        return year
    return year - 1


def visak_bochea(year: int) -> datetime.date:
    """Visak Bochea of Gregorian ``year``: the full moon, 15កើត ខែពិសាខ.

    The Buddhist Era year changes on the following day (1រោច ខែពិសាខ).
    """
    _check_year(year)
    return datetime.date.fromordinal(_visak_ordinal(year))


@functools.lru_cache(maxsize=None)
def _visak_ordinal(year: int) -> int:
    return _year_start(year) + _PISAKH_OFFSET + 14


# ---------------------------------------------------------------------------
# Khmer New Year (Songkran)
# ---------------------------------------------------------------------------

_LIBDA_PER_ANGSAR = 60
_LIBDA_PER_REASEY = 30 * _LIBDA_PER_ANGSAR
"""1 reasey (sign) = 30 angsar (degrees); 1 angsar = 60 libda (minutes of arc)."""

_CHHAYA = ((35, 0), (32, 35), (27, 67), (22, 94), (13, 116), (5, 129))
"""Equation of the sun by half-sign (khan): (multiplicity, chhaya in libda)."""
_CHHAYA_BEYOND = (0, 134)


def _sun_longitude(js: int, sotin: int) -> int:
    """True longitude of the sun (សម្ពោធព្រះអាទិត្យ) on day ``sotin`` of the year before ``js``.

    Returned in libda. Steps of the rule:

    1. mean sun (មធ្យមព្រះអាទិត្យ): from ``800 × sotin + kromathopol`` of the
       previous year, 24350 parts to a reasey, 811 to an angsar, 14 to a libda,
       less 3 libda;
    2. anomaly (កែន): the mean sun less the apogee R2 A20 (adding 12 reasey when negative);
    3. distance from the apsides by quadrant, split into khan (15° each) and
       pouichalip (the libda within the khan);
    4. phol: chhaya of the khan plus ``pouichalip × multiplicity / 900``;
    5. the true sun is the mean sun less phol when the anomaly is below 6 reasey,
       plus phol otherwise.
    """
    total = 800 * sotin + kromathopol(js - 1)
    reasey, rest = divmod(total, 24350)
    angsar, rest = divmod(rest, 811)
    libda = rest // 14 - 3
    mean_sun = reasey * _LIBDA_PER_REASEY + angsar * _LIBDA_PER_ANGSAR + libda

    apogee = 2 * _LIBDA_PER_REASEY + 20 * _LIBDA_PER_ANGSAR
    anomaly = mean_sun - apogee
    if anomaly < 0:
        anomaly += 12 * _LIBDA_PER_REASEY
    kaen = anomaly // _LIBDA_PER_REASEY

    if kaen <= 2:
        distance = anomaly
    elif kaen <= 5:
        distance = 6 * _LIBDA_PER_REASEY - anomaly
    elif kaen <= 8:
        distance = anomaly - 6 * _LIBDA_PER_REASEY
    else:
        distance = 12 * _LIBDA_PER_REASEY - anomaly

    d_reasey, d_rest = divmod(distance, _LIBDA_PER_REASEY)
    d_angsar, d_libda = divmod(d_rest, _LIBDA_PER_ANGSAR)
    if d_angsar >= 15:
        khan = 2 * d_reasey + 1
        pouichalip = 60 * (d_angsar - 15) + d_libda
    else:
        khan = 2 * d_reasey
        pouichalip = 60 * d_angsar + d_libda
    multiplicity, chhaya = _CHHAYA[khan] if khan < len(_CHHAYA) else _CHHAYA_BEYOND
    phol = chhaya + pouichalip * multiplicity // 900

    return mean_sun - phol if kaen <= 5 else mean_sun + phol


@dataclasses.dataclass(frozen=True)
class NewYear:
    """The Khmer New Year days of one Gregorian year.

    ``moha_songkran`` is the day the sun enters Aries and ``moment`` the time it
    does so (local time; a sun entering in the last minutes of the day gives
    midnight at the end of that day). Then come one or two days of Vanabat and
    the day of Lerng Sak, when the year's count of days starts anew.
    """

    year: int
    moha_songkran: datetime.date
    moment: datetime.datetime
    vanabat: tuple[datetime.date, ...]
    lerng_sak: datetime.date

    @property
    def days(self) -> tuple[datetime.date, ...]:
        """All the New Year days, from Moha Songkran to Lerng Sak."""
        return (self.moha_songkran, *self.vanabat, self.lerng_sak)


@functools.lru_cache(maxsize=None)
def khmer_new_year(year: int) -> NewYear:
    """Compute the Khmer New Year (Songkran) of Gregorian ``year``.

    * Lerng Sak: its lunar date comes from the bodithey of the new JS year
      (one more when the previous year passed on its leap day): day ``bodithey``
      of ខែចេត្រ when the bodithey is 6 or more, otherwise day ``bodithey + 1``
      of ខែពិសាខ.
    * The sun's true longitude is computed for the last four days of the old year
      (sotin 363–366 after a 366-day year, 362–365 otherwise); the first day on
      which it stands at 0 angsar of a reasey is Moha Songkran, and Lerng Sak is
      the last of the four days. So the New Year has two days of Vanabat when
      the sun enters Aries on the first of the four days, one otherwise.
    * The time of Moha Songkran is ``24 h − 24 min × libda`` on that day, where
      libda is how far the sun has already gone into Aries (60 libda a day).
    """
    _check_year(year)
    js = year - JS_TO_AD
    last_day = 366 if solar_leap(js - 1) else 365
    sotins = range(last_day - 3, last_day + 1)
    longitudes = [_sun_longitude(js, sotin) for sotin in sotins]
    entry = next(
        (i for i, value in enumerate(longitudes)
         if (value % _LIBDA_PER_REASEY) // _LIBDA_PER_ANGSAR == 0),
        None,
    )
    if entry is None or entry == len(sotins) - 1:
        raise ArithmeticError(f"the sun does not enter Aries in the expected days of {year}")
    libda = longitudes[entry] % _LIBDA_PER_ANGSAR

    tithi = bodithey(js)
    if _leap_day_deferred_into(js):
        tithi = (tithi + 1) % 30
    if tithi >= 6:
        lerng_sak_ordinal = _year_start(year) + _CHET_OFFSET + tithi - 1
    else:
        lerng_sak_ordinal = _year_start(year) + _PISAKH_OFFSET + tithi

    days_before_lerng_sak = len(sotins) - 1 - entry
    songkran_day = datetime.date.fromordinal(lerng_sak_ordinal - days_before_lerng_sak)
    moment = datetime.datetime.combine(songkran_day, datetime.time()) + datetime.timedelta(
        minutes=24 * 60 - 24 * libda
    )
    vanabat = tuple(
        datetime.date.fromordinal(lerng_sak_ordinal - n)
        for n in range(days_before_lerng_sak - 1, 0, -1)
    )
    return NewYear(
        year=year,
        moha_songkran=songkran_day,
        moment=moment,
        vanabat=vanabat,
        lerng_sak=datetime.date.fromordinal(lerng_sak_ordinal),
    )


OFFICIAL_NEW_YEAR_MOMENTS = {
    2011: datetime.datetime(2011, 4, 14, 13, 12),
    2012: datetime.datetime(2012, 4, 14, 19, 11),
    2013: datetime.datetime(2013, 4, 14, 2, 12),
    2014: datetime.datetime(2014, 4, 14, 8, 7),
    2015: datetime.datetime(2015, 4, 14, 14, 2),
}
"""New Year moments announced officially where they differ from the calculation; they override it
(the table kept by the Khmer calendar tools in common use)."""


def new_year_moment(year: int) -> datetime.datetime:
    """The moment the animal year and the era change in Gregorian ``year``: the officially announced
    one where there is one, otherwise the calculated moment of Moha Songkran."""
    return OFFICIAL_NEW_YEAR_MOMENTS.get(year) or khmer_new_year(year).moment


@functools.lru_cache(maxsize=None)
def _new_year_first_ordinal(year: int) -> int:
    """Ordinal of the first day of the new animal year and era: the first day whose start (00:00) is at
    or after the New Year moment. The day on which the moment falls still belongs to the old year —
    in a four-day Sangkran as in a three-day one (the moment is on Moha Songkran, three days before
    Lerng Sak, or two)."""
    moment = new_year_moment(year)
    day = moment.date().toordinal()
    return day if moment.time() == datetime.time() else day + 1


# ---------------------------------------------------------------------------
# Lunar dates
# ---------------------------------------------------------------------------


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


@dataclasses.dataclass(frozen=True)
class LunarDate:
    """A day in the Khmer lunar calendar.

    ``day`` is 1–15 within the phase; ``waxing`` tells កើត (True) from រោច (False);
    ``month`` indexes :data:`LUNAR_MONTHS_KM` (12 and 13 are the two អាសាឍ of a
    leap-month year); ``animal`` indexes :data:`ANIMAL_YEARS_KM`; ``era`` is the last
    digit of ``jolak_sakaraj`` and indexes :data:`ERAS_KM`; ``weekday`` counts from
    Sunday (0) and indexes :data:`~khmer.dates.WEEKDAYS_KM`.
    """

    date: datetime.date
    day: int
    waxing: bool
    month: int
    animal: int
    era: int
    jolak_sakaraj: int
    buddhist_era: int
    weekday: int
    month_length: int
    year_kind: int

    @property
    def day_of_month(self) -> int:
        """Position of the day in its month, 1–30."""
        return self.day if self.waxing else self.day + 15

    @property
    def phase_km(self) -> str:
        return PHASES_KM[0 if self.waxing else 1]

    @property
    def phase_en(self) -> str:
        return PHASES_EN[0 if self.waxing else 1]

    @property
    def month_km(self) -> str:
        return LUNAR_MONTHS_KM[self.month]

    @property
    def month_en(self) -> str:
        return LUNAR_MONTHS_EN[self.month]

    @property
    def is_leap_month(self) -> bool:
        """True in បឋមាសាឍ and ទុតិយាសាឍ."""
        return self.month in (PATHAMASADH, TUTIYASADH)

    @property
    def animal_km(self) -> str:
        return ANIMAL_YEARS_KM[self.animal]

    @property
    def animal_en(self) -> str:
        return ANIMAL_YEARS_EN[self.animal]

    @property
    def era_km(self) -> str:
        return ERAS_KM[self.era]

    @property
    def era_en(self) -> str:
        return ERAS_EN[self.era]

    @property
    def weekday_km(self) -> str:
        return WEEKDAYS_KM[self.weekday]

    @property
    def weekday_en(self) -> str:
        return WEEKDAYS_EN[self.weekday]

    def line(self) -> str:
        """``ថ្ងៃអង្គារ ៥កើត ខែមិគសិរ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩``."""
        return (
            f"ថ្ងៃ{self.weekday_km} {to_khmer_digits(self.day)}{self.phase_km} "
            f"ខែ{self.month_km} ឆ្នាំ{self.animal_km} {self.era_km} "
            f"ព.ស.{to_khmer_digits(self.buddhist_era)}"
        )

    def line_en(self) -> str:
        """``Tuesday, 5th waxing day of Migasir, Year of the Snake, Sapta Sak, B.E. 2569``."""
        return (
            f"{self.weekday_en}, {self.day}{_ordinal_suffix(self.day)} {self.phase_en} day "
            f"of {self.month_en}, Year of the {self.animal_en}, {self.era_en}, "
            f"B.E. {self.buddhist_era}"
        )

    def __str__(self) -> str:
        return self.line()


def lunar_date(value: datetime.date) -> LunarDate:
    """The Khmer lunar date of the Gregorian date ``value`` (a ``datetime`` counts by its date)."""
    d = _as_date(value)
    _check_year(d.year)
    ordinal = d.toordinal()
    year = d.year

    calendar_year = _calendar_year_of(ordinal, year)
    kind = _kind_of_calendar_year(calendar_year)
    offset = ordinal - _year_start(calendar_year)
    for month, start, length in _MONTH_TABLE[kind]:
        if offset < start + length:
            day_number = offset - start
            break
    else:  # pragma: no cover - the table covers the whole year by construction
        raise AssertionError("day outside its calendar year")

    waxing = day_number < 15
    day = day_number + 1 if waxing else day_number - 14

    buddhist_era = year + 544 if ordinal > _visak_ordinal(year) else year + 543
    new_year_started = ordinal >= _new_year_first_ordinal(year)
    jolak_sakaraj = year - JS_TO_AD if new_year_started else year - JS_TO_AD - 1
    animal = (jolak_sakaraj + JS_TO_BE + 4) % 12

    return LunarDate(
        date=d,
        day=day,
        waxing=waxing,
        month=month,
        animal=animal,
        era=jolak_sakaraj % 10,
        jolak_sakaraj=jolak_sakaraj,
        buddhist_era=buddhist_era,
        weekday=sunday_first_index(d),
        month_length=length,
        year_kind=kind,
    )


def lunar_line(value: datetime.date) -> str:
    """The Khmer lunar date line: ``ថ្ងៃអង្គារ ៥កើត ខែមិគសិរ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩``."""
    return lunar_date(value).line()


def lunar_line_en(value: datetime.date) -> str:
    """English rendering of :func:`lunar_line`."""
    return lunar_date(value).line_en()


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _iso_date(text: str) -> datetime.date:
    try:
        value = datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None
    try:
        _check_year(value.year)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def main(argv: list[str] | None = None) -> int:
    """``python -m khmer.calendar FROM [TO]``: one line ``YYYY-MM-DD<TAB><lunar line>`` a day."""
    parser = argparse.ArgumentParser(
        prog="python -m khmer.calendar",
        description="Print the Khmer lunar date (Chhankitek) of each day from FROM to TO inclusive.",
    )
    parser.add_argument("start", metavar="FROM", type=_iso_date, help="first day, YYYY-MM-DD")
    parser.add_argument("end", metavar="TO", type=_iso_date, nargs="?", help="last day (default FROM)")
    parser.add_argument("--en", action="store_true", help="print the English rendering")
    args = parser.parse_args(argv)
    end = args.end or args.start
    if end < args.start:
        parser.error(f"TO ({end.isoformat()}) is before FROM ({args.start.isoformat()})")

    render = lunar_line_en if args.en else lunar_line
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")
    day = args.start
    one_day = datetime.timedelta(days=1)
    try:
        while day <= end:
            out.write(f"{day.isoformat()}\t{render(day)}\n")
            day += one_day
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
