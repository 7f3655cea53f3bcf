"""Several GTFS feeds as one, every id feed-qualified (`FEED:ID`, e.g. `hsl:1100601`, `ferries:9571`).

The routing network is built over all active feeds together. cafein can merge feeds itself, but it
qualifies ids by the feed's position (`0:1100601`) and only where ids collide; the API speaks
OpenTripPlanner's `FEED:ID` with feed names, and the side-car, the split network and the exact scan all
key on the same ids. So the feeds are merged here, as text (no value is re-typed), into one GTFS
directory whose ids are already qualified: every later step reads one feed, as before.

Qualified: agency, stop (and parent station), route, trip, service, shape ids, wherever they occur.
Not qualified: zone_id (the fare zones billing prices, e.g. HSL's "A"/"B") and block_id.
Stop-name translations are keyed by the qualified stop id (a name in one feed never translates
another feed's stop).
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from planner.gtfs.reader import member_bytes
from planner.gtfs.translations import stop_translations

ID_COLUMNS = {
    "agency": ("agency_id",),
    "stops": ("stop_id", "parent_station"),
    "routes": ("route_id", "agency_id"),
    "trips": ("route_id", "service_id", "trip_id", "shape_id"),
    "stop_times": ("trip_id", "stop_id"),
    "calendar": ("service_id",),
    "calendar_dates": ("service_id",),
    "transfers": ("from_stop_id", "to_stop_id", "from_route_id", "to_route_id", "from_trip_id", "to_trip_id"),
    "shapes": ("shape_id",),
    "frequencies": ("trip_id",),
    "feed_info": (),
}


def _read(path, table: str) -> pd.DataFrame | None:
    data = member_bytes(path, table)
    if data is None:
        return None
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _qualify(frame: pd.DataFrame, columns, prefix: str) -> pd.DataFrame:
    for column in columns:
        if column in frame.columns:
            values = frame[column].str.strip()
            frame[column] = values.where(values == "", prefix + values)
    return frame


def _feed_tables(name: str, path) -> dict[str, pd.DataFrame]:
    """One feed's tables as text, its ids qualified by `name`."""
    prefix = f"{name}:"
    tables = {t: _read(path, t) for t in ID_COLUMNS}
    for table, frame in tables.items():
        if frame is not None:
            _qualify(frame, ID_COLUMNS[table], prefix)
    agency, routes = tables.get("agency"), tables.get("routes")
    if agency is not None:  # a one-agency feed may leave agency_id blank; merged, every agency needs one
        if "agency_id" not in agency.columns:
            agency["agency_id"] = ""
        agency.loc[agency["agency_id"] == "", "agency_id"] = name
        if routes is not None and len(agency) == 1:
            if "agency_id" not in routes.columns:
                routes["agency_id"] = ""
            routes.loc[routes["agency_id"] == "", "agency_id"] = agency["agency_id"].iloc[0]
    if tables.get("feed_info") is not None:
        tables["feed_info"] = tables["feed_info"].head(1)
    stops = tables.get("stops")
    translations = _read(path, "translations")
    if stops is not None and translations is not None:
        raw_stops = stops.assign(stop_id=stops["stop_id"].str.removeprefix(prefix))
        names = stop_translations({"translations": translations, "stops": raw_stops})
        tables["translations"] = pd.DataFrame(
            [("stops", "stop_name", lang, text, prefix + stop_id)
             for stop_id, by_lang in names.items() for lang, text in by_lang.items()],
            columns=["table_name", "field_name", "language", "translation", "record_id"])
    return {t: f for t, f in tables.items() if f is not None}


def merge_feeds(feeds: dict, out_dir: Path) -> Path:
    """Write {feed name: GTFS zip/dir} as one GTFS directory with feed-qualified ids; returns it.

    Feeds are taken in name order; feed_info.txt keeps the first feed's row (its feed_lang is the
    merged feed's default language).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    merged: dict[str, list] = {}
    for name in sorted(feeds):
        if ":" in name:
            raise ValueError(f"feed name {name!r} must not contain ':' (ids are qualified as FEED:ID)")
        for table, frame in _feed_tables(name, feeds[name]).items():
            merged.setdefault(table, []).append(frame)
    for table, frames in merged.items():
        frame = pd.concat(frames, ignore_index=True).fillna("")
        if table == "feed_info":
            frame = frame.head(1)
        frame.to_csv(out_dir / f"{table}.txt", index=False)
    return out_dir
