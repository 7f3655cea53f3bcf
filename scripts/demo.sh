#!/usr/bin/env bash
# Zero-setup demo: venv, install, migrate, load the Kalasatama fixtures, serve the API.
# SQLite, the embedded routing engine and eager Celery (no broker); override with the environment.
source "$(dirname "$0")/env.sh"
mkdir -p "$ROOT/var"

ensure_venv requirements-demo.txt
ensure_web_assets
export DEBUG="${DEBUG:-true}"
export DJANGO_SETTINGS_MODULE=maas.settings
# Provider feeds served on this machine (e.g. a local GBFS server) may be added in the demo's admin.
export OUTBOUND_ALLOWED_NETWORKS="${OUTBOUND_ALLOWED_NETWORKS:-127.0.0.0/8,::1/128}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

# Payments in the demo go to localstripe on loopback (settings' DEBUG default STRIPE_API_BASE).
if [ -z "${STRIPE_API_KEY:-}" ]; then
  log "starting localstripe on 127.0.0.1:8420"
  "$VENV/bin/python" scripts/localstripe_loopback.py 8420 >"$ROOT/var/localstripe.log" 2>&1 &
  LOCALSTRIPE_PID=$!
  trap 'kill $LOCALSTRIPE_PID 2>/dev/null || true' EXIT
fi

# The demo taxi provider's TOMP API (fixtures/providers/taxi/kalasatama-taxi.json): a synthesized loopback operator.
log "starting the demo taxi operator (TOMP) on 127.0.0.1:8421"
"$VENV/bin/python" scripts/tomp_loopback.py 8421 >"$ROOT/var/tomp-taxi.log" 2>&1 &
TOMP_PID=$!
trap 'kill ${LOCALSTRIPE_PID:-} $TOMP_PID 2>/dev/null || true' EXIT

log "migrating"
"$VENV/bin/python" manage.py migrate --noinput
log "loading the Kalasatama fixtures"
"$VENV/bin/python" manage.py load_demo

base="http://$HOST:$PORT"
cat <<INFO

  Kalasatama MaaS demo is starting.
    API root      $base/api/v1/
    OpenAPI docs  $base/api/v1/docs/   (schema: $base/api/v1/schema/)
    Admin         $base/admin/   login: admin / kalasatama-demo
    Resident      resident@example.org / kalasatama-demo (POST $base/api/v1/auth/token)
    Health        $base/healthz   $base/readyz

INFO
"$VENV/bin/python" manage.py runserver "$HOST:$PORT"
