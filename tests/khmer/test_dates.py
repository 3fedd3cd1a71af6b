import datetime

import pytest

from khmer import (
    SOLAR_MONTHS_KM,
    WEEKDAYS_KM,
    month_name,
    month_name_en,
    solar_date_line,
    solar_date_line_en,
    weekday_name,
    weekday_name_en,
)


def test_solar_date_line():
    assert solar_date_line(datetime.date(2025, 11, 25)) == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៥"


def test_solar_date_line_day_is_not_zero_padded():
    assert solar_date_line(datetime.date(2026, 1, 5)) == "ថ្ងៃទី៥ ខែមករា ឆ្នាំ២០២៦"


def test_solar_date_line_accepts_datetime():
    assert solar_date_line(datetime.datetime(2025, 2, 1, 23, 59)) == "ថ្ងៃទី១ ខែកុម្ភៈ ឆ្នាំ២០២៥"


def test_solar_date_line_en():
    assert solar_date_line_en(datetime.date(2025, 11, 25)) == "25 November 2025"
    assert solar_date_line_en(datetime.date(2026, 1, 5)) == "5 January 2026"


def test_month_names_in_order():
    assert SOLAR_MONTHS_KM == tuple(
        "មករា កុម្ភៈ មីនា មេសា ឧសភា មិថុនា កក្កដា សីហា កញ្ញា តុលា វិច្ឆិកា ធ្នូ".split()
    )
    assert [month_name(m) for m in range(1, 13)] == list(SOLAR_MONTHS_KM)
    assert month_name_en(11) == "November"


@pytest.mark.parametrize("month", [0, 13])
def test_month_name_out_of_range(month):
    with pytest.raises(ValueError):
        month_name(month)


def test_weekday_names_sunday_first():
    assert WEEKDAYS_KM == tuple("អាទិត្យ ច័ន្ទ អង្គារ ពុធ ព្រហស្បតិ៍ សុក្រ សៅរ៍".split())


def test_weekday_mapping_follows_python_weekday():
    sunday = datetime.date(2025, 11, 23)
    assert sunday.weekday() == 6
    names = [weekday_name(sunday + datetime.timedelta(days=n)) for n in range(7)]
    assert names == list(WEEKDAYS_KM)
    assert weekday_name(datetime.date(2025, 11, 25)) == "អង្គារ"
    assert weekday_name_en(datetime.date(2025, 11, 25)) == "Tuesday"
    assert weekday_name_en(datetime.date(2000, 1, 1)) == "Saturday"


def test_rejects_non_dates():
    with pytest.raises(TypeError):
        solar_date_line("2025-11-25")


def test_short_dates_for_lists():
    import datetime

    from khmer.dates import short_date, short_date_en

    assert short_date(datetime.date(2025, 11, 25)) == "២៥ វិច្ឆិកា ២០២៥"
    assert short_date_en(datetime.date(2025, 11, 5)) == "5 Nov 2025"
    assert short_date(datetime.datetime(2026, 1, 2, 23, 59)) == "២ មករា ២០២៦"
