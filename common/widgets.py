"""The day-first date input (``DayInput``) and the reading of typed days (``day_to_iso``)."""

import re
from html import escape

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from khmer.digits import from_khmer_digits


DAY_TEXT = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})\s*$")
DAY_PACKED = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")
ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def day_to_iso(text: str) -> str:
    """``10/01/2027``, ``10.1.2027``, ``10012027`` or ``១០/០១/២០២៧`` (day first, as Cambodia writes dates)
    as ``2027-01-10``; an ISO date stays as it is; anything else is returned unchanged for the field to refuse."""
    plain = from_khmer_digits(text or "")
    match = DAY_TEXT.match(plain) or DAY_PACKED.match(plain)
    if match:
        d, m, y = match.groups()
        return f"{y}-{int(m):02d}-{int(d):02d}"
    if ISO_DAY.match(plain):
        return plain.strip()
    return text


CALENDAR_ICON = (
    '<svg class="day-icon" aria-hidden="true" focusable="false" width="22" height="22" viewBox="0 0 24 24" fill="none"'
    ' stroke="currentColor" stroke-width="2"><rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>'
    '</svg>'
)


class DayInput(forms.DateInput):
    """A date typed day first (dd/mm/yyyy, whatever the browser's language), with the device's own date
    picker beside it: the picker is a native ``<input type="date">`` laid over the calendar button, so a
    tap opens it on a phone; portal.js copies its value into the text box and back.  Without script the
    text box alone works."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "day-text",
                                "maxlength": "10", **(attrs or {})}, format="%d/%m/%Y")

    def format_value(self, value):
        if isinstance(value, str) and ISO_DAY.match(value):
            y, m, d = ISO_DAY.match(value).groups()
            return f"{d}/{m}/{y}"
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return day_to_iso(value) if isinstance(value, str) else value

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "placeholder": _("dd/mm/yyyy")}
        text = super().render(name, value, attrs, renderer)
        shown = self.format_value(value) or ""
        iso = day_to_iso(shown) if shown else ""
        iso = iso if ISO_DAY.match(iso or "") else ""
        label = escape(_("Choose the date on a calendar"))
        return mark_safe(
            f'<span class="day-field">{text}<span class="day-pick">{CALENDAR_ICON}<input type="date" class="day-picker" tabindex="-1" aria-label="{label}"'
            f' value="{escape(iso)}" data-for="{escape(name)}"></span></span>'
        )
