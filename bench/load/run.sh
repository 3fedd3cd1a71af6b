#!/usr/bin/env bash
# HTTP load test (bench/load/run.py) on the seeded database: bench/run_pages.sh seeds portal_bench first.
# Locust comes from the "bench" extra: .venv/bin/pip install -e ".[bench]". Loopback only; each step bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/${BENCH_DB:-portal_bench}}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/7}"
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$(pwd)/var/bench}"
mkdir -p "$PORTAL_VAR_DIR"
.venv/bin/python manage.py collectstatic --noinput -v0
exec .venv/bin/python bench/load/run.py "$@"
