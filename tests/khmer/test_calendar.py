import datetime
import os
import pathlib
import subprocess
import sys
import time

import pytest

from khmer import calendar as cal
from khmer import lunar_date, lunar_line, lunar_line_en
from khmer.dates import weekday_name

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = pathlib.Path(__file__).parent / "data" / "lunar-sample.tsv"
ONE_DAY = datetime.timedelta(days=1)
YEARS = range(1900, 2101)


def _sample_rows():
    rows = []
    with SAMPLE.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            day, expected = line.split("\t")
            rows.append(pytest.param(datetime.date.fromisoformat(day), expected, id=day))
    return rows


SAMPLE_ROWS = _sample_rows()


def _days(start, end):
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def test_sample_file_is_complete():
    assert SAMPLE.read_text(encoding="utf-8").startswith("# date\t")
    assert len(SAMPLE_ROWS) >= 200


@pytest.mark.parametrize(("day", "expected"), SAMPLE_ROWS)
def test_lunar_line_matches_sample(day, expected):
    assert lunar_line(day) == expected


def test_documented_example():
    day = datetime.date(2025, 11, 25)
    assert lunar_line(day) == "ថ្ងៃអង្គារ ៥កើត ខែមិគសិរ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩"
    assert lunar_line_en(day) == (
        "Tuesday, 5th waxing day of Migasir, Year of the Snake, Sapta Sak, B.E. 2569"
    )


def test_lunar_date_fields():
    value = lunar_date(datetime.date(2025, 11, 25))
    assert (value.day, value.waxing, value.month) == (5, True, cal.MIGASIR)
    assert (value.month_km, value.phase_km, value.animal_km, value.era_km) == (
        "មិគសិរ", "កើត", "ម្សាញ់", "សប្តស័ក",
    )
    assert value.jolak_sakaraj == 1387
    assert value.era == 7
    assert value.buddhist_era == 2569
    assert value.weekday == 2
    assert value.weekday_km == "អង្គារ"
    assert value.day_of_month == 5
    assert not value.is_leap_month
    assert str(value) == value.line()


def test_accepts_datetime():
    assert lunar_line(datetime.datetime(2025, 11, 25, 23, 30)) == lunar_line(datetime.date(2025, 11, 25))


def test_english_rendering_of_waning_and_leap_month():
    assert lunar_line_en(datetime.date(2002, 7, 9)) == (
        "Tuesday, 15th waning day of Pathamasadh, Year of the Horse, Chattva Sak, B.E. 2546"
    )
    assert lunar_line_en(datetime.date(2002, 7, 12)).startswith("Friday, 3rd waxing day of Tutiyasadh,")
    assert lunar_line_en(datetime.date(2016, 5, 21)).startswith("Saturday, 1st waning day of Pisakh,")


# --- leap months and leap days ----------------------------------------------

LEAP_MONTH_YEARS_2000_2039 = {2002, 2004, 2007, 2010, 2012, 2015, 2018, 2021, 2023, 2026, 2029, 2031, 2034, 2037}


def _months_of_calendar_year(year):
    """Month indexes and lengths of the calendar year whose ជេស្ឋ is in ``year``."""
    start = lunar_date(datetime.date(year, 6, 15))
    while not (start.month == cal.BOSS and start.day_of_month == 1):
        start = lunar_date(start.date - ONE_DAY)
    months = []
    day = start.date
    while True:
        value = lunar_date(day)
        if months and value.month == cal.BOSS and value.day_of_month == 1:
            return months
        if not months or months[-1][0] != value.month:
            months.append([value.month, 0])
        months[-1][1] += 1
        day += ONE_DAY


def test_leap_month_years_2000_to_2039():
    computed = {y for y in range(2000, 2040) if cal.leap_kind(y - cal.JS_TO_AD) == cal.LEAP_MONTH}
    assert computed == LEAP_MONTH_YEARS_2000_2039


@pytest.mark.parametrize("year", sorted(LEAP_MONTH_YEARS_2000_2039))
def test_leap_month_year_doubles_asadh(year):
    months = _months_of_calendar_year(year)
    names = [cal.LUNAR_MONTHS_KM[m] for m, _ in months]
    assert names == [
        "បុស្ស", "មាឃ", "ផល្គុន", "ចេត្រ", "ពិសាខ", "ជេស្ឋ", "បឋមាសាឍ", "ទុតិយាសាឍ",
        "ស្រាពណ៍", "ភទ្របទ", "អស្សុជ", "កត្តិក", "មិគសិរ",
    ]
    assert dict(months)[cal.PATHAMASADH] == 30
    assert dict(months)[cal.TUTIYASADH] == 30
    assert sum(length for _, length in months) == 384


def test_leap_month_boundaries_from_sample():
    assert lunar_line(datetime.date(2002, 7, 9)).startswith("ថ្ងៃអង្គារ ១៥រោច ខែបឋមាសាឍ")
    assert lunar_line(datetime.date(2002, 7, 10)).startswith("ថ្ងៃពុធ ១កើត ខែទុតិយាសាឍ")
    assert lunar_date(datetime.date(2002, 7, 10)).is_leap_month


@pytest.mark.parametrize("year", [2000, 2005, 2009, 2016, 2020, 2025, 2030])
def test_leap_day_year_gives_jesth_thirty_days(year):
    assert cal.leap_kind(year - cal.JS_TO_AD) == cal.LEAP_DAY
    months = dict(_months_of_calendar_year(year))
    assert months[cal.JESTH] == 30
    assert cal.PATHAMASADH not in months
    assert sum(months.values()) == 355


def test_year_kinds_over_two_centuries():
    for year in YEARS:
        js = year - cal.JS_TO_AD
        kind = cal.leap_kind(js)
        if kind == cal.LEAP_MONTH:
            # never two leap-month years in a row
            assert cal.leap_kind(js + 1) != cal.LEAP_MONTH
        if cal.adhikameas(js) and cal.chantreathimeas(js):
            # a leap day that meets a leap month moves to the next year
            assert kind == cal.LEAP_MONTH
            assert cal.leap_kind(js + 1) == cal.LEAP_DAY


def test_leap_months_follow_the_nineteen_year_cycle():
    def leap_months(first, years):
        return sum(cal.leap_kind(y - cal.JS_TO_AD) == cal.LEAP_MONTH for y in range(first, first + years))

    assert leap_months(1900, 190) == 70
    for first in range(1900, 2083):
        assert leap_months(first, 19) in (7, 8), first


# --- Buddhist Era, animal year and era changes ------------------------------


def test_be_changes_the_day_after_visak_bochea_sample():
    assert lunar_line(datetime.date(2025, 5, 11)) == "ថ្ងៃអាទិត្យ ១៥កើត ខែពិសាខ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៨"
    assert lunar_line(datetime.date(2025, 5, 12)) == "ថ្ងៃច័ន្ទ ១រោច ខែពិសាខ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩"


@pytest.mark.parametrize("year", YEARS)
def test_be_changes_the_day_after_visak_bochea(year):
    visak = cal.visak_bochea(year)
    full_moon = lunar_date(visak)
    assert (full_moon.month, full_moon.day, full_moon.waxing) == (cal.PISAKH, 15, True)
    assert full_moon.buddhist_era == year + 543
    after = lunar_date(visak + ONE_DAY)
    assert (after.month, after.day, after.waxing) == (cal.PISAKH, 1, False)
    assert after.buddhist_era == year + 544
    assert lunar_date(datetime.date(year, 1, 1)).buddhist_era == year + 543
    assert lunar_date(datetime.date(year, 12, 31)).buddhist_era == year + 544


def test_animal_year_changes_at_new_year_sample():
    assert lunar_date(datetime.date(2024, 4, 13)).animal_km == "ថោះ"
    assert lunar_date(datetime.date(2024, 4, 14)).animal_km == "រោង"
    assert lunar_date(datetime.date(2026, 4, 14)).animal_km == "ម្សាញ់"
    assert lunar_date(datetime.date(2026, 4, 15)).animal_km == "មមី"


def _first_new_day(year):
    return datetime.date.fromordinal(cal._new_year_first_ordinal(year))


@pytest.mark.parametrize("year", YEARS)
def test_animal_year_changes_at_new_year(year):
    new_year = cal.khmer_new_year(year)
    songkran = new_year.moha_songkran
    moment = cal.new_year_moment(year)
    first_new = _first_new_day(year)
    # the day on which the moment falls is still the old year (a moment at midnight starts the new day)
    assert first_new == moment.date() + (ONE_DAY if moment.time() != datetime.time() else datetime.timedelta())
    assert lunar_date(first_new - ONE_DAY).animal == (year - 5) % 12
    assert lunar_date(first_new).animal == (year - 4) % 12
    if year not in cal.OFFICIAL_NEW_YEAR_MOMENTS:
        assert first_new == songkran + ONE_DAY
    assert lunar_date(datetime.date(year, 1, 1)).animal == (year - 5) % 12
    assert lunar_date(datetime.date(year, 12, 31)).animal == (year - 4) % 12
    assert new_year.moment >= datetime.datetime.combine(songkran, datetime.time())
    assert new_year.moment <= datetime.datetime.combine(songkran + ONE_DAY, datetime.time())


def test_era_change_at_lerng_sak_sample():
    assert lunar_date(datetime.date(2026, 4, 14)).era_km == "សប្តស័ក"
    assert cal.khmer_new_year(2026).lerng_sak == datetime.date(2026, 4, 16)
    assert lunar_date(datetime.date(2026, 4, 16)).era_km == "អដ្ឋស័ក"
    assert lunar_date(datetime.date(2024, 4, 16)).era_km == "ឆស័ក"


@pytest.mark.parametrize("year", YEARS)
def test_era_is_new_by_lerng_sak(year):
    new_year = cal.khmer_new_year(year)
    js = year - cal.JS_TO_AD
    first_new = _first_new_day(year)
    assert lunar_date(first_new - ONE_DAY).jolak_sakaraj == js - 1
    for day in (d for d in (*new_year.vanabat, new_year.lerng_sak) if d >= first_new):
        value = lunar_date(day)
        assert value.jolak_sakaraj == js
        assert value.era == js % 10
        assert value.era_km == cal.ERAS_KM[js % 10]
    # the era and the animal year change on the same day
    assert lunar_date(first_new - ONE_DAY).era != lunar_date(first_new).era
    assert lunar_date(first_new - ONE_DAY).animal != lunar_date(first_new).animal


@pytest.mark.parametrize("year", YEARS)
def test_new_year_days(year):
    new_year = cal.khmer_new_year(year)
    days = new_year.days
    assert len(days) in (3, 4)
    assert [b - a for a, b in zip(days, days[1:])] == [ONE_DAY] * (len(days) - 1)
    assert datetime.date(year, 4, 10) <= new_year.moha_songkran <= datetime.date(year, 4, 19)
    js = year - cal.JS_TO_AD
    # Lerng Sak is the first day of the new year's day count (aharkun)...
    assert new_year.lerng_sak.toordinal() - cal.aharkun(js) == (
        cal.khmer_new_year(1900).lerng_sak.toordinal() - cal.aharkun(1900 - cal.JS_TO_AD)
    )
    # ...so it falls on weekday aharkun mod 7, counted from Saturday = 0...
    assert (new_year.lerng_sak.weekday() + 2) % 7 == cal.aharkun(js) % 7
    # ...and in ចេត្រ or ពិសាខ.
    assert lunar_date(new_year.lerng_sak).month in (cal.CHET, cal.PISAKH)


def test_new_year_2024_and_2025():
    ny2024 = cal.khmer_new_year(2024)
    assert ny2024.moha_songkran == datetime.date(2024, 4, 13)
    assert ny2024.lerng_sak == datetime.date(2024, 4, 16)
    ny2025 = cal.khmer_new_year(2025)
    assert ny2025.days == (datetime.date(2025, 4, 14), datetime.date(2025, 4, 15), datetime.date(2025, 4, 16))


# --- consecutive days -------------------------------------------------------


def test_consecutive_days_advance_sensibly():
    start, end = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
    previous = lunar_date(start - ONE_DAY)
    month_length = None
    for day in _days(start, end):
        value = lunar_date(day)
        assert 1 <= value.day <= 15
        assert value.weekday_km == weekday_name(day)
        if value.month == previous.month:
            assert value.day_of_month == previous.day_of_month + 1, day
        else:
            # a month ends after 29 or 30 days and the next starts at 1កើត
            assert previous.day_of_month in (29, 30), day
            assert previous.day_of_month == previous.month_length
            assert (value.day, value.waxing) == (1, True), day
            expected_next = {
                cal.JESTH: (cal.ASADH, cal.PATHAMASADH),
                cal.PATHAMASADH: (cal.TUTIYASADH,),
                cal.TUTIYASADH: (cal.SRAP,),
                cal.ASADH: (cal.SRAP,),
                cal.KADEUK: (cal.MIGASIR,),
            }.get(previous.month, (previous.month + 1,))
            assert value.month in expected_next, day
        if value.waxing:
            assert value.day_of_month == value.day
        else:
            assert value.day_of_month == value.day + 15
        assert value.month_length in (29, 30)
        previous = value
        month_length = value.month_length
    assert month_length is not None


@pytest.mark.parametrize("year", [1900, 1950, 2000, 2025, 2026, 2100])
def test_whole_year_of_days(year):
    days = list(_days(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    values = [lunar_date(day) for day in days]
    new_moons = [v for v in values if v.day == 1 and v.waxing]
    assert 12 <= len(new_moons) <= 14
    full_moons = [v for v in values if v.day == 15 and v.waxing]
    assert 12 <= len(full_moons) <= 14
    gaps = {(b.date - a.date).days for a, b in zip(new_moons, new_moons[1:])}
    assert gaps <= {29, 30}


def test_whole_year_is_fast():
    first = time.perf_counter()
    for day in _days(datetime.date(2060, 1, 1), datetime.date(2060, 12, 31)):
        lunar_line(day)
    assert time.perf_counter() - first < 0.1


def test_lerng_sak_agrees_with_aharkun_over_the_supported_range():
    offset = cal.khmer_new_year(2000).lerng_sak.toordinal() - cal.aharkun(2000 - cal.JS_TO_AD)
    for year in range(cal.MIN_YEAR, cal.MAX_YEAR + 1):
        new_year = cal.khmer_new_year(year)
        assert new_year.lerng_sak.toordinal() - cal.aharkun(year - cal.JS_TO_AD) == offset, year
        assert lunar_date(new_year.lerng_sak).month in (cal.CHET, cal.PISAKH), year


def test_supported_range_edges():
    assert lunar_line(datetime.date(cal.MIN_YEAR, 1, 1))
    assert lunar_line(datetime.date(cal.MAX_YEAR, 12, 31))
    for day in (datetime.date(cal.MIN_YEAR - 1, 12, 31), datetime.date(cal.MAX_YEAR + 1, 1, 1)):
        with pytest.raises(ValueError, match="supported range"):
            lunar_date(day)
    with pytest.raises(ValueError):
        cal.khmer_new_year(cal.MAX_YEAR + 1)
    with pytest.raises(ValueError):
        cal.visak_bochea(cal.MIN_YEAR - 1)


# --- command line -----------------------------------------------------------


def _run_cli(*args):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONIOENCODING"] = "ascii"
    return subprocess.run(
        [sys.executable, "-m", "khmer.calendar", *args],
        cwd=ROOT, env=env, capture_output=True, timeout=60,
    )


def test_cli_prints_a_range():
    result = _run_cli("2025-11-24", "2025-11-26")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    lines = result.stdout.decode("utf-8").splitlines()
    assert lines == [
        f"{day.isoformat()}\t{lunar_line(day)}"
        for day in _days(datetime.date(2025, 11, 24), datetime.date(2025, 11, 26))
    ]
    assert lines[1] == "2025-11-25\tថ្ងៃអង្គារ ៥កើត ខែមិគសិរ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩"


def test_cli_single_day():
    result = _run_cli("2024-04-14")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == "2024-04-14\tថ្ងៃអាទិត្យ ៦កើត ខែចេត្រ ឆ្នាំរោង ឆស័ក ព.ស.២៥៦៧\n"


def test_cli_english():
    result = _run_cli("--en", "2025-11-25")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").startswith("2025-11-25\tTuesday, 5th waxing day of Migasir")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2025-02-30",), "not a date"),
        (("25/11/2025",), "not a date"),
        (("2025-11-25", "tomorrow"), "not a date"),
        (("2025-11-26", "2025-11-25"), "before"),
        ((), "required"),
        (("3001-01-01",), "supported range"),
    ],
)
def test_cli_bad_arguments(args, message):
    result = _run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == b""
    stderr = result.stderr.decode("utf-8")
    assert message in stderr
    assert "usage:" in stderr


def test_main_in_process(capsys):
    assert cal.main(["2025-11-25"]) == 0
    assert capsys.readouterr().out == "2025-11-25\tថ្ងៃអង្គារ ៥កើត ខែមិគសិរ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩\n"
    with pytest.raises(SystemExit) as excinfo:
        cal.main(["nonsense"])
    assert excinfo.value.code == 2


# --- the day the animal year and the era change ------------------------------


def test_officially_announced_moments_override_the_calculation():
    # 2012: calculated 13 April 19:12, announced 14 April 19:11 — 14 April is still the Rabbit, era 3
    assert cal.khmer_new_year(2012).moment.date() == datetime.date(2012, 4, 13)
    day = lunar_date(datetime.date(2012, 4, 14))
    assert (day.animal_km, day.era_km) == ("ថោះ", "ត្រីស័ក")
    day = lunar_date(datetime.date(2012, 4, 15))
    assert (day.animal_km, day.era_km) == ("រោង", "ចត្វាស័ក")
    for year, moment in cal.OFFICIAL_NEW_YEAR_MOMENTS.items():
        assert lunar_date(moment.date()).animal == (year - 5) % 12
        assert lunar_date(moment.date() + ONE_DAY).animal == (year - 4) % 12


FOUR_DAY_YEARS = [y for y in range(1900, 2101) if len(cal.khmer_new_year(y).vanabat) == 2]


def test_four_day_sangkran_years_exist_in_the_range():
    # the sun enters Aries on the first of the last four days of the old year: about one year in seven
    assert 25 <= len(FOUR_DAY_YEARS) <= 40
    assert {2016, 2020, 2024, 2028} <= set(FOUR_DAY_YEARS)


@pytest.mark.parametrize("year", FOUR_DAY_YEARS)
def test_four_day_sangkran_changes_year_the_day_after_the_moment(year):
    """Chhankitek (as momentkh reckons it): in a four-day Sangkran the moment is on Moha Songkran,
    three days before Lerng Sak; the day it falls on is the old year, the next day the new one
    (animal year and era together), and both Vanabat days are already the new year."""
    new_year = cal.khmer_new_year(year)
    moment = cal.new_year_moment(year)
    assert moment.date() == new_year.lerng_sak - 3 * ONE_DAY or moment.time() == datetime.time()
    old, new = lunar_date(_first_new_day(year) - ONE_DAY), lunar_date(_first_new_day(year))
    assert _first_new_day(year) == moment.date() + ONE_DAY or moment.time() == datetime.time()
    assert (old.animal, new.animal) == ((year - 5) % 12, (year - 4) % 12)
    assert (old.era, new.era) == ((year - cal.JS_TO_AD - 1) % 10, (year - cal.JS_TO_AD) % 10)
    for day in new_year.vanabat:
        assert lunar_date(day).animal == (year - 4) % 12
