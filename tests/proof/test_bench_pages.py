"""bench/pages.py runs in CI at a small size: every page answers for its role and is timed against
the trivial page and the bare view (the full size is bench/run_pages.sh)."""

import importlib
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import clear_url_caches

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


@pytest.fixture
def trivial_view(settings):
    import portal.urls

    settings.EXPOSE_TRIVIAL_VIEW = True
    clear_url_caches()
    importlib.reload(portal.urls)
    yield
    settings.EXPOSE_TRIVIAL_VIEW = False
    clear_url_caches()
    importlib.reload(portal.urls)


@pytest.mark.django_db
def test_bench_pages_times_every_queue_against_the_trivial_page_at_small_size(trivial_view):
    import pages

    call_command("seed_scale", officials=250, orders=1200, seed=3, stdout=StringIO())
    result = pages.run(requests=3, warmup=1)
    names = {row["page"] for row in result["pages"]}
    assert {"my missions", "unit", "approvals", "to issue", "returns", "overdue", "people"} <= names
    assert result["trivial"]["n"] == result["trivial_page"]["n"] == 3 * len(result["pages"])
    assert result["trivial_page"]["p50_ms"] > result["trivial"]["p50_ms"] > 0
    for row in result["pages"]:
        assert row["p95_ms"] >= row["p50_ms"] > 0 and row["queries"] < 20, row
        assert abs(row["ratio_p95"] - row["p95_ms"] / result["trivial_page"]["p95_ms"]) < 0.02, row
    assert "| my missions |" in pages.table(result)
