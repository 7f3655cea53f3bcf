"""What routing over several feeds costs: the HSL-sized synthetic feed built as it is, as the one active feed
(ids `hsl:ID`, merged through planner.engines.embedded.merge) and together with the ferries fixture (two feeds),
with build time, peak memory of each build, footpaths, and plan latency on each network.

    .venv/bin/python bench/multifeed.py [--queries 100]

The network is bench/plan.py's HSL-sized synthetic one (feed written once into var/bench/hsl-feed). The same
coordinate queries (07:00-09:00) are planned on each network, alternately, so load changes hit all alike.
Prints medians and p95 in milliseconds; the load average with them.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import plan as plan_bench  # bench/plan.py: django set up, the HSL-sized feed and random queries

from planner.engines.base import PlanRequest
from planner.engines.embedded import EmbeddedNetwork
from planner.engines.embedded.build import build_artifacts

FERRIES = plan_bench.ROOT / "fixtures" / "gtfs" / "ferries.zip"


def _build(gtfs, stem, queue):
    started = time.perf_counter()
    stats = build_artifacts(gtfs, f"{stem}.cafein", f"{stem}.meta.pickle")
    queue.put((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, stats))


def build(label, gtfs, stem):
    """Build in a child process (its own peak memory); print seconds, peak RSS and the network's size."""
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_build, args=(gtfs, stem, queue))
    child.start()
    seconds, peak_mb, stats = queue.get()
    child.join()
    print(f"build {label:<26} {seconds:6.1f} s  peak {peak_mb:6.0f} MB  stops {stats['stops']:,} trips "
          f"{stats['trips']:,} footpaths {stats['footpaths']:,} routing footpaths {stats['routing_footpaths']:,}",
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    feed_dir = plan_bench.BENCH_DIR / "hsl-feed"
    if not (feed_dir / "stop_times.txt").exists():
        plan_bench.write_feed(feed_dir, **plan_bench.HSL)
    inputs = {"as is (bare ids)": feed_dir, "one feed, hsl:ID": {"hsl": feed_dir},
              "hsl + ferries": {"hsl": feed_dir, "ferries": FERRIES}}
    with tempfile.TemporaryDirectory(prefix="bench-multifeed-") as tmp:
        for n, (label, gtfs) in enumerate(inputs.items()):  # every build forked before any network is loaded
            build(label, gtfs, Path(tmp) / str(n))
        nets = {label: EmbeddedNetwork.load(Path(tmp) / f"{n}.cafein", Path(tmp) / f"{n}.meta.pickle")
                for n, label in enumerate(inputs)}
    requests = plan_bench.random_requests(nets["as is (bare ids)"], plan_bench.SYNTH_DAY, args.queries, seed=11)
    samples: dict = {label: [] for label in nets}
    found: dict = {label: 0 for label in nets}
    for o, d, when in requests:
        for label, net in nets.items():
            t = time.perf_counter()
            its = net.plan(PlanRequest(origin=o, destination=d, departure=when))
            samples[label].append(time.perf_counter() - t)
            found[label] += bool(its)
    for label in nets:
        plan_bench.report(f"plan on {label}", samples[label])
        print(f"{'':<44} itineraries found for {found[label]}/{len(requests)}", flush=True)
    print("load average:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
