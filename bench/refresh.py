#!/usr/bin/env python
"""Feed refresh end to end on an HSL-sized synthetic feed, and plan latency while the new version is swapped in.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/refresh.py [--scale 1.0]

1. Two versions of bench/gtfs_import.py's synthetic feed (scale 1.0 ~ 5 M stop_times) are served from a
   127.0.0.1 HTTP server (ETag, Last-Modified). `manage.py refresh_feeds` runs in a child process against a
   throw-away test database: download, import, validate, network build, activation. Prints its wall time and
   the child's peak RSS, for the first version and for the swap to the second.
2. During the second refresh, client threads POST /api/v1/plans to the API (a 127.0.0.1 thread of this
   process, which loaded the first version's network) until the refresh is done and the API answers from the
   new version; prints p50/p95 and every non-200 status (goal: none).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maas.test_settings")
os.environ.setdefault("OUTBOUND_ALLOWED_NETWORKS", "127.0.0.0/8")  # the feed server below is on loopback

from gtfs_import import generate_feed  # noqa: E402
from plan import Server, report  # noqa: E402  (sets Django up)

BENCH_DIR = ROOT / "var" / "bench" / "refresh"


def serve(files: dict):
    """files["current"]: the bytes to serve at /gtfs.zip with an ETag; 304 on a matching If-None-Match."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = files["current"]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(usegmt=True))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}/gtfs.zip"


def child_refresh(env) -> tuple[float, float, str]:
    """(seconds, peak RSS MB of the children so far, its output) of one manage.py refresh_feeds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "manage.py", "refresh_feeds"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode:
        raise SystemExit(f"refresh failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds, max(peak, before) / 1024, proc.stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    feeds = []
    for seed in (7, 8):
        path = BENCH_DIR / f"feed-{args.scale}-{seed}.zip"
        if not path.exists():
            print(f"generating {path.name}: {generate_feed(path, args.scale, seed=seed)}", flush=True)
        feeds.append(path.read_bytes())
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from rest_framework_simplejwt.tokens import RefreshToken

    settings.NETWORK_DIR = BENCH_DIR / "networks"
    # The database is new: so must be the networks (an earlier run's files of the same versions would be kept,
    # and the build not measured).
    import shutil

    shutil.rmtree(settings.NETWORK_DIR, ignore_errors=True)
    settings.GTFS_FEED_DIR = BENCH_DIR / "feeds"
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    files = {"current": feeds[0]}
    httpd, url = serve(files)
    try:
        from maas.accounts.services import register_resident
        from planner.models import FeedVersion, Stop
        from planner.refresh.service import parse_every, set_source

        set_source("hsl", url, parse_every("1d"))
        db = connection.settings_dict
        database = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="maas.settings", DEBUG="1", CELERY_BROKER_URL="",
                   DATABASE_URL=database,
                   NETWORK_DIR=str(settings.NETWORK_DIR), GTFS_FEED_DIR=str(settings.GTFS_FEED_DIR))
        seconds, peak, out = child_refresh(env)
        print(f"refresh v1 (download, import, build, activate): {seconds:.1f} s, peak RSS {peak:.0f} MB: {out}",
              flush=True)
        token = str(RefreshToken.for_user(register_resident(email="bench@example.org",
                                                            password="bench-pass-12345").user).access_token)
        stops = list(Stop.objects.filter(feed__is_active=True).values_list("stop_id", flat=True))
        server = Server()
        rnd = random.Random(3)

        def body():
            a, b = rnd.sample(stops, 2)
            return {"from": {"stop_id": a}, "to": {"stop_id": b}, "modes": ["walk", "transit"],
                    "departure": f"2022-03-02T08:{rnd.randint(0, 59):02d}:00+02:00"}

        t = time.perf_counter()
        status, _ = server.post("/api/v1/plans", body(), token)
        print(f"first plan (loads the v1 network): HTTP {status} in {time.perf_counter() - t:.1f} s", flush=True)
        samples, statuses, stop = [], {}, threading.Event()
        lock = threading.Lock()

        def client():
            while not stop.is_set():
                t0 = time.perf_counter()
                code, _ = server.post("/api/v1/plans", body(), token)
                with lock:
                    samples.append(time.perf_counter() - t0)
                    statuses[code] = statuses.get(code, 0) + 1

        files["current"] = feeds[1]
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for th in threads:
            th.start()
        seconds, peak, out = child_refresh(env)
        print(f"refresh v2 under plan load: {seconds:.1f} s, peak RSS {peak:.0f} MB: {out}", flush=True)
        # Keep asking until this process answers from v2 (it loads the new network on its next request).
        active = FeedVersion.objects.get(is_active=True)
        deadline = time.monotonic() + 600
        from planner.engines.embedded import EmbeddedEngine

        while time.monotonic() < deadline:
            net = EmbeddedEngine.instance()._networks
            if any(f"-v{active.version}-" in key for key in net):
                break
            time.sleep(0.5)
        stop.set()
        for th in threads:
            th.join()
        report("plans during the refresh and swap (HTTP)", samples, "no error")
        print(f"{'':<44} HTTP statuses {json.dumps(statuses)}; swapped to {active}", flush=True)
        server.httpd.shutdown()
    finally:
        httpd.shutdown()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
