# Make sure PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) answer:
# start them if installed but stopped, install them with apt-get if missing.
PG_HOST=127.0.0.1
PG_PORT=5432

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

wait_for() { local i; for i in $(seq 1 30); do "$@" && return 0; sleep 1; done; return 1; }

ensure_postgres() {
  if command -v pg_isready >/dev/null && pg_up; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    log "installing PostgreSQL"
    apt_install postgresql postgresql-client
    local ver; ver="$(ls /etc/postgresql | sort -n | tail -1)"
    local hba="/etc/postgresql/$ver/main/pg_hba.conf"
    # Test machine only: trust loopback connections for user postgres, as CI's machine does.
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  log "starting PostgreSQL"
  local ver; ver="$(ls /etc/postgresql | sort -n | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start
  wait_for pg_up || { echo "PostgreSQL did not come up on $PG_HOST:$PG_PORT" >&2; return 1; }
}

ensure_redis() {
  if command -v redis-cli >/dev/null && redis_up; then return 0; fi
  if ! command -v redis-server >/dev/null; then
    log "installing Redis"
    apt_install redis-server
  fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis_up || { echo "Redis did not come up on 127.0.0.1:6379" >&2; return 1; }
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  log "installing Debian chromium (admin UI browser test)"
  apt_install chromium
}
