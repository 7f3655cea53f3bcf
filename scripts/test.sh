#!/usr/bin/env bash
# The whole test suite: installs what it needs, makes sure PostgreSQL and Redis answer, runs pytest.
# Fails on any failure and when no test ran. Extra arguments go to pytest.
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/services.sh"

ensure_venv requirements-dev.txt
ensure_web_assets
ensure_postgres
ensure_redis
ensure_chromium

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/maas}"
export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}"
export DJANGO_SETTINGS_MODULE=maas.test_settings

log "checking migrations are complete"
DEBUG=1 DATABASE_URL=sqlite:///:memory: "$VENV/bin/python" manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "models changed without migrations: run manage.py makemigrations" >&2; exit 1; }

log "lint (ruff)"
"$VENV/bin/ruff" check --quiet . || { echo "lint failed: fix the findings above (ruff check --fix fixes import order)" >&2; exit 1; }

log "running pytest (PostgreSQL at $DATABASE_URL, broker $CELERY_BROKER_URL)"
report="$(mktemp)"
set +e
"$VENV/bin/pytest" -p no:cacheprovider --junitxml="$report" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "FAILED: no test ran" >&2; exit 1
fi
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
ran="$("$VENV/bin/python" -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); s=r if r.tag=='testsuite' else r.find('testsuite'); print(int(s.get('tests'))-int(s.get('skipped')))" "$report")"
if [ "$ran" -le 0 ]; then
  echo "FAILED: no test ran (all skipped or deselected)" >&2; exit 1
fi
echo "$ran tests ran."
