"""The split network: every stop becomes one copy per stop pattern, so cafein honours change times.

cafein lets a passenger alight and board another vehicle at the same stop in 0 s. Once each
pattern has its own copy of a stop, a change between patterns can only happen over a footpath
between copies, which carries the minimum change time.
"""
from __future__ import annotations

from pathlib import Path

from planner.gtfs.reader import member_bytes
from planner.gtfs.times import format_time

COPY_SEP = "@"


def physical(stop_id: str) -> str:
    """The GTFS stop behind a per-pattern routing copy ("1100602@17" -> "1100602")."""
    return stop_id.rsplit(COPY_SEP, 1)[0] if COPY_SEP in stop_id else stop_id


def write_split_feed(src_path, tables: dict, meta, out_dir: Path) -> dict:
    """Write the split feed: every stop becomes one copy per stop pattern (trips' stop sequence).

    cafein lets a passenger alight and board another vehicle at the same stop in 0 s. Once each
    pattern has its own copy of a stop, a change between patterns can only happen over a footpath
    between copies, which carries the minimum change time; a change between trips of the same
    pattern never helps (no overtaking within a pattern). Returns {stop_id: [copy ids]}.
    """
    import csv

    out_dir.mkdir(parents=True, exist_ok=True)
    patterns: dict = {}
    copies: dict = {}
    rows = []
    for tid, (stops, arr, dep) in meta.trip_stops.items():
        p = patterns.setdefault(stops, len(patterns))
        for n, (stop, a, d) in enumerate(zip(stops, arr, dep)):
            copy = f"{stop}{COPY_SEP}{p}"
            if copy not in copies.setdefault(stop, []):
                copies[stop].append(copy)
            rows.append((tid, format_time(a), format_time(d), copy, n + 1))
    with open(out_dir / "stop_times.txt", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"))
        w.writerows(rows)
    with open(out_dir / "stops.txt", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("stop_id", "stop_name", "stop_lat", "stop_lon", "wheelchair_boarding"))
        for stop, ids in copies.items():
            info = meta.stops[stop]
            for copy in ids:
                w.writerow((copy, info["name"], info["lat"], info["lon"], info["wheelchair"]))
    for name in ("agency", "routes", "calendar", "calendar_dates", "feed_info", "shapes"):
        data = member_bytes(src_path, name)
        if data is not None:
            (out_dir / f"{name}.txt").write_bytes(data)
    trips = tables["trips"]
    trips[trips["trip_id"].isin(meta.trip_stops.keys())].to_csv(out_dir / "trips.txt", index=False)
    return copies


def split_footpaths(meta, copies: dict) -> list:
    """Footpaths between copies: same stop -> its minimum change time; nearby stops -> the walk."""
    out = []
    for stop, ids in copies.items():
        secs = meta.required_transfer_s(stop, stop)
        out.extend((a, b, secs, 0.0) for a in ids for b in ids if a != b)
    for a, b, secs, meters in meta.footpaths:
        out.extend((ca, cb, int(secs), float(meters)) for ca in copies.get(a, ()) for cb in copies.get(b, ()))
    return out

