"""Django's password rules, speaking Khmer digits on Khmer pages ("៨ តួអក្សរ", not "8 តួអក្សរ")."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from common.language import reads_english
from khmer.digits import to_khmer_digits


def _in_reader_digits(text: str) -> str:
    return text if reads_english() else to_khmer_digits(text)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError([_in_reader_digits(m) for m in exc.messages], code="password_too_short") from exc

    def get_help_text(self):
        return _in_reader_digits(super().get_help_text())
