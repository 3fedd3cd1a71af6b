#!/usr/bin/env bash
# Runs the whole test suite. Extra arguments go to pytest (e.g. ./scripts/test.sh tests/missions -x).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
.venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python manage.py check
.venv/bin/python manage.py makemigrations --check --dry-run -v 0
exec .venv/bin/pytest "$@"
