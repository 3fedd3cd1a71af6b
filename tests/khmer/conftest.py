"""Make the top-level ``khmer`` package importable however pytest is started."""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _test_settings():
    """The khmer package is pure Python: no Django settings to adjust for its tests."""
