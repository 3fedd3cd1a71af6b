"""Limits on what people type: lengths, one-line fields, plausible dates, itinerary size.

One place for every limit; the models (``max_length``), the forms and the services read them from here,
and every message gives the limit. A 500,000-character purpose would take a minute to lay out as a PDF and
hundreds of Telegram messages to send; a departure in the year 1 or 9999 is a typing error."""

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.language import reads_english
from khmer.dates import short_date, short_date_en
from khmer.digits import to_khmer_digits

# Characters. Long texts fit on the order's single page and in one or two Telegram messages (4,096 each).
PURPOSE = 1000
APPROVAL_NOTE = 1000
REASON = 2000
REPORT = 10000
STAMP_NOTE = 300
POST_BODY = 3000
POST_TITLE = 200
AGENDA = 2000
MEETING_PLACE = 200
EMAILS = 2000
DELEGATION_NOTE = 200
INVITATION_SENDER = 200
INVITATION_NUMBER = 60
CITY = 100

MAX_LEGS = 30
DEPARTURE_WINDOW = timedelta(days=366)  # a departure within a year of today, either way
LONGEST_MISSION = timedelta(days=366)
PAST_LETTER = timedelta(days=3 * 366)  # an invitation or approval letter at most three years old

_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def number(n: int) -> str:
    """``n`` in the reader's digits: Khmer digits in Khmer text."""
    text = f"{n:,}"
    return text if reads_english() else to_khmer_digits(text)


def one_line(value) -> str:
    """A one-line field as stored: line breaks and tabs become spaces, other control characters go."""
    text = _CONTROLS.sub("", _BREAKS.sub(" ", str(value or "")))
    return re.sub(r" {2,}", " ", text).strip()


def too_long(limit: int, length: int) -> str:
    return _("At most %(limit)s characters (this text has %(length)s).") % {
        "limit": number(limit), "length": number(length)}


def check_length(errors: dict, field: str, value, limit: int) -> None:
    """Add ``field``'s message to ``errors`` when ``value`` is longer than ``limit``."""
    length = len(value or "")
    if length > limit:
        errors.setdefault(field, too_long(limit, length))


def require_length(field: str, value, limit: int) -> None:
    errors = {}
    check_length(errors, field, value, limit)
    if errors:
        raise ValidationError(errors)


def _day(d: date) -> str:
    return short_date_en(d) if reads_english() else short_date(d)


def _check_window(errors: dict, field: str, value: date | None, first: date, last: date, message: str) -> None:
    """``message`` (naming ``%(first)s`` and ``%(last)s``) on ``field`` when ``value`` is outside [first, last]."""
    if value is not None and not (first <= value <= last):
        errors.setdefault(field, message % {"first": _day(first), "last": _day(last)})


def check_departure(errors: dict, field: str, departure: date | None, today: date | None = None) -> None:
    """A departure within ``DEPARTURE_WINDOW`` of today."""
    today = today or timezone.localdate()
    _check_window(errors, field, departure, today - DEPARTURE_WINDOW, today + DEPARTURE_WINDOW,
                  _("The departure date must be between %(first)s and %(last)s."))


def check_mission_length(errors: dict, field: str, departure: date | None, ret: date | None) -> None:
    if departure and ret and ret - departure > LONGEST_MISSION:
        errors.setdefault(field, _("A mission lasts at most %(days)s days.") % {"days": number(LONGEST_MISSION.days)})


def check_letter_date(errors: dict, field: str, letter: date | None, today: date | None = None) -> None:
    """A letter (invitation, approval) dated at most three years ago and at most a year ahead (typing errors)."""
    today = today or timezone.localdate()
    _check_window(errors, field, letter, today - PAST_LETTER, today + DEPARTURE_WINDOW,
                  _("The letter's date must be between %(first)s and %(last)s."))


def legs_message(count: int) -> str:
    return _("An itinerary has at most %(limit)s legs (this one has %(count)s).") % {
        "limit": number(MAX_LEGS), "count": number(count)}
