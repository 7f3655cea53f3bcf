"""The routing goals of one issue table in one run: HTTP plans through gunicorn, engine vs raw cafein, growth.

1. Fixture (fixtures/gtfs/kalasatama.zip) and the HSL-sized synthetic feed (bench/plan.py's HSL) are imported
   into a throwaway database test_<name> and their networks built by the project's own build
   (build_for_feeds), then served by gunicorn with gunicorn.conf.py (network preloaded), DEBUG off,
   PostgreSQL, Redis cache: one client's POST /api/v1/plans p50/p95 (fixture and HSL-sized), and plans/s on
   the fixture with 2 workers under `wrk -c16` (bench/load.py's run_wrk; one request body repeated).
2. Engine vs raw cafein on the HSL-sized network: EmbeddedNetwork.plan (coordinates, 3 alternatives) p50
   against cafein's route_between_stops on the plain network between random stops (same window), p50.
3. Growth: 8,000 stops with the lines multiplied (--growth, default 0.25,0.5,1,2): plan p50 and raw cafein
   p50 per network; the exponent is the least-squares slope of log(p50) over log(stop_times).
   This process's RSS after planning on each network is printed beside it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench CACHE_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/goals.py [--queries 200] [--growth 0.25,0.5,1,2] [--growth-queries 100]

Networks are written once into var/bench/goals/ (reused when present: delete it after a build change).
"""
import argparse
import math
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import _django
from load import run_wrk, server_env  # noqa: E402  (its import sets the bench JWT key and sets Django up)
from plan import BENCH_DIR, FIXTURE, FIXTURE_DAY, HSL, SYNTH_DAY, TZ, pct, random_requests  # noqa: E402
from shared_network import post_plan, start  # noqa: E402

from planner.engines.base import PlanRequest  # noqa: E402
from planner.engines.embedded import EmbeddedNetwork  # noqa: E402
from planner.engines.embedded.build import build_artifacts  # noqa: E402
from tests.support.synthetic import write_feed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOALS_DIR = BENCH_DIR / "goals"


def rss_mb():
    with open("/proc/self/status") as fh:
        return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS:")) / 1024


def line(label, ms, goal=""):
    print(f"{label:<46} n={len(ms):<4} p50={statistics.median(ms):8.2f} ms  p95={pct(ms, 95):8.2f} ms"
          f"{'   goal: ' + goal if goal else ''}", flush=True)
    return statistics.median(ms)


def engine_ms(net, requests):
    out = []
    for o, d, when in requests:
        t = time.perf_counter()
        net.plan(PlanRequest(origin=o, destination=d, departure=when))
        out.append((time.perf_counter() - t) * 1000)
    return out


def raw_cafein_ms(net, day, n, seed):
    """cafein route_between_stops on the plain network between random stops, 06:00-08:00, max 5 rides."""
    rnd = random.Random(seed)
    ids = list(net.meta.stop_arrays()["ids"])
    out = []
    for _ in range(n):
        a, b = rnd.sample(ids, 2)
        when = datetime.combine(day, dtime(6), tzinfo=TZ) + timedelta(seconds=rnd.randint(0, 7200))
        t = time.perf_counter()
        net.net.route_between_stops(a, b, departure=when.strftime("%Y-%m-%d %H:%M"), max_rides=5, geometries=False)
        out.append((time.perf_counter() - t) * 1000)
    return out


def synthetic(factor, build=True):
    """(feed dir, network stem) of the HSL-sized feed with lines x factor, written and built once."""
    lines = int(HSL["lines"] * factor)
    feed_dir, stem = GOALS_DIR / f"lines{lines}", GOALS_DIR / f"lines{lines}"
    if not (feed_dir / "stop_times.txt").exists():
        write_feed(feed_dir, **{**HSL, "lines": lines})
    if build and not Path(f"{stem}.split.cafein").exists():
        t = time.perf_counter()
        stats = build_artifacts(feed_dir, f"{stem}.cafein", f"{stem}.meta.pickle")
        print(f"lines x{factor}: built in {time.perf_counter() - t:.0f} s ({stats.get('footpaths', '?')} "
              f"footpaths)", flush=True)
    return feed_dir, stem


def growth(factors, queries):
    rows = []
    for factor in factors:
        _, stem = synthetic(factor)
        net = EmbeddedNetwork.load(f"{stem}.cafein", f"{stem}.meta.pickle")
        n_st = sum(len(v[0]) for v in net.meta.trip_stops.values())
        requests = random_requests(net, SYNTH_DAY, queries, seed=3, hours=(6, 8))
        plan = engine_ms(net, requests)
        raw = raw_cafein_ms(net, SYNTH_DAY, queries, seed=4)
        rows.append((factor, n_st, statistics.median(raw), statistics.median(plan), pct(plan, 95),
                     rss_mb(), net.stats["searches"] / max(1, net.stats["plans"])))
        print(f"lines x{factor:<5} {n_st:>10,} stop_times  raw cafein p50 {rows[-1][2]:7.2f} ms  plan p50 "
              f"{rows[-1][3]:8.2f} / p95 {rows[-1][4]:8.2f} ms  ratio {rows[-1][3] / rows[-1][2]:5.1f}x  "
              f"RSS {rows[-1][5]:.0f} MB  searches/plan {rows[-1][6]:.1f}", flush=True)
        del net
    if len(rows) >= 2:
        xs = [math.log(r[1]) for r in rows]
        for label, col in (("plan p50", 3), ("raw cafein p50", 2)):
            ys = [math.log(r[col]) for r in rows]
            mx, my = statistics.mean(xs), statistics.mean(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
            print(f"growth exponent of {label} with stop_times: {slope:.2f}"
                  f"{'   goal: <= 1.5' if col == 3 else ''}", flush=True)
    return rows


def http(args, hsl_dir):
    """Gunicorn over the throwaway database: fixture p50, plans/s (wrk), HSL-sized p50/p95."""
    import json

    from rest_framework_simplejwt.tokens import RefreshToken

    from maas.accounts import services as accounts
    from planner.engines.embedded.build import build_for_feeds
    from planner.gtfs.loader import import_feed

    with _django.throwaway_postgres_db("bench/goals.py"), tempfile.TemporaryDirectory() as tmp:
        from django.conf import settings

        settings.NETWORK_DIR = Path(tmp)
        resident = accounts.register_resident(email="bench@example.org", password="bench-pass-2026")
        token = str(RefreshToken.for_user(resident.user).access_token)
        env = {**server_env(), "NETWORK_DIR": tmp}
        conf = ROOT / "gunicorn.conf.py"
        for label, source, day, seed, hours in (("fixture", FIXTURE, FIXTURE_DAY, 1, (7, 9)),
                                                ("HSL-sized", hsl_dir, SYNTH_DAY, 3, (6, 8))):
            if label == "HSL-sized" and args.skip_hsl_http:
                continue
            import_feed(str(source), name="hsl", activate=True)
            t = time.perf_counter()
            built = build_for_feeds(use_osm=False)
            print(f"{label}: imported and built in {time.perf_counter() - t:.0f} s", flush=True)
            net = EmbeddedNetwork.load(built["network"], built["network"].removesuffix(".cafein") + ".meta.pickle")
            requests = random_requests(net, day, args.queries, seed=seed, hours=hours)
            if label == "HSL-sized":
                plan = line("HSL-sized: engine plan (3 alternatives)", engine_ms(net, requests), "p50 <= 15, p95 <= 40")
                raw = line("HSL-sized: raw cafein route_between_stops", raw_cafein_ms(net, day, args.queries, 4))
                print(f"engine plan / raw cafein p50: {plan / raw:.1f}x   goal: <= 5x", flush=True)
            del net
            proc, base = start(conf, 2, env)
            try:
                post_plan(base, token, requests[0])  # warm both code paths
                samples, statuses = [], {}
                for q in requests:
                    t = time.perf_counter()
                    status = post_plan(base, token, q)
                    samples.append((time.perf_counter() - t) * 1000)
                    statuses[status] = statuses.get(status, 0) + 1
                line(f"{label}: POST /api/v1/plans, gunicorn 2 workers, 1 client", samples,
                     "p50 <= 12" if label == "fixture" else "p50 <= 30, p95 <= 80")
                print(f"{'':<46} HTTP statuses {statuses}", flush=True)
                if label == "fixture":
                    (olat, olon), (dlat, dlon), when = requests[0]
                    body = json.dumps({"from": {"lat": olat, "lon": olon}, "to": {"lat": dlat, "lon": dlon},
                                       "departure": when.isoformat(), "modes": ["walk", "transit"]})
                    r = run_wrk(f"{base}/api/v1/plans", args.seconds, 16, method="POST", body=body,
                                auth=f"Bearer {token}")
                    print(f"fixture: plans/s, gunicorn 2 workers, wrk -c16 -d{args.seconds}s: {r['rps']} "
                          f"(p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, non-2xx {r['non_2xx']})   goal: >= 200",
                          flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--growth", default="0.25,0.5,1,2", help="line multipliers (8,000 stops); '' to skip")
    parser.add_argument("--growth-queries", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-hsl-http", action="store_true")
    args = parser.parse_args()
    if not args.skip_http and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    GOALS_DIR.mkdir(parents=True, exist_ok=True)
    print(f"bench/goals.py at {datetime.now(TZ):%Y-%m-%d %H:%M %Z}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    hsl_dir, _ = synthetic(1, build=False)
    if not args.skip_http:
        http(args, hsl_dir)
    if args.growth:
        growth([float(f) for f in args.growth.split(",")], args.growth_queries)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
