"""Plan latency with and without real-time state, on the HSL-sized synthetic network.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/realtime_plan.py [--queries 200]

The network is bench/plan.py's HSL-sized synthetic one (built once into var/bench/); the real-time state is
bench/realtime_ingest.py's trip-updates feed (2,000 trips in progress, ~42,000 stop-time updates, 2 %
cancelled) ingested into the store. The same coordinate queries (06:00-08:00) are planned alternately
without and with that state (both inside EmbeddedNetwork.realtime, as the engine plans), so load changes hit both
alike. Goal: with/without p50 and p95 ratio <= 1.3. Also printed: the same ratios of this process's CPU time (less
moved by other load on a shared machine) and the cafein searches each side ran.
"""
from __future__ import annotations

import argparse
import statistics
import time

import plan as plan_bench  # bench/plan.py: the HSL-sized network and its random queries
import realtime_ingest

from planner.engines.base import PlanRequest
from planner.engines.embedded import EmbeddedNetwork
from planner.engines.embedded.build import build_artifacts
from planner.realtime import services, store
from planner.realtime.timetable import RealtimeTimetable


def network():
    feed_dir = realtime_ingest.FEED_DIR
    stem = plan_bench.BENCH_DIR / "hsl"
    if not (feed_dir / "stop_times.txt").exists():
        plan_bench.write_feed(feed_dir, **plan_bench.HSL)
    if not stem.with_suffix(".cafein").exists():
        build_artifacts(feed_dir, f"{stem}.cafein", f"{stem}.meta.pickle")
    net = EmbeddedNetwork.load(f"{stem}.cafein", f"{stem}.meta.pickle")
    net.feed_names = ("bench",)  # bare ids: its trips are looked up in RealtimeTimetable("bench") directly
    return net


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    net = network()
    index = realtime_ingest.static_index()
    now = time.time()
    body, updates = realtime_ingest.trip_updates_feed(index, now, seed=0)
    out = services.ingest("bench", "trip_updates", body, now=now, index=index)
    table = RealtimeTimetable.current("bench")
    print(f"real-time state: {out['counts']['matched']:,} trips ({out['counts']['canceled']} cancelled), "
          f"{updates:,} stop-time updates")
    requests = plan_bench.random_requests(net, plan_bench.SYNTH_DAY, args.queries, seed=3, hours=(6, 8))
    plain, live, changed, delayed_legs = [], [], 0, 0
    plain_cpu, live_cpu, searches = [], [], [0, 0]  # this process's CPU time: less moved by other load on the machine
    warm = PlanRequest(origin=requests[0][0], destination=requests[0][1], departure=requests[0][2])
    for state in (None, table):  # one plan each first: what a process builds once (per network, per poll)
        with net.realtime(state):
            net.plan(warm)
    for origin, destination, when in requests:
        req = PlanRequest(origin=origin, destination=destination, departure=when)
        with net.realtime(None):  # the engine's path without real-time state (alerts read once per plan too)
            n, t, c = net.stats["searches"], time.perf_counter(), time.process_time()
            a = net.plan(req)
            plain.append(time.perf_counter() - t)
            plain_cpu.append(time.process_time() - c)
            searches[0] += net.stats["searches"] - n
        with net.realtime(table):
            n, t, c = net.stats["searches"], time.perf_counter(), time.process_time()
            b = net.plan(req)
            live.append(time.perf_counter() - t)
            live_cpu.append(time.process_time() - c)
            searches[1] += net.stats["searches"] - n
        changed += bool(a and b and a[0]["end_time"] != b[0]["end_time"])
        delayed_legs += sum(1 for it in b for leg in it["legs"] if leg.get("realtime") and leg["delay_s"])
    for label, samples in (("without real time", plain), ("with real time", live)):
        ms = [s * 1000 for s in samples]
        print(f"HSL-sized plan {label:<18} n={len(ms)} p50={statistics.median(ms):7.1f} ms "
              f"p95={plan_bench.pct(ms, 95):7.1f} ms")
    r50 = statistics.median(live) / statistics.median(plain)
    r95 = plan_bench.pct(live, 95) / plan_bench.pct(plain, 95)
    c50 = statistics.median(live_cpu) / statistics.median(plain_cpu)
    c95 = plan_bench.pct(live_cpu, 95) / plan_bench.pct(plain_cpu, 95)
    print(f"CPU time ratio with/without: p50 {c50:.2f}x, p95 {c95:.2f}x; searches without {searches[0]}, "
          f"with {searches[1]}")
    print(f"ratio with/without: p50 {r50:.2f}x, p95 {r95:.2f}x (goal <= 1.3x); best arrival changed by real time "
          f"in {changed} of {len(requests)} queries; {delayed_legs} delayed legs shown; "
          f"{net.stats.get('realtime_repairs', 0)} repair searches ({net.stats.get('realtime_repairs_broken', 0)} for "
          f"broken changes, {net.stats.get('realtime_repairs_late', 0)} without late trips, "
          f"{net.stats.get('realtime_repairs_continued', 0)} from the stops a late vehicle boarded after a change "
          f"reaches, {net.stats.get('realtime_repairs_continued_better', 0)} of them arriving earlier)")
    store.clear("bench")


if __name__ == "__main__":
    main()
