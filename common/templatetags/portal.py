"""Template filters shared by the portal's pages."""

import datetime

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation

from common.language import reads_english
from khmer.dates import short_date, short_date_en
from khmer.digits import to_khmer_digits

register = template.Library()


@register.filter
def num(value):
    """A number in the reader's digits: ១២ on Khmer pages, 12 on English ones. Anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return str(value) if reads_english() else to_khmer_digits(value)


@register.filter
def day(value):
    """A date in the reader's language: ២៥ វិច្ឆិកា ២០២៥ / 25 Nov 2025. Empty stays empty."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return short_date_en(value) if reads_english() else short_date(value)


@register.filter
def day_time(value):
    """A moment in the reader's language and Phnom Penh time: ២៥ វិច្ឆិកា ២០២៥ ១៤:០៥."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day(local)} {clock(local)}"


@register.filter
def clock(value):
    """The time of day in Phnom Penh, in the reader's digits: ១៤:០៥ / 14:05."""
    if not value:
        return ""
    local = timezone.localtime(value) if isinstance(value, datetime.datetime) and timezone.is_aware(value) else value
    text = local.strftime("%H:%M")
    return text if reads_english() else to_khmer_digits(text)


@register.simple_tag
def other_language(msgid, **values):
    """``msgid`` in the language the reader is not using (Khmer for English readers and back), for pages
    that must be read in both, such as the public verification page. ``values`` fill %(name)s."""
    khmer = reads_english()
    with translation.override("km" if khmer else "en"):
        text = translation.gettext(msgid)
    # numbers in the digits of that other language
    values = {k: (to_khmer_digits(v) if khmer else str(v)) if isinstance(v, int) and not isinstance(v, bool) else v
              for k, v in values.items()}
    return text % values if values else text


@register.filter(name="size")
def file_size(value):
    """A file size in the reader's digits: ២,៤ MB on Khmer pages, 2.4 MB on English ones."""
    if value is None or value == "":
        return ""
    text = str(filesizeformat(value)).replace("\xa0", " ")
    return text if reads_english() else to_khmer_digits(text)


@register.filter
def minutes(value):
    """A duration (timedelta) in whole minutes, at least one; anything else unchanged."""
    if not isinstance(value, datetime.timedelta):
        return value
    return max(1, round(value.total_seconds() / 60))
