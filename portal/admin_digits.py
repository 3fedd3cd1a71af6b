"""Khmer digits in the Khmer admin.

Django writes every number of its admin (dates, times, counts, page numbers, the date hierarchy's years,
the filters' counts) with ASCII digits, whatever the language. On Khmer admin pages this middleware
rewrites the digits of the page's *text* into Khmer digits (០–៩), the way the portal's own pages write
them. It never touches markup: tag names, attributes (links, ids, form values), scripts, styles and form
fields stay as they are, so links, forms and the search box work as before. A digit run that is part of
a Latin word (``clerk1``, ``v2``), an e-mail address or a character reference (``&#39;``) is left alone.
"""

import re

from django.conf import settings

from khmer.digits import to_khmer_digits

# Raw-text elements whose content is not prose, then any tag, comment or doctype.
_MARKUP = re.compile(
    r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<textarea\b.*?</textarea\s*>|<!--.*?-->|<[^>]*>)",
    re.IGNORECASE | re.DOTALL,
)
# ASCII digits not glued to a Latin letter, an underscore, @, # or & (identifiers, addresses, references): a run
# of digits whose first digit is not preceded by one of those, and that is not followed by one.  The pattern
# starts with the digit and looks behind it (the same matches as a look-behind written first), so the engine
# jumps from digit to digit instead of trying every character of the page.
_DIGITS = re.compile(r"[0-9](?<![A-Za-z0-9_@#&][0-9])[0-9]*(?![A-Za-z0-9_@])")
# Joins the text pieces into one string for one pass of _DIGITS: neither glued to a digit nor part of a word,
# it ends and starts a piece as the string's own ends do.  Never in a page (a NUL is not allowed in HTML).
_JOIN = "\x00"


def _khmer(match) -> str:
    return to_khmer_digits(match.group())


def khmer_digits_in_text(html: str) -> str:
    """``html`` with the digits of its text (never of its markup) written in Khmer."""
    parts = _MARKUP.split(html)
    # split() with one group: text at even indexes, markup at odd ones.
    if _JOIN in html:
        for i in range(0, len(parts), 2):
            parts[i] = _DIGITS.sub(_khmer, parts[i])
    else:  # the text pieces in one pass (an admin list has ~1 500 of them, a tenth with a digit)
        parts[0::2] = _DIGITS.sub(_khmer, _JOIN.join(parts[0::2])).split(_JOIN)
    return "".join(parts)


class AdminKhmerDigitsMiddleware:
    """Khmer digits in the text of the admin's HTML pages when they are read in Khmer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL_PREFIX

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(self.prefix)
            and (getattr(request, "LANGUAGE_CODE", "") or "")[:2] == "km"
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and response.status_code == 200
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            charset = response.charset or "utf-8"
            response.content = khmer_digits_in_text(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
