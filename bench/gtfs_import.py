#!/usr/bin/env python
"""Benchmark: `import_gtfs` (read + validate + COPY load + normalized zip) vs `gtfs_kit.read_feed` alone.

Generates a synthetic HSL-shaped feed (scale 1.0 ~ 5 M stop_times, 200 k trips, 8 k stops, like the
full HSL feed) and prints the median of --repeat runs of each, and their ratio (goal <= 2x).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/gtfs_import.py --scale 0.2

Each run (read_feed, import) is a fresh process so its peak RSS (VmHWM) is its own; each import is a
new feed version named "bench", deleted again after timing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maas.settings")
os.environ.setdefault("DEBUG", "1")


def generate_feed(path: Path, scale: float, seed: int = 7) -> dict:
    """Write a synthetic GTFS zip; returns row counts. Deterministic for a given scale and seed."""
    rng = np.random.default_rng(seed)
    n_stops, n_routes = max(50, int(8000 * min(1.0, scale * 4))), max(5, int(500 * min(1.0, scale * 4)))
    n_trips = max(20, int(200_000 * scale))
    stops = pd.DataFrame({
        "stop_id": [f"{1000000 + i}" for i in range(n_stops)],
        "stop_name": [f"Stop {i}" for i in range(n_stops)],
        "stop_lat": np.round(60.10 + rng.random(n_stops) * 0.25, 6),
        "stop_lon": np.round(24.60 + rng.random(n_stops) * 0.60, 6),
        "zone_id": rng.choice(list("ABCD"), n_stops),
        "location_type": 0,
        "wheelchair_boarding": rng.integers(0, 3, n_stops),
    })
    route_types = rng.choice([3, 700, 0, 900, 1, 109, 4], n_routes, p=[.5, .3, .05, .05, .02, .06, .02])
    routes = pd.DataFrame({"route_id": [f"R{i}" for i in range(n_routes)], "agency_id": "HSL",
                           "route_short_name": [str(i) for i in range(n_routes)], "route_long_name": "A - B",
                           "route_type": route_types})
    # Each route has a fixed stop pattern of 15..35 stops.
    pattern_len = rng.integers(15, 36, n_routes)
    patterns = [rng.choice(n_stops, k, replace=False) for k in pattern_len]
    trip_route = rng.integers(0, n_routes, n_trips)
    services = ["WD", "SA", "SU"]
    trips = pd.DataFrame({"route_id": routes["route_id"].to_numpy()[trip_route],
                          "service_id": rng.choice(services, n_trips, p=[.7, .15, .15]),
                          "trip_id": [f"T{i}" for i in range(n_trips)],
                          "trip_headsign": "Keskusta", "direction_id": rng.integers(0, 2, n_trips),
                          "wheelchair_accessible": 1})
    lengths = pattern_len[trip_route]
    total = int(lengths.sum())
    trip_idx = np.repeat(np.arange(n_trips), lengths)
    seq = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    stop_idx = np.concatenate([patterns[r] for r in trip_route])
    start = rng.integers(4 * 3600, 25 * 3600, n_trips)  # some trips run past midnight (>24:00)
    secs = np.repeat(start, lengths) + seq * 90
    hh, mm, ss = secs // 3600, secs % 3600 // 60, secs % 60
    times = pd.Series(hh).astype(str).str.zfill(2) + ":" + pd.Series(mm).astype(str).str.zfill(2) + ":" + \
        pd.Series(ss).astype(str).str.zfill(2)
    stop_times = pd.DataFrame({"trip_id": trips["trip_id"].to_numpy()[trip_idx], "arrival_time": times,
                               "departure_time": times, "stop_id": stops["stop_id"].to_numpy()[stop_idx],
                               "stop_sequence": seq + 1, "pickup_type": 0, "drop_off_type": 0,
                               "shape_dist_traveled": np.round(seq * 0.45, 3), "timepoint": 1})
    calendar = pd.DataFrame({"service_id": services, "monday": [1, 0, 0], "tuesday": [1, 0, 0],
                             "wednesday": [1, 0, 0], "thursday": [1, 0, 0], "friday": [1, 0, 0],
                             "saturday": [0, 1, 0], "sunday": [0, 0, 1], "start_date": "20220222",
                             "end_date": "20220407"})
    agency = pd.DataFrame({"agency_id": ["HSL"], "agency_name": ["HSL"], "agency_url": ["https://www.hsl.fi/"],
                           "agency_timezone": ["Europe/Helsinki"]})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, df in (("agency", agency), ("stops", stops), ("routes", routes), ("trips", trips),
                         ("stop_times", stop_times), ("calendar", calendar)):
            zf.writestr(f"{name}.txt", df.to_csv(index=False))
    return {"stops": n_stops, "routes": n_routes, "trips": n_trips, "stop_times": total}


def _peak_rss_mb() -> float:
    """VmHWM (peak resident set) of this process in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, path: str, chunk_rows: int | None) -> None:
    """One measured run in a fresh process (so its peak RSS is its own): prints a JSON line."""
    import json

    import django

    django.setup()
    t0 = time.perf_counter()
    if kind == "read":
        import gtfs_kit

        feed = gtfs_kit.read_feed(path, dist_units="km")
        out = {"seconds": time.perf_counter() - t0, "stop_times": len(feed.stop_times)}
    else:
        from planner import services
        from planner.gtfs.loader import import_feed
        from planner.models import FeedVersion

        result = import_feed(path, name="bench", chunk_rows=chunk_rows)
        out = {"seconds": time.perf_counter() - t0, "stop_times": result.feed.stats["stop_times"],
               "timings": result.timings}
        services.delete_feed_version(FeedVersion.objects.get(pk=result.feed.pk))
        Path(result.feed.gtfs_path).unlink(missing_ok=True)
    out["peak_rss_mb"] = _peak_rss_mb()
    print("RESULT " + json.dumps(out))


def _run(kind: str, path: Path, chunk_rows: int | None) -> dict:
    import json
    import subprocess

    cmd = [sys.executable, __file__, "--child", kind, "--feed", str(path)]
    if chunk_rows:
        cmd += ["--chunk-rows", str(chunk_rows)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"{kind} run failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(line[len("RESULT "):])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 ~ 5 M stop_times (HSL size); default 0.05")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feed", help="benchmark this existing GTFS zip instead of generating one")
    parser.add_argument("--chunk-rows", type=int, help="rows per streamed chunk (default: the import's)")
    parser.add_argument("--child", choices=["read", "import"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.feed, args.chunk_rows)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        if args.feed:
            path = Path(args.feed)
        else:
            path = Path(tmp) / "synthetic.zip"
            t0 = time.perf_counter()
            counts = generate_feed(path, args.scale)
            print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s: "
                  f"{counts}")
        print(f"database: {os.environ.get('DATABASE_URL', '(settings default)')}; each run in a fresh process")
        reads, imports = [], []
        for i in range(args.repeat):
            reads.append(_run("read", path, None))
            imports.append(_run("import", path, args.chunk_rows))
            assert imports[-1]["stop_times"] == reads[-1]["stop_times"], (imports[-1], reads[-1])
            print(f"run {i + 1}: read_feed {reads[-1]['seconds']:.2f} s (peak RSS {reads[-1]['peak_rss_mb']:.0f} MB), "
                  f"import_gtfs {imports[-1]['seconds']:.2f} s (peak RSS {imports[-1]['peak_rss_mb']:.0f} MB), "
                  f"{reads[-1]['stop_times']:,} stop_times")
        read_med = statistics.median(r["seconds"] for r in reads)
        import_med = statistics.median(r["seconds"] for r in imports)
        n = imports[-1]["stop_times"]
        print(f"median gtfs_kit.read_feed: {read_med:.2f} s, peak RSS "
              f"{statistics.median(r['peak_rss_mb'] for r in reads):.0f} MB")
        print(f"median import_gtfs (read+validate+COPY+zip+commit): {import_med:.2f} s "
              f"({n / import_med:,.0f} stop_times/s), peak RSS "
              f"{statistics.median(r['peak_rss_mb'] for r in imports):.0f} MB")
        keys = list(imports[-1]["timings"])
        print("median phases of import_gtfs: " + ", ".join(
            f"{k} {statistics.median(r['timings'].get(k, 0) for r in imports):.2f} s" for k in keys))
        print(f"ratio import/read_feed: {import_med / read_med:.2f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
