import unicodedata

import pytest

from khmer import ZWSP, insert_breaks, khmer_words, strip_breaks

COENG = "\u17d2"

PHRASES = [
    "ក្រសួងមុខងារសាធារណៈ",
    "ព្រះរាជាណាចក្រកម្ពុជា",
    "ជាតិ សាសនា ព្រះមហាក្សត្រ",
    "អគ្គនាយកដ្ឋានរដ្ឋបាលនិងហិរញ្ញវត្ថុ",
    "នាយកខុទ្ទកាល័យក្រសួងមុខងារសាធារណៈ",
    "លិខិតបញ្ជាបេសកកម្ម",
    "ទិដ្ឋាការធ្វើដំណើរ",
    "ឧទ្ទេសនាមមន្ត្រីរាជការ ដូចមានរាយនាមខាងក្រោម៖",
    "សូមអាជ្ញាធរពាក់ព័ន្ធ មេត្តាផ្តល់ការសម្រួលដល់មន្ត្រីបេសកកម្មបំពេញភារកិច្ចឱ្យបានល្អ។",
    "កន្លែងចេញដំណើរ និងមកដល់",
    "សេចក្តីបញ្ជាក់ ហត្ថលេខា និងត្រា",
    "ថ្ងៃអង្គារ ៥កើត ខែមិគសិរ ឆ្នាំម្សាញ់ សប្តស័ក ព.ស.២៥៦៩",
    "រាជធានីភ្នំពេញ ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៥",
    "ធ្វើដំណើរទៅកាន់ខេត្តសៀមរាប និងខេត្តបាត់ដំបង ដោយរថយន្តក្រសួង (Toyota Hilux) ចំនួន ២គ្រឿង។",
]


def _break_positions(text):
    return [i for i, char in enumerate(text) if char == ZWSP]


def test_ministry_name_gives_three_words():
    assert khmer_words("ក្រសួងមុខងារសាធារណៈ") == ["ក្រសួង", "មុខងារ", "សាធារណៈ"]
    assert insert_breaks("ក្រសួងមុខងារសាធារណៈ") == ZWSP.join(["ក្រសួង", "មុខងារ", "សាធារណៈ"])


@pytest.mark.parametrize("text", PHRASES)
def test_no_break_inside_a_cluster(text):
    result = insert_breaks(text)
    for i in _break_positions(result):
        before, after = result[i - 1], result[i + 1]
        assert not unicodedata.category(after).startswith("M"), (text, i)
        assert after != COENG and before != COENG, (text, i)
        assert after not in "។៕៖ៗ", (text, i)
        assert not before.isspace() and not after.isspace(), (text, i)
        assert before != ZWSP and after != ZWSP, (text, i)


@pytest.mark.parametrize("text", PHRASES)
def test_breaks_are_only_added(text):
    assert strip_breaks(insert_breaks(text)) == text


@pytest.mark.parametrize("text", PHRASES)
def test_idempotent(text):
    once = insert_breaks(text)
    assert insert_breaks(once) == once
    assert insert_breaks(insert_breaks(once)) == once


def test_long_phrases_get_breaks():
    assert insert_breaks(PHRASES[3]).count(ZWSP) >= 3
    assert insert_breaks(PHRASES[8]).count(ZWSP) >= 5


def test_no_doubling_of_existing_breaks():
    partly = "ក្រសួង" + ZWSP + "មុខងារសាធារណៈ"
    assert insert_breaks(partly) == ZWSP.join(["ក្រសួង", "មុខងារ", "សាធារណៈ"])


def test_existing_break_inside_word_is_kept_and_not_doubled():
    text = "មុខ" + ZWSP + "ងារ"
    assert insert_breaks(text) == text


def test_no_break_next_to_spaces():
    text = "ជាតិ សាសនា ព្រះមហាក្សត្រ"
    assert insert_breaks(text) == text


@pytest.mark.parametrize(
    "text",
    ["", "Hello, world!", "2025-11-25", "Ministry of Civil Service", "១២៣", "៖។", "a\u0301b"],
)
def test_non_khmer_text_unchanged(text):
    assert insert_breaks(text) == text


def test_latin_parts_of_mixed_text_unchanged():
    text = "Ref. MCS/2025 ក្រសួងមុខងារសាធារណៈ (Phnom Penh)"
    result = insert_breaks(text)
    assert result.startswith("Ref. MCS/2025 ")
    assert result.endswith(" (Phnom Penh)")
    assert result.count(ZWSP) == 2


def test_numbers_stay_with_their_word():
    for text in ("ថ្ងៃទី២៥", "ឆ្នាំ២០២៥", "ចំនួន ២គ្រឿង"):
        result = insert_breaks(text)
        for i in _break_positions(result):
            assert not result[i - 1].isdigit() and not result[i + 1].isdigit(), result


def test_custom_separator():
    result = insert_breaks("ក្រសួងមុខងារសាធារណៈ", sep="<wbr>")
    assert result == "ក្រសួង<wbr>មុខងារ<wbr>សាធារណៈ"
    assert insert_breaks(result, sep="<wbr>") == result
    assert strip_breaks(result, sep="<wbr>") == "ក្រសួងមុខងារសាធារណៈ"


def test_custom_separator_respects_existing_zwsp():
    partly = "ក្រសួង" + ZWSP + "មុខងារសាធារណៈ"
    assert insert_breaks(partly, sep="<wbr>") == "ក្រសួង" + ZWSP + "មុខងារ<wbr>សាធារណៈ"


def test_strip_breaks():
    assert strip_breaks("ក្រសួង" + ZWSP + "មុខងារ") == "ក្រសួងមុខងារ"
    assert strip_breaks("no breaks") == "no breaks"


def test_rejects_bad_arguments():
    with pytest.raises(TypeError):
        insert_breaks(None)
    with pytest.raises(ValueError):
        insert_breaks("ក្រសួង", sep="")


def test_join_words_spaces_only_where_khmer_meets_latin():
    from khmer.wordbreak import join_words

    assert join_words("មកដល់", "Seoul") == "មកដល់ Seoul"
    assert join_words("លេខ", "107") == "លេខ 107"
    assert join_words("មកដល់", "ខេត្តកំពត") == "មកដល់ខេត្តកំពត"
    assert join_words("Arrived at ", "Seoul") == "Arrived at Seoul"


def test_name_breaks_keep_words_whole():
    from khmer.wordbreak import name_breaks

    assert name_breaks("អគ្គនាយកដ្ឋានរដ្ឋបាលនិងហិរញ្ញវត្ថុ").split(ZWSP) == ["អគ្គនាយកដ្ឋាន", "រដ្ឋបាល", "និង", "ហិរញ្ញវត្ថុ"]
    assert name_breaks("ខុទ្ទកាល័យ") == "ខុទ្ទកាល័យ"
