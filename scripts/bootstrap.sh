#!/usr/bin/env bash
# Installs what the portal needs on a Debian machine (system packages, Python
# virtualenv, pinned dependencies). Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(python3-venv fonts-khmeros fonts-dejavu-core chromium poppler-utils gettext redis-server
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fc-cache -f >/dev/null 2>&1 || true
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$candidate"; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "The portal needs Python 3.11 (Django 5.2 LTS). Install python3.11 or set PYTHON=/path/to/python3.11." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv (.venv) with $PY"
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python dependencies (pinned in pyproject.toml)"
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q -e ".[dev]" 2>&1 | grep -vE "^WARNING: Location|BuildBackendWarning|^ *!!|^ *\*+$|Please be careful|name as your package|with strategy|^ *$" || true
  .venv/bin/python -c "import django, celery, weasyprint" # fails loudly if the install did not complete
  rm -f .venv/.installed-*
  touch "$stamp"
fi
mkdir -p var
.venv/bin/python manage.py compilemessages --ignore=.venv -v 0
