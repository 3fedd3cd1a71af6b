"""Text helpers for Telegram's HTML parse mode.

Telegram measures lengths in UTF-16 code units: a message text may hold 4096
of them, a caption 1024.  ``split_message`` cuts already-built HTML into parts
that each fit, measuring the whole part (tags included, so the measure is
never lower than Telegram's), and keeps every part well-formed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_NEWLINE = "\n"
_SOFT_BREAKS = frozenset(" \t\u200b")
_NO_BREAK_AFTER = frozenset("\u200d\u17d2")  # zero width joiner, Khmer coeng
_NO_BREAK_BEFORE = frozenset("\u200d\u200c")

_TOKEN_RE = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
)


def escape_html(text: str, quote: bool = False) -> str:
    """Escape ``&``, ``<`` and ``>`` (and ``"`` with ``quote=True``) for parse_mode HTML."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;")
    return text


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_TEXT, _OPEN, _CLOSE, _ENTITY = range(4)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: int
    raw: str
    units: int
    name: str = ""


def _char_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _text_tokens(chunk: str, out: list[_Token]) -> None:
    i = 0
    n = len(chunk)
    while i < n:
        ch = chunk[i]
        if "\ud800" <= ch <= "\udbff" and i + 1 < n and "\udc00" <= chunk[i + 1] <= "\udfff":
            out.append(_Token(_TEXT, chunk[i : i + 2], 2))
            i += 2
            continue
        out.append(_Token(_TEXT, ch, _char_units(ch)))
        i += 1


def _tokenize(text: str, html: bool) -> list[_Token]:
    tokens: list[_Token] = []
    if not html:
        _text_tokens(text, tokens)
        return tokens
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() > pos:
            _text_tokens(text[pos : match.start()], tokens)
        raw = match.group(0)
        if match.group("entity"):
            tokens.append(_Token(_ENTITY, raw, utf16_len(raw)))
        else:
            name = match.group("name").lower()
            if match.group("close"):
                tokens.append(_Token(_CLOSE, raw, utf16_len(raw), name))
            elif raw.endswith("/>"):
                tokens.append(_Token(_ENTITY, raw, utf16_len(raw)))
            else:
                tokens.append(_Token(_OPEN, raw, utf16_len(raw), name))
        pos = match.end()
    if pos < len(text):
        _text_tokens(text[pos:], tokens)
    return tokens


def _close_tag(name: str) -> str:
    return f"</{name}>"


def _apply(stack: list[tuple[str, str]], token: _Token) -> None:
    if token.kind == _OPEN:
        stack.append((token.name, token.raw))
    elif token.kind == _CLOSE:
        for idx in range(len(stack) - 1, -1, -1):
            if stack[idx][0] == token.name:
                del stack[idx:]
                break


def _closing_units(stack: list[tuple[str, str]]) -> int:
    return sum(len(name) + 3 for name, _ in stack)


def _is_mark(raw: str) -> bool:
    return len(raw) == 1 and unicodedata.category(raw).startswith("M")


def _clean_cut(tokens: list[_Token], j: int) -> bool:
    """Whether cutting before ``tokens[j]`` keeps elements and clusters whole."""
    prev = tokens[j - 1]
    nxt = tokens[j] if j < len(tokens) else None
    if prev.kind == _OPEN:
        return False
    if nxt is not None and nxt.kind == _CLOSE:
        return False
    if prev.kind == _TEXT and prev.raw in _NO_BREAK_AFTER:
        return False
    if nxt is not None and nxt.kind == _TEXT:
        if nxt.raw in _NO_BREAK_BEFORE or _is_mark(nxt.raw):
            return False
        cp = ord(nxt.raw[0]) if len(nxt.raw) == 1 else 0x10000
        if 0x1F3FB <= cp <= 0x1F3FF or 0xFE00 <= cp <= 0xFE0F:
            return False
        if len(nxt.raw) == 1 and nxt.raw == "\n" and prev.raw == "\r":
            return False
    return True


def _is_blank(token: _Token) -> bool:
    return token.kind == _TEXT and (token.raw.isspace() or token.raw == "\u200b")


def _visible(part_tokens: list[_Token]) -> bool:
    return any(t.kind == _ENTITY or (t.kind == _TEXT and not t.raw.isspace() and t.raw != "\u200b") for t in part_tokens)


def split_message(text: str, limit: int = MESSAGE_LIMIT, html: bool = True) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` UTF-16 code units.

    A part ends, by preference, at a newline, then at a space, tab or
    U+200B (the break character itself is dropped), provided the part is at
    least half the limit long; otherwise at the last position that does not
    cut a surrogate pair, a combining sequence, an HTML entity or a tag.
    Whitespace around a cut is dropped (Telegram trims it anyway).
    With ``html=True`` tags left open at the end of a part are closed there
    and reopened (with their attributes) at the start of the next part.
    Parts without visible text are left out.  A text that fits is returned
    unchanged as the single part.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if utf16_len(text) <= limit:
        return [text]
    return _split(_tokenize(text, html), limit, limit)


def fit_caption(
    text: str, caption_limit: int = CAPTION_LIMIT, message_limit: int = MESSAGE_LIMIT, html: bool = True
) -> tuple[str, list[str]]:
    """Split ``text`` into a caption of at most ``caption_limit`` and follow-up messages.

    Returns ``(caption, rest)``; ``rest`` is empty when the whole text fits in
    a caption, otherwise it holds the remainder split into message parts.
    """
    if caption_limit < 1 or message_limit < 1:
        raise ValueError("limits must be positive")
    if utf16_len(text) <= caption_limit:
        return text, []
    parts = _split(_tokenize(text, html), caption_limit, message_limit)
    if not parts:
        return "", []
    return parts[0], parts[1:]


def _split(tokens: list[_Token], first_limit: int, limit: int) -> list[str]:
    n = len(tokens)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    i = 0

    while i < n:
        part_limit = first_limit if not parts else limit
        half = part_limit // 2
        prefix = "".join(raw for _, raw in stack)
        prefix_units = utf16_len(prefix)
        if prefix_units + _closing_units(stack) >= part_limit:
            raise ValueError("open tags alone do not fit in the limit")

        sim = list(stack)
        used = prefix_units
        newline = soft = clean = anycut = None  # (end, next, stack)
        j = i
        finished = False
        while True:
            if j > i and used + _closing_units(sim) <= part_limit:
                anycut = (j, j, list(sim))
                if _clean_cut(tokens, j):
                    clean = anycut
            if j == n:
                finished = used + _closing_units(sim) <= part_limit
                break
            tok = tokens[j]
            if (
                tok.kind == _TEXT
                and (tok.raw == _NEWLINE or tok.raw in _SOFT_BREAKS)
                and j > i
                and used >= half
                and used + _closing_units(sim) <= part_limit
            ):
                if tok.raw == _NEWLINE:
                    newline = (j, j + 1, list(sim))
                else:
                    soft = (j, j + 1, list(sim))
            if used + tok.units > part_limit:
                break
            used += tok.units
            _apply(sim, tok)
            j += 1

        if finished:
            end, nxt, end_stack = n, n, sim
        else:
            choice = newline or soft or clean or anycut
            if choice is None:
                raise ValueError("a single tag or entity is longer than the limit")
            end, nxt, end_stack = choice
            while end > i + 1 and _is_blank(tokens[end - 1]):
                end -= 1
            while nxt < n and _is_blank(tokens[nxt]):
                nxt += 1

        body = tokens[i:end]
        if _visible(body):
            closing = "".join(_close_tag(name) for name, _ in reversed(end_stack))
            parts.append(prefix + "".join(t.raw for t in body) + closing)
        stack = end_stack
        i = nxt

    return parts
