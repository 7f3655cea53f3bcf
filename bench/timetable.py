#!/usr/bin/env python
"""Departure boards and stop search through the HTTP API on the HSL-sized synthetic feed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/timetable.py [--scale 1.0]

The feed is bench/gtfs_import.py's generator (scale 1.0 ~ 5 M stop_times, 200 k trips, 8 k stops), imported
into a throw-away test database; the API runs on a 127.0.0.1 thread. Prints p50/p95 (goal p50 <= 20 ms).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maas.test_settings")
# As in production (DEBUG off: 60 s): the test settings' DEBUG would open a database connection per request,
# which costs more than a board (about 25 ms here).
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

from gtfs_import import generate_feed  # noqa: E402
from plan import Server, report  # noqa: E402  (sets Django up)

BENCH_DIR = ROOT / "var" / "bench"


def get(server, path, params):
    url = f"{server.url}{path}?{urllib.parse.urlencode(params)}"
    t = time.perf_counter()
    with urllib.request.urlopen(url) as resp:
        body = json.loads(resp.read())
        status = resp.status
    return time.perf_counter() - t, status, body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keepdb", action="store_true", help="keep the test database (and its import) for reruns")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    feed_zip = BENCH_DIR / f"timetable-{args.scale}.zip"
    if not feed_zip.exists():
        counts = generate_feed(feed_zip, args.scale)
        print(f"synthetic feed: {counts}", flush=True)
    from django.conf import settings
    from django.db.models import Count
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    settings.GTFS_FEED_DIR = BENCH_DIR / "feeds"
    setup_test_environment()
    # serialized_aliases=(): a kept database is not dumped into memory (Django serializes it for test rollbacks)
    old = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb, serialized_aliases=())
    try:
        from planner.gtfs.guarded import import_feed
        from planner.models import Stop, StopTime

        t = time.perf_counter()
        result = import_feed(str(feed_zip), name="hsl", activate=True, progress=False, skip_if_active_same=True)
        feed = result.feed
        print(f"{'kept' if result.skipped else 'imported'} {feed.stats['stop_times']:,} stop_times, "
              f"{feed.stats['stops']:,} stops in {time.perf_counter() - t:.1f} s", flush=True)
        busiest = (StopTime.objects.filter(feed=feed).values("stop__stop_id").annotate(n=Count("*"))
                   .order_by("-n")[:20])
        busy = [(row["stop__stop_id"], row["n"]) for row in busiest]
        print(f"busiest stop {busy[0][0]}: {busy[0][1]} stop_times (all services)", flush=True)
        stops = list(Stop.objects.filter(feed=feed).values_list("stop_id", "name", "lat", "lon"))
        server = Server()
        rnd = random.Random(5)
        get(server, "/api/v1/stops", {"q": "Stop 1"})  # first request: stop index, URL conf
        samples, statuses, counts = [], {}, []
        for _ in range(args.queries):
            stop_id = rnd.choice(busy)[0]
            when = f"2022-03-02T{rnd.randint(5, 23):02d}:{rnd.randint(0, 59):02d}:00"
            s, status, body = get(server, f"/api/v1/stops/hsl:{stop_id}/departures", {"time": when, "limit": 10})
            samples.append(s)
            statuses[status] = statuses.get(status, 0) + 1
            counts.append(len(body.get("departures", [])))
        report("HSL-sized: GET departures (busy stops, HTTP)", samples, "p50 <= 20 ms")
        print(f"{'':<44} HTTP {statuses}, departures per board min {min(counts)} max {max(counts)}", flush=True)
        for label, make in (
            ("HSL-sized: GET stops?q= (name, HTTP)", lambda: {"q": f"Stop {rnd.randint(1, 7999)}"[:rnd.randint(6, 9)]}),
            ("HSL-sized: GET stops?near= (500 m, HTTP)",
             lambda: (lambda s: {"near": f"{s[2]},{s[3]}", "radius": 500})(rnd.choice(stops))),
        ):
            samples, found = [], []
            for _ in range(args.queries):
                s, status, body = get(server, "/api/v1/stops", make())
                samples.append(s)
                found.append(len(body["stops"]))
            report(label, samples, "p50 <= 20 ms")
            print(f"{'':<44} stops per answer min {min(found)} max {max(found)}", flush=True)
        server.httpd.shutdown()
    finally:
        if not args.keepdb:
            teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    import urllib.parse  # noqa: F401

    main()
