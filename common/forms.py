"""What every app's forms share."""

from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError, fallback=None) -> None:
    """Put a service's ValidationError on the form's fields; an error about a field the form does not show goes
    to ``fallback`` (None: the form itself)."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            target = key if key in form.fields else fallback
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(fallback, error)
