"""Which language a text is read in: Khmer first, English second.

Every "is it English?" question of the portal is ``reads_english``; every text that carries both languages
at once (a Telegram reply or button, whose reader's language the bot does not know; the public verification
page) takes both from the catalogue with ``khmer_and_english``."""

from django.utils import translation
from django.utils.translation import get_language


def reads_english(lang: str | None = None) -> bool:
    """Whether ``lang`` (default: the active language) is English; Khmer is the default."""
    return (lang or get_language() or "km")[:2] == "en"


def in_language(km: str, en: str, lang: str | None = None) -> str:
    """Of a Khmer and an English text, the one for ``lang`` (default: the active language);
    the other when that one is empty."""
    return (en or km) if reads_english(lang) else (km or en)


def khmer_and_english(text, **values) -> tuple[str, str]:
    """A catalogue text (``gettext_lazy``) as read in Khmer and as read in English, each with ``values``."""
    out = []
    for language in ("km", "en"):
        with translation.override(language):
            out.append(str(text) % values if values else str(text))
    return out[0], out[1]


def both_languages(text, separator: str = " / ", **values) -> str:
    """``text`` in Khmer, then ``separator``, then in English."""
    return separator.join(khmer_and_english(text, **values))
