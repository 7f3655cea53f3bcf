"""A feed's FeedMeta, read through the project's one GTFS reader (`planner.gtfs.reader.read_tables`).

The tables come typed from the reader; time parsing is `planner.gtfs.times`, stop-name translations
`planner.gtfs.translations`. Each part of the side-car is one small step below.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.engines.embedded.feedmeta import DEFAULT_MIN_TRANSFER_S, FeedMeta
from planner.engines.embedded.footpaths import compute_footpaths
from planner.gtfs.reader import read_tables
from planner.gtfs.times import parse_times
from planner.gtfs.translations import stop_translations
from planner.models import route_type_mode

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _text(value) -> str:
    """A cell as text: '' for NA."""
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _column(frame: pd.DataFrame, name: str) -> list:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _flag(value) -> int:
    """A GTFS 0/1/2 flag (wheelchair_*) as an int, 0 when blank."""
    text = _text(value)
    return int(float(text)) if text else 0


def _first(frame: pd.DataFrame | None, name: str) -> str:
    return _text(frame[name].iloc[0]) if frame is not None and name in frame.columns and len(frame) else ""


def _day(text) -> date:
    text = _text(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def read_stops(tables: dict) -> dict:
    st = tables["stops"]
    names_by_stop = stop_translations(tables)
    stops = {}
    for sid, name, lat, lon, wc, zone in zip(st["stop_id"], _column(st, "stop_name"), _column(st, "stop_lat"),
                                             _column(st, "stop_lon"), _column(st, "wheelchair_boarding"),
                                             _column(st, "zone_id")):
        sid = str(sid)
        stops[sid] = {
            "name": _text(name), "names": names_by_stop.get(sid, {}),
            "lat": float(lat) if _text(lat) else None, "lon": float(lon) if _text(lon) else None,
            "wheelchair": _flag(wc), "zone": _text(zone).strip() or None,
        }
    return stops


def read_routes(tables: dict) -> dict:
    rt = tables["routes"]
    routes = {}
    for rid, short, long_, rtype, color in zip(rt["route_id"], _column(rt, "route_short_name"),
                                               _column(rt, "route_long_name"), rt["route_type"],
                                               _column(rt, "route_color")):
        rtype = int(rtype)
        color = _text(color).strip()
        routes[str(rid)] = {"short_name": _text(short) or None, "long_name": _text(long_) or None,
                            "route_type": rtype, "mode": route_type_mode(rtype),
                            "color": f"#{color.upper()}" if color else None}
    return routes


def read_trips(tables: dict) -> dict:
    tr = tables["trips"]
    return {
        str(tid): {"route_id": str(rid), "service_id": str(sid), "headsign": _text(hs) or None, "wheelchair": _flag(wc)}
        for tid, rid, sid, hs, wc in zip(tr["trip_id"], tr["route_id"], tr["service_id"],
                                         _column(tr, "trip_headsign"), _column(tr, "wheelchair_accessible"))
    }


def read_trip_stops(tables: dict, trips: dict, stops: dict) -> dict:
    """trip_id -> (stop ids, arrival s int32[], departure s int32[]) in stop_sequence order; a blank time
    takes the other one of its row; rows without a time and trips with fewer than two stops are left out."""
    stt = tables["stop_times"]
    arr, arr_blank, _ = parse_times(stt["arrival_time"])
    dep, dep_blank, _ = parse_times(stt["departure_time"])
    arr, dep = np.where(arr_blank, dep, arr), np.where(dep_blank, arr, dep)
    frame = pd.DataFrame({"trip_id": stt["trip_id"].astype(object), "stop_id": stt["stop_id"].astype(object),
                          "seq": pd.to_numeric(stt["stop_sequence"]), "arr": arr, "dep": dep})
    frame = frame[frame["trip_id"].isin(trips.keys()) & frame["stop_id"].isin(stops.keys())]
    frame = frame.dropna(subset=["arr", "dep"]).sort_values(["trip_id", "seq"], kind="stable")
    trip_stops = {}
    for tid, group in frame.groupby("trip_id", sort=False):
        if len(group) >= 2:
            trip_stops[tid] = (tuple(group["stop_id"]), group["arr"].to_numpy("int32"),
                               group["dep"].to_numpy("int32"))
    return trip_stops


def read_calendar(tables: dict) -> tuple[dict, dict, dict]:
    """(calendar {service_id: (weekday flags, start, end)}, added {date: services}, removed {date: services})."""
    calendar, added, removed = {}, {}, {}
    cal = tables.get("calendar")
    if cal is not None:
        for row in cal.to_dict("records"):
            calendar[str(row["service_id"])] = (tuple(_text(row[d]) == "1" for d in DAYS), _day(row["start_date"]),
                                                _day(row["end_date"]))
    cd = tables.get("calendar_dates")
    if cd is not None:
        for sid, day, kind in zip(cd["service_id"], cd["date"], cd["exception_type"]):
            (added if _text(kind) == "1" else removed).setdefault(_day(day), set()).add(str(sid))
    return calendar, added, removed


def read_transfers(tables: dict) -> tuple[dict, dict]:
    """transfers.txt minimum change times (type 2): ({stop: s} same stop, {(from, to): s} between stops)."""
    same, between = {}, {}
    tf = tables.get("transfers")
    if tf is not None:
        for a, b, kind, secs in zip(tf["from_stop_id"], tf["to_stop_id"], _column(tf, "transfer_type"),
                                    _column(tf, "min_transfer_time")):
            if _text(kind) == "2" and _text(secs):
                if a == b:
                    same[str(a)] = int(float(secs))
                else:
                    between[(str(a), str(b))] = int(float(secs))
    return same, between


def read_feed_tables(path) -> dict:
    """The tables a FeedMeta is made of (all but shapes), typed by the project's GTFS reader."""
    return read_tables(Path(path), exclude=("shapes",))


def read_feed_meta(path, *, default_min_transfer_s=DEFAULT_MIN_TRANSFER_S) -> FeedMeta:
    """The FeedMeta of a GTFS zip/dir (FeedInvalid / ValueError naming the file on bad input)."""
    return feed_meta(read_feed_tables(path), path, default_min_transfer_s=default_min_transfer_s)


def feed_meta(tables: dict, path, *, default_min_transfer_s=DEFAULT_MIN_TRANSFER_S, feeds=()) -> FeedMeta:
    """The FeedMeta of a feed's tables (`path` names it in errors; `feeds`: the names merged into it)."""
    agency = tables["agency"]
    feed_lang = _first(tables.get("feed_info"), "feed_lang") or _first(agency, "agency_lang") or "fi"
    tz = _first(agency, "agency_timezone") or "Europe/Helsinki"
    stops, trips = read_stops(tables), read_trips(tables)
    trip_stops = read_trip_stops(tables, trips, stops)
    calendar, added, removed = read_calendar(tables)
    used = {trips[t]["service_id"] for t in trip_stops}
    starts = [v[1] for k, v in calendar.items() if k in used] + [d for d, s in added.items() if s & used]
    ends = [v[2] for k, v in calendar.items() if k in used] + [d for d, s in added.items() if s & used]
    if not starts:
        raise ValueError(f"{path}: no service dates for any timed trip (calendar.txt/calendar_dates.txt)")
    min_transfer, pair_transfer = read_transfers(tables)
    meta = FeedMeta(stops=stops, routes=read_routes(tables), trips=trips, trip_stops=trip_stops, calendar=calendar,
                    added=added, removed=removed, service_start=min(starts), service_end=max(ends),
                    min_transfer_s=min_transfer, pair_transfer_s=pair_transfer, footpaths=[],
                    default_min_transfer_s=default_min_transfer_s, feed_lang=feed_lang, timezone=tz,
                    feeds=tuple(feeds))
    meta.footpaths = compute_footpaths(meta)
    return meta
