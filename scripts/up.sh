#!/usr/bin/env bash
# Sets everything up and runs the portal with demo data: web, Celery worker, Celery beat.
# With no environment it runs on SQLite, a file-system Celery transport and a Telegram outbox;
# DATABASE_URL, REDIS_URL and TELEGRAM_BOT_TOKEN switch to the real services.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
export PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-true}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
py=.venv/bin/python
echo "==> Database"
$py manage.py migrate --noinput -v 0
$py manage.py createcachetable -v 0
$py manage.py collectstatic --noinput -v 0
echo "==> PDF signing key (a demo CA and certificate under var/signing/ unless PDF_SIGNING_P12 is set)"
$py manage.py make_signing_cert
echo "==> Demo data (the Ministry's organisation, 25 provinces, people, orders)"
$py manage.py load_demo
echo
echo "==> Portal: $SITE_URL/   (admin: $SITE_URL/admin/)   Ctrl-C stops web, worker and beat."
echo "    A process that exits is logged and started again (var/log/supervisord.log); the others go on."
export PORTAL_VAR_DIR="${PORTAL_VAR_DIR:-$(pwd)/var}"
mkdir -p "$PORTAL_VAR_DIR/log"
exec .venv/bin/supervisord -c deploy/supervisord.conf
