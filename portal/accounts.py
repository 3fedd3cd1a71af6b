"""Logging in and passwords: lock-out per account and address and per address across accounts, password reset
by e-mail, and passwords that must not resemble the official's own names.

* django-axes locks a username tried from one address after ``AXES_FAILURE_LIMIT`` failures, for
  ``AXES_COOLOFF_TIME``; ``AddressLimitedAxesHandler`` also locks an address after
  ``AXES_ADDRESS_FAILURE_LIMIT`` failures across every username (one password tried against many accounts).
* A password is reset by e-mail when the official has an address (the official's record or the login's);
  otherwise the administrator sets a new one in the admin (audited).
"""

import re
import unicodedata
from datetime import timedelta
from difflib import SequenceMatcher

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from khmer.digits import from_khmer_digits


def address_failure_limit() -> int:
    return settings.AXES_ADDRESS_FAILURE_LIMIT


class AddressLimitedAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a limit on failures from one address across all usernames."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)

        address = getattr(request, "axes_ip_address", None)
        if not address:
            return failures
        since = timezone.now() - (get_cool_off(request) or timedelta(hours=1))
        from_address = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
            n=Sum("failures_since_start"))["n"] or 0
        if from_address >= address_failure_limit():
            return max(failures, settings.AXES_FAILURE_LIMIT)  # reads as locked out
        return failures


def lockout_minutes(request=None) -> int:
    cool_off = get_cool_off(request) or timedelta(0)
    return max(1, round(cool_off.total_seconds() / 60))


# --- passwords -----------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, Khmer digits as ASCII, no spaces, dots, dashes or marks between letters."""
    text = unicodedata.normalize("NFKC", from_khmer_digits(str(text or ""))).casefold()
    return re.sub(r"[\s._\-·]+", "", text)


class OfficialNameSimilarityValidator:
    """Refuses a password that contains or closely resembles the official's names, civil-service ID or
    username (in Khmer or Latin letters, in any case, with or without spaces)."""

    def __init__(self, max_similarity: float = 0.7, min_part: int = 3):
        self.max_similarity = max_similarity
        self.min_part = min_part

    def _names(self, user) -> list[str]:
        names = [getattr(user, "username", ""), getattr(user, "first_name", ""), getattr(user, "last_name", "")]
        official = getattr(user, "official", None) if getattr(user, "pk", None) else None
        if official is not None:
            names += [official.name_km, official.name_latin, official.civil_service_id]
        return [n for n in names if n]

    def validate(self, password, user=None):
        if user is None:
            return
        folded = _fold(password)
        for name in self._names(user):
            parts = [name, *re.split(r"\s+", str(name))]
            for part in parts:
                value = _fold(part)
                if len(value) < self.min_part:
                    continue
                if value in folded or SequenceMatcher(a=folded, b=value).ratio() >= self.max_similarity:
                    raise ValidationError(_("The password is too close to your name, ID or username; choose "
                                            "something nobody can guess from them."), code="password_like_name")

    def get_help_text(self):
        return _("Your password cannot contain or resemble your name, civil-service ID or username.")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, finding the login by the official's e-mail address as well as the login's own."""

    def get_users(self, email):
        User = get_user_model()
        email = (email or "").strip()
        users = User.objects.filter(Q(email__iexact=email) | Q(official__email__iexact=email, official__active=True),
                                    is_active=True).distinct()
        return (u for u in users if u.has_usable_password())

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        # Send to the address that was asked for (the official's), whatever the login record holds.
        super().send_mail(subject_template_name, email_template_name, context, from_email, self.cleaned_data["email"],
                          html_email_template_name)
