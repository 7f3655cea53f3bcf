# Shared by scripts/demo.sh and scripts/test.sh: the project venv, installed from the pinned requirements.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_venv() {
  # $1: requirements file to install. Re-installs only when the file set changed.
  local req="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv in .venv ($("$PY" --version))"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  local stamp="$VENV/.installed-$(basename "$req")"
  local sum
  sum="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    log "installing $req"
    # (this machine's pip config names local mirrors that may be absent: drop that noise)
    "$VENV/bin/pip" install -q -r "$req" 2> >(grep -v "is ignored: it is neither a file" >&2)
    echo "$sum" > "$stamp"
  fi
}

ensure_web_assets() {
  # npm packages pinned in package-lock.json (Leaflet for the resident page, openapi-typescript and
  # typescript for the generated client types); Leaflet is copied to var/vendor, served as static files.
  if ! command -v npm >/dev/null; then log "installing Node.js and npm"; apt_install nodejs npm; fi
  local stamp="$ROOT/node_modules/.installed-lock"
  local sum
  sum="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    log "installing the front-end packages (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
  mkdir -p "$ROOT/var/vendor/leaflet"
  cp -R "$ROOT"/node_modules/leaflet/dist/{leaflet.js,leaflet.css,images} "$ROOT/var/vendor/leaflet/"
}

apt_install() {
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "need root (or sudo) to apt-get install $*" >&2; return 1
  fi
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  if [ -z "${APT_UPDATED:-}" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
