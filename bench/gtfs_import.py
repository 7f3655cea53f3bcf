#!/usr/bin/env python
"""Benchmark: `import_gtfs` (read + validate + COPY load + normalized zip) vs `gtfs_kit.read_feed` alone.

Generates a synthetic HSL-shaped feed (scale 1.0 ~ 5 M stop_times, 200 k trips, 8 k stops, like the
full HSL feed) and prints the median of --repeat runs of each, and their ratio (goal <= 2x).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/gtfs_import.py --scale 0.2

Each import is a new feed version named "bench", deleted again after timing.
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 ~ 5 M stop_times (HSL size); default 0.05")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feed", help="benchmark this existing GTFS zip instead of generating one")
    args = parser.parse_args(argv)

    import django

    django.setup()
    import gtfs_kit

    from planner import services
    from planner.gtfs.loader import import_feed
    from planner.models import FeedVersion

    from django.db import connection

    with tempfile.TemporaryDirectory() as tmp:
        if args.feed:
            path, counts = Path(args.feed), {}
        else:
            path = Path(tmp) / "synthetic.zip"
            t0 = time.perf_counter()
            counts = generate_feed(path, args.scale)
            print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s: "
                  f"{counts}")
        print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
        read_times, import_times, phases = [], [], []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            feed = gtfs_kit.read_feed(path, dist_units="km")
            read_times.append(time.perf_counter() - t0)
            n = len(feed.stop_times)
            del feed
            t0 = time.perf_counter()
            result = import_feed(str(path), name="bench")
            import_times.append(time.perf_counter() - t0)
            phases.append(result.timings)
            assert result.feed.stats["stop_times"] == n, (result.feed.stats, n)
            services.delete_feed_version(FeedVersion.objects.get(pk=result.feed.pk))
            Path(result.feed.gtfs_path).unlink(missing_ok=True)
            print(f"run {i + 1}: read_feed {read_times[-1]:.2f} s, import_gtfs {import_times[-1]:.2f} s "
                  f"({n:,} stop_times)")
        read_med, import_med = statistics.median(read_times), statistics.median(import_times)
        print(f"median gtfs_kit.read_feed: {read_med:.2f} s")
        print(f"median import_gtfs (read+validate+COPY+zip): {import_med:.2f} s "
              f"({n / import_med:,.0f} stop_times/s)")
        print("median phases of import_gtfs: " + ", ".join(
            f"{k} {statistics.median(p[k] for p in phases):.2f} s" for k in ("read", "validate", "load"))
            + " (load = COPY of all tables + commit, normalized zip written alongside)")
        print(f"ratio import/read_feed: {import_med / read_med:.2f}x (goal <= 2x)")
        import resource

        print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
