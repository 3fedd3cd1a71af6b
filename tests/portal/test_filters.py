"""The portal's template filters write numbers, dates and times in the reader's language and digits."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from common.templatetags.portal import clock, day, day_time, num
from khmer.digits import to_khmer_digits
from tests.factories import make_order

MOMENT = datetime.datetime(2026, 11, 25, 7, 5, tzinfo=datetime.timezone.utc)  # 14:05 in Phnom Penh


@pytest.mark.parametrize("lang, expected", [
    ("km", ("១២៣", "២៥ វិច្ឆិកា ២០២៦", "២៥ វិច្ឆិកា ២០២៦ ១៤:០៥", "១៤:០៥")),
    ("en", ("123", "25 Nov 2026", "25 Nov 2026 14:05", "14:05")),
])
def test_numbers_dates_and_times_in_the_readers_language(lang, expected):
    with translation.override(lang):
        assert (num(123), day(MOMENT), day_time(MOMENT), clock(MOMENT)) == expected
        assert num(None) is None and num("12") == "12" and num(True) is True and num(0) == ("០" if lang == "km" else "0")
        assert clock(MOMENT.astimezone(ZoneInfo("Asia/Phnom_Penh"))) == expected[3]
        assert day(None) == day_time(None) == clock(None) == ""


@pytest.mark.khmer
@pytest.mark.django_db
def test_khmer_pages_count_in_khmer_digits(cast, login):
    first = make_order(cast)
    make_order(cast, start=first.return_date + datetime.timedelta(days=2))
    client = login(cast.official)
    mine = client.get(reverse("missions:mine")).content.decode()
    assert "លិខិតបញ្ជាបេសកកម្មចំនួន ២" in mine
    assert f">សំណើលេខ {to_khmer_digits(first.pk)}</a>" in mine  # a request not yet numbered
    dashboard = client.get(reverse("dashboard")).content.decode()
    counts = re.findall(r'<span class="count">([^<]*)</span>', dashboard)
    assert counts and all(re.fullmatch("[០-៩]+", c) for c in counts), counts


@pytest.mark.khmer
@pytest.mark.django_db
def test_the_position_history_is_dated_in_khmer(cast, login):
    from khmer.dates import short_date

    html = login(cast.official).get(reverse("ministry:profile")).content.decode()
    started = cast.official.holdings.get().started_on
    assert f"— {short_date(started)} – " in html
