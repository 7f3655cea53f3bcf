"""Trip-planning latency: embedded engine and HTTP API, fixture and HSL-sized timetable, vs a baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/plan.py [--queries 200]

1. Fixture (fixtures/gtfs/kalasatama.zip): EmbeddedNetwork.plan() on random coordinate pairs, then
   POST /api/v1/plans over real HTTP (Django WSGI app on a 127.0.0.1 thread, JWT auth, the feed imported
   into a throw-away test database).
2. HSL-sized synthetic timetable (tests.support.synthetic: 8,000 stops, 500 lines, a 4-hour morning
   window of trips every 10 min per direction) built once into var/bench/: engine and HTTP API.
3. Speed-up: the same stop-to-stop queries through the engine and through a plain Dijkstra on a
   time-expanded graph (tests.support.baseline, graph built once per day, not timed per query).
Prints medians and p95 in milliseconds; goals from issue 4 are printed beside them.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.request
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maas.test_settings")

import django  # noqa: E402

django.setup()

from planner.engines.base import PlanRequest  # noqa: E402
from planner.engines.embedded import EmbeddedEngine, EmbeddedNetwork  # noqa: E402
from planner.engines.embedded.artifacts import artifact_paths, split_path  # noqa: E402
from planner.engines.embedded.build import build_artifacts  # noqa: E402
from tests.support.baseline import TimeExpandedGraph  # noqa: E402
from tests.support.synthetic import write_feed  # noqa: E402

TZ = ZoneInfo("Europe/Helsinki")
FIXTURE = ROOT / "fixtures" / "gtfs" / "kalasatama.zip"
FIXTURE_DAY = date(2022, 3, 2)
SYNTH_DAY = date(2024, 3, 6)
BENCH_DIR = ROOT / "var" / "bench"
HSL = {"stops": 8000, "lines": 500, "trips_per_line": 24, "headway_s": 600, "seed": 7, "hop_s": (50, 150),
       "spacing_m": 300.0}


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(label, samples_s, goal=None):
    ms = [s * 1000 for s in samples_s]
    line = f"{label:<44} n={len(ms):<4} p50={statistics.median(ms):8.2f} ms  p95={pct(ms, 95):8.2f} ms"
    print(line + (f"   (goal: {goal})" if goal else ""), flush=True)
    return statistics.median(ms)


def random_requests(net, day, n, seed, hours=(7, 9)):
    """Coordinate pairs near random served stops (jittered ~150 m), departures in a morning window."""
    rnd = random.Random(seed)
    idx = net.meta.stop_arrays()
    out = []
    while len(out) < n:
        a, b = rnd.sample(range(len(idx["ids"])), 2)
        o = (idx["lat"][a] + rnd.uniform(-0.0013, 0.0013), idx["lon"][a] + rnd.uniform(-0.0026, 0.0026))
        d = (idx["lat"][b] + rnd.uniform(-0.0013, 0.0013), idx["lon"][b] + rnd.uniform(-0.0026, 0.0026))
        when = datetime.combine(day, dtime(hours[0]), tzinfo=TZ) + timedelta(
            seconds=rnd.randint(0, (hours[1] - hours[0]) * 3600))
        out.append((tuple(map(float, o)), tuple(map(float, d)), when))
    return out


def bench_engine(label, net, requests, goal=None):
    found = 0
    samples, cpu = [], []
    for o, d, when in requests:
        t, c = time.perf_counter(), time.process_time()
        its = net.plan(PlanRequest(origin=o, destination=d, departure=when))
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        found += bool(its)
    p50 = report(label, samples, goal)
    report(f"{label[:36]} (CPU time)", cpu)  # less sensitive to other processes on a shared machine
    print(f"{'':<44} itineraries found for {found}/{len(requests)}; {net.stats['plans']} plans made "
          f"{net.stats['searches']} cafein searches, {net.stats['exact_fallbacks']} exact scans, "
          f"{net.stats['rejected_journeys']} journeys rejected by the change-time check",
          flush=True)
    return p50


def bench_arrive(label, net, requests, goal=None):
    """Arrive-by: deadline 45 min after each request's time (a binary search of departure searches)."""
    samples, cpu, found = [], [], 0
    for o, d, when in requests:
        t, c = time.perf_counter(), time.process_time()
        its = net.plan(PlanRequest(origin=o, destination=d, arrival=when + timedelta(minutes=45)))
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        found += bool(its)
    report(label, samples, goal)
    report(f"{label[:36]} (CPU time)", cpu)
    print(f"{'':<44} itineraries found for {found}/{len(requests)}", flush=True)


def bench_baseline(label, net, day, n, seed, window=(6 * 3600 + 1800, 8 * 3600)):
    """Stop-to-stop: engine vs time-expanded Dijkstra, same queries, same answers checked."""
    t = time.perf_counter()
    graph = TimeExpandedGraph(net.meta, day, net.footpaths)
    print(f"{label}: time-expanded graph {len(graph.adj):,} nodes built in {time.perf_counter() - t:.1f} s "
          "(not counted per query)", flush=True)
    rnd = random.Random(seed)
    ids = net.meta.stop_arrays()["ids"]
    engine_s, dijkstra_s, agree, tried = [], [], 0, 0
    while len(engine_s) < n and tried < 20 * n:
        tried += 1
        a, b = rnd.sample(ids, 2)
        t0 = rnd.randint(*window)
        when = datetime.combine(day, dtime(), tzinfo=TZ) + timedelta(seconds=t0)
        t = time.perf_counter()
        its = net.plan(PlanRequest(origin=(0, 0), destination=(0, 0), origin_stop_id=a, destination_stop_id=b,
                                   departure=when, num_itineraries=1))
        elapsed = time.perf_counter() - t
        if not its:
            continue  # compare on journeys that exist (unreachable pairs make Dijkstra scan everything)
        engine_s.append(elapsed)
        got = net.split(datetime.fromisoformat(its[0]["end_time"]))[1]
        t = time.perf_counter()
        expected = graph.earliest_arrival(t0=t0, access={a: 0}, egress={b: 0}, max_rides=net.max_rides)
        dijkstra_s.append(time.perf_counter() - t)
        agree += got == expected
    e = report(f"{label}: engine stop->stop", engine_s)
    b = report(f"{label}: Dijkstra time-expanded stop->stop", dijkstra_s)
    print(f"{'':<44} speed-up p50 {b / e:.1f}x, mean {sum(dijkstra_s) / sum(engine_s):.1f}x (goal >= 10x); "
          f"same earliest arrival {agree}/{len(engine_s)} (reachable pairs only)", flush=True)


class Server:
    """The project's WSGI app on a 127.0.0.1 thread (real sockets, real HTTP parsing)."""

    def __init__(self):
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        from django.core.wsgi import get_wsgi_application

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def post(self, path, body, token):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def bench_api(label, server, token, requests, goal=None):
    statuses = {}
    samples = []
    for o, d, when in requests:
        body = {"from": {"lat": o[0], "lon": o[1]}, "to": {"lat": d[0], "lon": d[1]}, "departure": when.isoformat(),
                "modes": ["walk", "transit"]}
        t = time.perf_counter()
        status, _ = server.post("/api/v1/plans", body, token)
        samples.append(time.perf_counter() - t)
        statuses[status] = statuses.get(status, 0) + 1
    report(label, samples, goal)
    print(f"{'':<44} HTTP statuses {statuses}", flush=True)


def activate(feed_zip_or_dir, built_dir_stem):
    """Import a feed into the test DB, activate it, put its prebuilt network where the engine looks."""
    import shutil

    from planner.gtfs.loader import import_feed

    feed = import_feed(str(feed_zip_or_dir), name="hsl", activate=True).feed
    network_path, meta_path = artifact_paths(feed)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(f"{built_dir_stem}.cafein", network_path)
    shutil.copy(f"{built_dir_stem}.split.cafein", split_path(network_path))  # without it: exact-scan fallbacks
    shutil.copy(f"{built_dir_stem}.meta.pickle", meta_path)
    EmbeddedEngine._instance = None
    return feed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=60)
    parser.add_argument("--arrive-queries", type=int, default=40)
    parser.add_argument("--skip-hsl", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    from django.conf import settings

    settings.NETWORK_DIR = BENCH_DIR / "active"

    # --- fixture ---------------------------------------------------------------------------
    t = time.perf_counter()
    stats = build_artifacts(FIXTURE, BENCH_DIR / "fixture.cafein", BENCH_DIR / "fixture.meta.pickle")
    print(f"fixture network: {stats['stops']} stops, {stats['trips']} trips, built in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    fixture = EmbeddedNetwork.load(BENCH_DIR / "fixture.cafein", BENCH_DIR / "fixture.meta.pickle")
    fixture_requests = random_requests(fixture, FIXTURE_DAY, args.queries, seed=1)
    bench_engine("fixture: engine plan (coordinates)", fixture, fixture_requests)
    bench_arrive("fixture: engine arrive-by (coordinates)", fixture, fixture_requests[:args.arrive_queries])
    bench_baseline("fixture", fixture, FIXTURE_DAY, args.baseline_queries, seed=2)

    # --- HSL-sized ---------------------------------------------------------------------------
    hsl = None
    if not args.skip_hsl:
        feed_dir = BENCH_DIR / "hsl_synthetic"
        if not (feed_dir / "stop_times.txt").exists():
            t = time.perf_counter()
            write_feed(feed_dir, **HSL)
            print(f"HSL-sized synthetic feed written in {time.perf_counter() - t:.1f} s", flush=True)
        stem = BENCH_DIR / "hsl"
        if not Path(f"{stem}.split.cafein").exists():
            t = time.perf_counter()
            stats = build_artifacts(feed_dir, f"{stem}.cafein", f"{stem}.meta.pickle")
            print(f"HSL-sized network: {stats['stops']} stops, {stats['trips']} trips, "
                  f"{stats['footpaths']} footpaths, built in {time.perf_counter() - t:.1f} s", flush=True)
        hsl = EmbeddedNetwork.load(f"{stem}.cafein", f"{stem}.meta.pickle")
        n_st = sum(len(v[0]) for v in hsl.meta.trip_stops.values())
        print(f"HSL-sized: {len(hsl.meta.stop_arrays()['ids']):,} stops, {len(hsl.meta.trip_stops):,} trips, "
              f"{n_st:,} stop_times", flush=True)
        hsl_requests = random_requests(hsl, SYNTH_DAY, args.queries, seed=3, hours=(6, 8))
        bench_engine("HSL-sized: engine plan (coordinates)", hsl, hsl_requests, "p50 <= 150 ms")
        bench_arrive("HSL-sized: engine arrive-by (coordinates)", hsl, hsl_requests[:args.arrive_queries])
        bench_baseline("HSL-sized", hsl, SYNTH_DAY, args.baseline_queries, seed=4)

    # --- HTTP API ----------------------------------------------------------------------------
    if args.skip_api:
        return
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from rest_framework_simplejwt.tokens import RefreshToken

    from maas.accounts.services import register_resident

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        resident = register_resident(email="bench@example.org", password="bench-pass-12345")
        token = str(RefreshToken.for_user(resident.user).access_token)
        server = Server()
        activate(FIXTURE, BENCH_DIR / "fixture")
        server.post("/api/v1/plans", {"from": {"lat": 60.18761, "lon": 24.97721},
                                      "to": {"lat": 60.16885, "lon": 24.93118},
                                      "departure": "2022-03-02T08:30:00+02:00"}, token)  # load once
        bench_api("fixture: POST /api/v1/plans (HTTP)", server, token, fixture_requests, "p50 <= 30 ms")
        if hsl is not None:
            t = time.perf_counter()
            activate(BENCH_DIR / "hsl_synthetic", BENCH_DIR / "hsl")
            print(f"HSL-sized feed imported into the test DB in {time.perf_counter() - t:.1f} s", flush=True)
            server.post("/api/v1/plans", {"from": {"lat": hsl_requests[0][0][0], "lon": hsl_requests[0][0][1]},
                                          "to": {"lat": hsl_requests[0][1][0], "lon": hsl_requests[0][1][1]},
                                          "departure": hsl_requests[0][2].isoformat()}, token)
            bench_api("HSL-sized: POST /api/v1/plans (HTTP)", server, token, hsl_requests, "p50 <= 150 ms")
        server.httpd.shutdown()
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
