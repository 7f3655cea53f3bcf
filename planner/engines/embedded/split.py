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


def fifo_patterns(trip_stops: dict) -> dict:
    """trip_id -> its routing pattern number: trips with the same stop sequence, split into chains in which
    no trip overtakes another (each trip arrives and departs no earlier than the one before it at every
    stop). Within such a chain a change between two of its trips at one stop never gains anything, so a
    0-second change there (cafein allows it at a shared stop copy) cannot produce a better journey."""
    by_stops: dict = {}
    for tid, (stops, arr, dep) in trip_stops.items():
        by_stops.setdefault(stops, []).append(tid)
    out, number = {}, 0
    for tids in by_stops.values():
        tids.sort(key=lambda t: (int(trip_stops[t][2][0]), t))
        chains: list = []  # [(pattern number, last trip's arrivals, last trip's departures)]
        for tid in tids:
            _, arr, dep = trip_stops[tid]
            for k, (p, last_arr, last_dep) in enumerate(chains):
                if (last_arr <= arr).all() and (last_dep <= dep).all():
                    chains[k] = (p, arr, dep)
                    break
            else:
                p, number = number, number + 1
                chains.append((p, arr, dep))
            out[tid] = p
    return out


def write_split_feed(src_path, tables: dict, meta, out_dir: Path) -> dict:
    """Write the split feed: every stop becomes one copy per routing pattern (`fifo_patterns`).

    cafein lets a passenger alight and board another vehicle at the same stop in 0 s. Once each
    pattern has its own copy of a stop, a change between patterns can only happen over a footpath
    between copies, which carries the minimum change time; a change between trips of the same
    pattern never helps (no overtaking within a pattern), so change times hold by construction.
    Returns {stop_id: [copy ids]}.
    """
    import csv

    out_dir.mkdir(parents=True, exist_ok=True)
    patterns = fifo_patterns(meta.trip_stops)
    copies: dict = {}
    with open(out_dir / "stop_times.txt", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"))
        for tid, (stops, arr, dep) in meta.trip_stops.items():  # written trip by trip: never all rows in memory
            p = patterns[tid]
            rows = []
            for n, (stop, a, d) in enumerate(zip(stops, arr, dep)):
                copy = f"{stop}{COPY_SEP}{p}"
                if copy not in copies.setdefault(stop, []):
                    copies[stop].append(copy)
                rows.append((tid, format_time(a), format_time(d), copy, n + 1))
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

