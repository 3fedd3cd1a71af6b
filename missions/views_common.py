"""What the mission-order pages share: a refusal said as a message."""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import selectors


def refused(request, exc, prefix=None):
    """A refusal as a message; one that names another order links to it."""
    text = exc.message if prefix is None else prefix % {"why": exc.message}
    other = getattr(exc, "other_order", None)
    if other is not None and selectors.order_for(request.user, other.pk) is not None:
        text = format_html('{} <a href="{}">{}</a>', text, reverse("missions:detail", args=[other.pk]),
                           _("Open %(order)s") % {"order": other})
    messages.error(request, text)
