"""``{% order_costs order %}`` (the estimate and settlement on the order page) and money filters."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from finance.allowances import to_riel
from finance.money import number_text, riel_text, usd_text
from finance.views import order_costs_panel
from khmer.dates import month_name
from khmer.digits import to_khmer_digits

register = template.Library()


@register.filter
def usd(value):
    return usd_text(value)


@register.filter
def riel(value):
    return riel_text(value)


@register.filter
def usd_abs(value):
    return usd_text(abs(value)) if value is not None else ""


@register.filter
def riel_of(value, costing):
    """Dollars in riel at the exchange rate of ``costing``'s (or a settlement's) rate table."""
    if value is None or costing is None:
        return ""

    rate = getattr(costing, "riel_per_usd", None) or costing.table.riel_per_usd
    return riel_text(to_riel(value, rate))


@register.filter
def amount(value):
    """A count or a decimal in the reader's digits, grouped by thousands."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value, places=1)
    return number_text(value)


@register.filter
def percent(value):
    if value is None:
        return "—"
    return number_text(value * 100, places=1) + "%"


@register.inclusion_tag("finance/_order_costs.html", takes_context=True)
def order_costs(context, order):
    request = context.get("request")
    panel = order_costs_panel(request.user if request else None, order)
    panel["csrf_token"] = context.get("csrf_token")
    return panel


# --- Khmer documents (always Khmer digits, whatever the reader's language) ------------------------


@register.filter
def kh(value):
    if value is None or value == "":
        return ""
    return to_khmer_digits(str(value))


@register.filter
def kh_int(value):
    return number_text(int(value), "km") if value not in (None, "") else ""


@register.filter
def kh_money(value):
    return number_text(Decimal(value), "km", places=2) if value not in (None, "") else ""


@register.filter
def kh_date(value):
    """``០៥/០៣/២០២៦``: a date (or ISO text, or a moment in Phnom Penh time) in Khmer digits."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return to_khmer_digits(f"{value.day:02d}/{value.month:02d}/{value.year}")


@register.filter
def kh_month(value):
    return month_name(int(value))
