"""Synthetic GTFS feeds: small random ones for property tests, an HSL-sized one for the bench.

Everything here is generated (no real data): stops on a jittered grid around Kalasatama, lines as
random walks over the grid, trips at a headway all day, one weekday service.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

BASE_LAT, BASE_LON = 60.1876, 24.9772  # Kalasatama (M)
SERVICE_START, SERVICE_END = "20240101", "20241231"


def _hms(secs: int) -> str:
    return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def _write(path: Path, name: str, header, rows):
    with open(path / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def write_feed(directory, *, stops, lines, trips_per_line, headway_s, seed=0, first_departure_s=6 * 3600,
               hop_s=(60, 240), spacing_m=350.0, wheelchair_share=0.0, route_type=3, min_transfer=None):
    """Write a synthetic GTFS directory; returns its path.

    stops: number of grid stops; lines: number of routes; each route gets `trips_per_line` trips per
    direction departing every `headway_s` from `first_departure_s`, hops of random duration in hop_s.
    wheelchair_share: share of stops marked wheelchair_boarding=2 (not accessible).
    min_transfer: {stop_id: seconds} written to transfers.txt (transfer_type 2).
    """
    rnd = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    side = max(2, int(stops ** 0.5 + 0.999))
    dlat, dlon = spacing_m / 111_000, spacing_m / 55_400
    grid = {}
    stop_rows = []
    for k in range(stops):
        i, j = divmod(k, side)
        sid = f"S{k}"
        grid[(i, j)] = sid
        lat = BASE_LAT + (i - side / 2) * dlat + rnd.uniform(-0.2, 0.2) * dlat
        lon = BASE_LON + (j - side / 2) * dlon + rnd.uniform(-0.2, 0.2) * dlon
        wheel = 2 if rnd.random() < wheelchair_share else 1
        stop_rows.append((sid, f"Stop {k}", f"{lat:.6f}", f"{lon:.6f}", wheel, "A"))
    _write(directory, "stops.txt", ("stop_id", "stop_name", "stop_lat", "stop_lon", "wheelchair_boarding",
                                    "zone_id"), stop_rows)
    _write(directory, "agency.txt", ("agency_id", "agency_name", "agency_url", "agency_timezone"),
           [("SYN", "Synthetic", "http://example.org", "Europe/Helsinki")])
    _write(directory, "calendar.txt", ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                                       "saturday", "sunday", "start_date", "end_date"),
           [("WK", 1, 1, 1, 1, 1, 1, 1, SERVICE_START, SERVICE_END)])
    routes, trips, times = [], [], []
    cells = list(grid)
    for r in range(lines):
        # A random walk over the grid without revisiting a stop, mostly straight on (like real lines).
        length = rnd.randint(4, max(4, min(40, side * 2)))
        cur = rnd.choice(cells)
        path = [cur]
        heading = rnd.choice(((0, 1), (1, 0), (0, -1), (-1, 0)))
        for _ in range(length * 3):
            if len(path) >= length:
                break
            i, j = path[-1]
            options = [(a, b) for a, b in ((0, 1), (1, 0), (0, -1), (-1, 0)) if (i + a, j + b) in grid
                       and (i + a, j + b) not in path]
            if not options:
                break
            if heading not in options or rnd.random() > 0.75:
                heading = rnd.choice(options)
            path.append((i + heading[0], j + heading[1]))
        if len(path) < 2:
            continue
        rid = f"R{r}"
        routes.append((rid, "SYN", str(r + 1), route_type, "007AC9"))
        hops = [rnd.randint(*hop_s) for _ in range(len(path) - 1)]
        offset = rnd.randint(0, max(1, headway_s - 1))
        for direction, seq in ((0, path), (1, path[::-1])):
            hop_seq = hops if direction == 0 else hops[::-1]
            for k in range(trips_per_line):
                tid = f"{rid}_{direction}_{k}"
                trips.append((rid, "WK", tid, direction, rnd.choice((1, 1, 1, 2)) if wheelchair_share else 1))
                t = first_departure_s + offset + k * headway_s
                for n, cell in enumerate(seq):
                    dwell = 0 if n in (0, len(seq) - 1) else rnd.choice((0, 0, 20))
                    times.append((tid, _hms(t), _hms(t + dwell), grid[cell], n + 1))
                    if n < len(hop_seq):
                        t += dwell + hop_seq[n]
    _write(directory, "routes.txt", ("route_id", "agency_id", "route_short_name", "route_type", "route_color"),
           routes)
    _write(directory, "trips.txt", ("route_id", "service_id", "trip_id", "direction_id", "wheelchair_accessible"),
           trips)
    _write(directory, "stop_times.txt", ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
           times)
    if min_transfer:
        _write(directory, "transfers.txt", ("from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"),
               [(s, s, 2, v) for s, v in min_transfer.items()])
    return directory
