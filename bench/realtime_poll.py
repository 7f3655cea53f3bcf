"""The 15 s trip-updates poll loop on an HSL-sized feed: cadence (jitter, drift) and poll time.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/realtime_poll.py [--cycles 12] [--period 15]

planner.realtime.polling.run (what `manage.py poll_realtime --loop` runs) polls a loopback HTTP server that serves
bench/realtime_ingest.py's HSL-sized trip-updates feed (2,000 trips, ~40,000 stop-time updates; a different
random feed each cycle, built before the loop). Each poll: fetch over HTTP (maas.outbound) + parse + match + swap
into the store. Reported: how late each tick starts against its due time (jitter), the spread of the periods
between starts, the drift (last start against anchor + k * period), and the poll time (goal <= 1 s).
"""
from __future__ import annotations

import argparse
import statistics
import time

import _django

_django.setup()

import realtime_ingest  # noqa: E402
from plan import pct  # noqa: E402

from planner.realtime import feed, polling, services, store  # noqa: E402
from tests.realtime.rtfeeds import FeedServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--period", type=float, default=15.0)
    args = parser.parse_args()
    index = realtime_ingest.static_index()
    start = time.time()
    bodies = [realtime_ingest.trip_updates_feed(index, start + k * args.period, seed=k)[0] for k in range(args.cycles)]
    server = FeedServer()
    url = server.serve("/tu", bodies[0])
    results = []

    def poll():
        k = len(results)
        server.bodies["/tu"] = bodies[k % len(bodies)]
        results.append(services.ingest("bench", "trip_updates", feed.fetch(url), index=index))

    try:
        ticks = polling.run(poll, args.period, args.cycles)
    finally:
        server.close()
        store.clear("bench")
    late = [(t.started - t.due) * 1000 for t in ticks]
    periods = [(b.started - a.started) / (b.number - a.number) for a, b in zip(ticks, ticks[1:])]
    took = [(t.ended - t.started) * 1000 for t in ticks]
    drift = ticks[-1].started - ticks[0].started - (ticks[-1].number - ticks[0].number) * args.period
    skipped = ticks[-1].number + 1 - len(ticks)
    c = results[-1]["counts"]
    print(f"feed: {len(bodies[0]) / 1e6:.1f} MB, {c['trip_updates']:,} trip updates, {c['stop_time_updates']:,} "
          f"stop-time updates, matched {c['matched']:,}")
    print(f"{len(ticks)} polls every {args.period:g} s over {ticks[-1].ended - ticks[0].started:.1f} s; "
          f"skipped ticks {skipped}")
    print(f"tick start lateness: p50={statistics.median(late):.2f} ms p95={pct(late, 95):.2f} ms "
          f"max={max(late):.2f} ms")
    print(f"period between starts: min={min(periods):.4f} s max={max(periods):.4f} s "
          f"mean={statistics.mean(periods):.4f} s; drift after {ticks[-1].number} periods: {drift * 1000:+.2f} ms")
    print(f"poll (fetch+parse+match+swap): p50={statistics.median(took):.0f} ms p95={pct(took, 95):.0f} ms "
          f"max={max(took):.0f} ms (goal <= 1000 ms)")


if __name__ == "__main__":
    main()
