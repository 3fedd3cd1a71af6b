import random
import re
import unicodedata

import pytest

from groups.telegram.text import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    escape_html,
    fit_caption,
    split_message,
    utf16_len,
)
from tests.fakes.telegram_server import parse_html

KHMER_WORDS = ["ក្រសួង", "មុខងារ", "សាធារណៈ", "បេសកកម្ម", "ព្រះរាជាណាចក្រកម្ពុជា", "លិខិត", "បញ្ជា"]
TAG_RE = re.compile(r"<[^<>]+>")
ENTITY_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def visible(html_text: str) -> str:
    """Visible text with the characters a split may drop (whitespace, U+200B) removed."""
    return re.sub(r"[\s\u200b]", "", TAG_RE.sub("", html_text))


def assert_valid_parts(parts, original, limit):
    assert parts, "no parts"
    for part in parts:
        assert utf16_len(part) <= limit, (utf16_len(part), limit)
        parse_html(part)  # balanced, supported tags, no cut entity
        part.encode("utf-16-le")  # no lone surrogate
        assert not unicodedata.category(part[0]).startswith("M")
    assert "".join(visible(p) for p in parts) == visible(original)


def test_escape_html():
    assert escape_html("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert escape_html('say "hi"') == 'say "hi"'
    assert escape_html('say "hi"', quote=True) == "say &quot;hi&quot;"
    assert escape_html("&lt;") == "&amp;lt;"
    assert parse_html(escape_html("<script>&amp;</script>")) == "<script>&amp;</script>"


def test_utf16_len_counts_like_telegram():
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("ក្រសួង") == len("ក្រសួង") == 6
    assert utf16_len("👍🏽") == 4
    assert utf16_len("") == 0


def test_text_that_fits_is_returned_unchanged():
    text = "<b>ok</b> " + "ក" * 4000
    assert split_message(text) == [text]
    assert split_message("") == [""]


def test_ten_thousand_characters_of_words():
    words = ["mission", "order", "&amp;", "😀", "ក្រសួង"]
    rng = random.Random(1)
    text = " ".join(rng.choice(words) for _ in range(2500))
    assert len(text) > 10_000
    parts = split_message(text)
    assert len(parts) >= 3
    assert_valid_parts(parts, text, MESSAGE_LIMIT)
    for part in parts:
        assert not part.startswith(" ") and not part.endswith(" ")
        # cut at spaces only: every part is a run of whole words
        assert set(part.split(" ")) <= set(words)


def test_prefers_newlines_to_spaces():
    lines = [f"line {i:04d} " + " ".join(["word"] * 15) for i in range(400)]
    text = "\n".join(lines)
    parts = split_message(text)
    assert len(parts) > 1
    assert_valid_parts(parts, text, MESSAGE_LIMIT)
    for part in parts:
        for line in part.split("\n"):
            assert line in lines
    assert "\n".join(parts) == text


def test_hard_cut_without_break_characters():
    text = "a" * 10_000
    parts = split_message(text)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_emoji_are_never_cut_in_half():
    text = "😀" * 3000  # 6000 UTF-16 code units
    parts = split_message(text)
    assert [utf16_len(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == text
    odd = split_message("😀" * 10, limit=5)
    assert odd == ["😀😀"] * 5


def test_separate_surrogate_code_points_stay_together():
    pair = "\ud83d\ude00"  # a surrogate pair held as two code points
    parts = split_message(pair * 5, limit=3)
    assert parts == [pair] * 5


def test_emoji_modifier_stays_with_its_base():
    text = "👍🏽" * 10  # 4 units each
    parts = split_message(text, limit=6)
    assert all(p == "👍🏽" for p in parts)
    assert len(parts) == 10


def test_khmer_clusters_are_not_broken():
    text = "".join(KHMER_WORDS) * 200
    parts = split_message(text, limit=97)
    assert_valid_parts(parts, text, 97)
    assert "".join(parts) == text
    for left, right in zip(parts, parts[1:]):
        assert left[-1] != "\u17d2"  # never end on a coeng
        assert not unicodedata.category(right[0]).startswith("M")


def test_khmer_splits_at_zero_width_spaces():
    text = "\u200b".join(KHMER_WORDS * 300)
    parts = split_message(text, limit=200)
    assert_valid_parts(parts, text, 200)
    for part in parts:
        for word in part.split("\u200b"):
            assert word in KHMER_WORDS


def test_open_tags_are_closed_and_reopened():
    body = " ".join(f"word{i}" for i in range(1500))
    text = f'<b>Title</b>\n<i>{body}</i> <a href="https://example.org/x?a=1&amp;b=2">{body}</a>'
    parts = split_message(text, limit=1000)
    assert_valid_parts(parts, text, 1000)
    reopened_links = [p for p in parts[1:] if p.startswith('<a href="https://example.org/x?a=1&amp;b=2">')]
    assert reopened_links, "a link spanning parts is reopened with its href"
    assert any(p.startswith("<i>") for p in parts[1:])
    for part in parts:
        assert part.count("<i>") == part.count("</i>")
        assert part.count("<a ") == part.count("</a>")


def test_nested_pre_code_block():
    code = "\n".join(f"    value_{i} = compute({i}) < limit && ok" for i in range(300))
    text = f'<b>Log</b>\n<pre><code class="language-python">{escape_html(code)}</code></pre>'
    parts = split_message(text, limit=2000)
    assert len(parts) > 2
    assert_valid_parts(parts, text, 2000)
    for part in parts[1:]:
        assert part.startswith('<pre><code class="language-python">')
        assert part.endswith("</code></pre>")


def test_entities_are_never_cut():
    text = "&amp;&lt;&gt;&quot;&#8203;&#x1F600;" * 700
    for limit in (4096, 4095, 1000, 37):
        parts = split_message(text, limit=limit)
        assert_valid_parts(parts, text, limit)
        for part in parts:
            assert "&" not in ENTITY_RE.sub("", part)
        assert "".join(parts) == text


def test_no_empty_element_left_at_a_cut():
    text = "x" * 92 + "<b>" + "&#x1F600;" * 20 + "</b>"
    parts = split_message(text, limit=100)
    assert_valid_parts(parts, text, 100)
    assert all("<b></b>" not in p for p in parts)
    assert parts[0] == "x" * 92
    assert parts[1] == "<b>" + "&#x1F600;" * 10 + "</b>"


def test_parts_without_visible_text_are_left_out():
    text = "first" + "\n" * 5000 + "last"
    assert split_message(text) == ["first", "last"]


def test_fuzz_random_html_keeps_invariants():
    rng = random.Random(20240601)
    pieces = ["word", "mission", "😀", "👍🏽", "&amp;", "&lt;", "ក្រសួង", "សាធារណៈ", "\u200b", " ", "\n", "x" * 30]
    tags = ["b", "i", "u", "s", "code", "tg-spoiler", 'a href="https://e.org/?q=1&amp;r=2"', "blockquote"]
    for _ in range(60):
        out = []
        stack = []
        for _ in range(rng.randint(50, 600)):
            roll = rng.random()
            if roll < 0.08 and len(stack) < 3:
                tag = rng.choice(tags)
                out.append(f"<{tag}>")
                stack.append(tag.split()[0])
            elif roll < 0.14 and stack:
                out.append(f"</{stack.pop()}>")
            else:
                out.append(rng.choice(pieces))
        out.extend(f"</{t}>" for t in reversed(stack))
        text = "".join(out)
        parse_html(text)
        for limit in (120, 333, 1024, 4096):
            parts = split_message(text, limit=limit)
            if utf16_len(text) <= limit:
                assert parts == [text]
                continue
            assert_valid_parts(parts, text, limit)


def test_plain_text_mode_ignores_markup():
    text = "<b>" * 3000
    parts = split_message(text, limit=1000, html=False)
    assert "".join(parts) == text
    assert all(utf16_len(p) <= 1000 for p in parts)


def test_a_tag_longer_than_the_limit_cannot_be_split():
    text = f'<a href="https://e.org/{"x" * 200}">link</a>'
    with pytest.raises(ValueError):
        split_message(text, limit=100)


def test_fit_caption():
    short = "<b>Order</b> 12/2025"
    assert fit_caption(short) == (short, [])
    long_text = "<b>Mission order</b>\n" + "\n".join(f"{i}. ក្រសួង មុខងារ សាធារណៈ participant" for i in range(400))
    caption, rest = fit_caption(long_text)
    assert utf16_len(caption) <= CAPTION_LIMIT
    assert rest and all(utf16_len(p) <= MESSAGE_LIMIT for p in rest)
    for part in [caption, *rest]:
        parse_html(part)
    assert visible(caption) + "".join(visible(p) for p in rest) == visible(long_text)
    assert max(utf16_len(p) for p in rest) > 3 * CAPTION_LIMIT  # the remainder uses the message limit
