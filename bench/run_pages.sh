#!/usr/bin/env bash
# Full-size page benchmark: a fresh PostgreSQL database seeded with 10k officials and 100k orders,
# then bench/pages.py. Usage: bench/run_pages.sh [officials] [orders] [requests-per-page]
set -euo pipefail
cd "$(dirname "$0")/.."
OFFICIALS="${1:-10000}"; ORDERS="${2:-100000}"; REQUESTS="${3:-100}"
DB="${BENCH_DB:-portal_bench}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$(pwd)/var/bench}"
unset REDIS_URL
mkdir -p "$PORTAL_VAR_DIR"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${DB}" -c "CREATE DATABASE ${DB}"
.venv/bin/python manage.py migrate -v0
time .venv/bin/python manage.py seed_scale --officials "$OFFICIALS" --orders "$ORDERS"
.venv/bin/python manage.py createcachetable -v0
time .venv/bin/python manage.py finance_facts  # the statistics' and the calendar's rows of the seeded orders
psql -h 127.0.0.1 -U postgres -qd "${DB}" -c "VACUUM ANALYZE"  # the seeded tables, the indexed expressions, and the visibility map index-only scans read (as autovacuum keeps it)
.venv/bin/python bench/pages.py --requests "$REQUESTS" --json bench/results/pages.json
