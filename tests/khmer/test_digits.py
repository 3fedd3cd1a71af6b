import os
import pathlib
import re
import subprocess
import sys

import pytest

from khmer import from_khmer_digits, khmer_number, parse_khmer_int, to_khmer_digits

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_to_khmer_digits_from_str():
    assert to_khmer_digits("2025") == "២០២៥"


def test_to_khmer_digits_from_int():
    assert to_khmer_digits(2025) == "២០២៥"
    assert to_khmer_digits(0) == "០"
    assert to_khmer_digits(-12) == "-១២"


def test_to_khmer_digits_leaves_other_characters_alone():
    assert to_khmer_digits("លេខ 0123 ខ.ក. 25/11") == "លេខ ០១២៣ ខ.ក. ២៥/១១"
    assert to_khmer_digits("abc ០១") == "abc ០១"


def test_to_khmer_digits_rejects_other_types():
    with pytest.raises(TypeError):
        to_khmer_digits(True)
    with pytest.raises(TypeError):
        to_khmer_digits(1.5)


def test_from_khmer_digits():
    assert from_khmer_digits("ព.ស.២៥៦៩") == "ព.ស.2569"
    assert from_khmer_digits("2025") == "2025"


@pytest.mark.parametrize("number", [*range(0, 1000), 2025, 10**12])
def test_round_trip(number):
    khmer = to_khmer_digits(number)
    assert not any(char.isascii() for char in khmer)
    assert from_khmer_digits(khmer) == str(number)
    assert parse_khmer_int(khmer) == number


def test_parse_khmer_int_rejects_text():
    with pytest.raises(ValueError):
        parse_khmer_int("១២ក")
    with pytest.raises(ValueError):
        parse_khmer_int("")


def test_khmer_number_zero_pads():
    assert khmer_number(12, width=3) == "០១២"
    assert khmer_number(123, width=4) == "០១២៣"
    assert khmer_number(7) == "៧"
    assert khmer_number(0, width=2) == "០០"


def test_khmer_number_never_truncates():
    assert khmer_number(12345, width=3) == "១២៣៤៥"


@pytest.mark.parametrize("bad", [-1, 1.0, "12", True])
def test_khmer_number_rejects_bad_values(bad):
    with pytest.raises((TypeError, ValueError)):
        khmer_number(bad, width=3)


def test_importing_khmer_does_not_import_django():
    code = (
        "import khmer, khmer.calendar, khmer.wordbreak, khmer.dates, khmer.digits, sys; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_no_module_of_the_package_imports_django():
    pattern = re.compile(r"^\s*(import|from)\s+django\b|import_module\(\s*['\"]django", re.M)
    for path in (ROOT / "khmer").rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_typed_numbers_become_khmer_except_phone_numbers_urls_and_identifiers():
    from khmer.digits import khmer_digits_in_text

    assert khmer_digits_in_text("លេខ 107 ស.ជ.ណ") == "លេខ ១០៧ ស.ជ.ណ"
    assert khmer_digits_in_text("ថ្ងៃទី 02/09/2026") == "ថ្ងៃទី ០២/០៩/២០២៦"
    assert khmer_digits_in_text("ទូរស័ព្ទ 012 345 678") == "ទូរស័ព្ទ 012 345 678"
    assert khmer_digits_in_text("https://mcs.gov.kh/a/1") == "https://mcs.gov.kh/a/1"
    assert khmer_digits_in_text("ID 123456789") == "ID 123456789"
