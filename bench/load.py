"""HTTP load on gunicorn (DEBUG off, PostgreSQL, Redis cache) with wrk: medians and p95 per scenario.

Scenarios: the liveness probe, the stations read API (JWT), a wrong-password login (password hashing,
throttle counters), a login over its per-account limit (429 path), a 1,000-level nested JSON body
(400 json_too_deep) and a 20,000-vehicle provider push with a duplicate id at the end (400).

Needs `wrk` (Debian: apt-get install wrk), PostgreSQL and Redis on 127.0.0.1; all traffic stays on
127.0.0.1. A throwaway database test_<name> is created and dropped.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench CACHE_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/load.py [--seconds 10] [--connections 16] [--workers 2]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _django

SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
os.environ["SECRET_KEY"] = SECRET_KEY  # the JWTs made here must verify in the server
_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from maas.accounts import services as accounts  # noqa: E402
from providers import services as providers  # noqa: E402
from tests.support.http import free_port  # noqa: E402,F401  (bench/parking.py takes it from here)

ROOT = Path(__file__).resolve().parent.parent
LUA = """
wrk.method = os.getenv("WRK_METHOD") or "GET"
wrk.body = os.getenv("WRK_BODY_FILE") and io.open(os.getenv("WRK_BODY_FILE")):read("*a") or nil
wrk.headers["Content-Type"] = "application/json"
if os.getenv("WRK_AUTH") then wrk.headers["Authorization"] = os.getenv("WRK_AUTH") end
local counter = 0
if os.getenv("WRK_NEW_USER") then  -- a different account name per request (no per-account limit)
  request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, string.format('{"username": "u%d-%d@example.org", "password": "nope-1"}',
                                                   math.random(1e9), counter))
  end
end
done = function(summary, latency, requests)
  io.write(string.format('RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "errors": %d}\\n', summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def server_env(login_account="1000000/minute"):
    """The environment of a production-settings server (DEBUG off) on the current (throwaway) database:
    bench JWT secret, Redis cache under a fresh key prefix, throttles out of the way but `login_account`."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "maas.settings", "DEBUG": "false", "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": SECRET_KEY,
        "STRIPE_API_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/4"),
        "CACHE_KEY_PREFIX": f"bench-{time.time_ns()}", "LOG_LEVEL": "ERROR",
        "API_THROTTLE_RATES": "anon=1000000/minute,user=1000000/minute,login_ip=1000000/minute,"
                              f"login_account={login_account},signup_ip=1000000/minute,refresh_ip=1000000/minute",
    })
    return env


def start_gunicorn(port, workers, env, config=None):
    """gunicorn on 127.0.0.1:port, sync workers, `config` or ./gunicorn.conf.py (preload); waits for it."""
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "maas.wsgi", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--log-level", "error",
                             *(["-c", str(config)] if config else [])], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def wait_idle(base):
    """Until the server answers the probe at once again (the last scenario's queued requests are done)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=5) as s:
                s.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                s.recv(100)
        except OSError:
            pass
        if time.monotonic() - started < 0.2:
            return
        time.sleep(0.5)


def run_wrk(url, seconds, connections, *, method="GET", body=None, auth=None, new_user=False):
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(LUA)
        env = {**os.environ, "WRK_METHOD": method}
        if body is not None:
            (Path(tmp) / "body.json").write_text(body)
            env["WRK_BODY_FILE"] = str(Path(tmp) / "body.json")
        if auth:
            env["WRK_AUTH"] = auth
        if new_user:
            env["WRK_NEW_USER"] = "1"
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                              "-s", str(script), url],
                             capture_output=True, text=True, env=env, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    result = json.loads(line[len("RESULT "):])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    other = next((x for x in out.stdout.splitlines() if "Non-2xx or 3xx responses" in x), "")
    result["non_2xx"] = int(other.split(":")[1]) if other else 0
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    proc = None
    try:
        call_command("import_citybike_stations", verbosity=0)
        resident = accounts.register_resident(email="bench@example.org", password="bench-pass-2026")
        token = str(RefreshToken.for_user(resident.user).access_token)
        provider = providers.register_provider(name="Bench push", kind="scooter")
        _, key = providers.create_api_key(provider)
        port = free_port()
        proc = start_gunicorn(port, args.workers, server_env(login_account="5/hour"))
        base = f"http://127.0.0.1:{port}"
        vehicles = [{"vehicle_id": f"v{i}", "lat": 60.18, "lon": 24.97} for i in range(20_000)]
        vehicles.append({"vehicle_id": "v19999", "lat": 60.18, "lon": 24.97})
        scenarios = [
            ("GET /healthz", f"{base}/healthz", {}),
            ("GET /stations (JWT)", f"{base}/api/v1/stations?near=60.1875,24.977&radius=1500",
             {"auth": f"Bearer {token}"}),
            ("POST /auth/token wrong password, new account *", f"{base}/api/v1/auth/token",
             {"method": "POST", "body": "{}", "new_user": True, "connections": args.workers}),
            ("POST /auth/token over limit (429)", f"{base}/api/v1/auth/token",
             {"method": "POST", "body": json.dumps({"username": "bench@example.org", "password": "nope-1"})}),
            ("POST /auth/token 1000-deep JSON (400)", f"{base}/api/v1/auth/token",
             {"method": "POST", "body": "[" * 1000 + "]" * 1000}),
            ("POST push 20k vehicles, duplicate last (400)", f"{base}/api/v1/providers/{provider.pk}/availability",
             {"method": "POST", "body": json.dumps({"vehicles": vehicles}), "auth": f"Bearer {key}"}),
        ]
        print(f"gunicorn {args.workers} workers, wrk -t2 -c{args.connections} -d{args.seconds}s; "
              f"load average before: {os.getloadavg()[0]:.2f}")
        print(f"{'scenario':48} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for label, url, opts in scenarios:
            wait_idle(base)
            r = run_wrk(url, args.seconds, opts.pop("connections", args.connections), **opts)
            print(f"{label:48} {r['rps']:>8} {r['p50_ms']:>10} {r['p95_ms']:>8} {r['p99_ms']:>8} "
                  f"{r['non_2xx']:>8}", flush=True)
        print("* as many connections as workers: each login hashes a password (PBKDF2), seconds of CPU under load")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
