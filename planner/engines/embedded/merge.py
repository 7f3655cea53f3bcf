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


BIG_TABLES = ("stop_times", "shapes")  # streamed in chunks: never a whole table of text in memory
CHUNK_ROWS = 200_000


def _frames(path, table: str, chunksize=None):
    """The member's rows as text DataFrames (one, or chunks of `chunksize` rows); [] when it is absent."""
    data = member_bytes(path, table)
    if data is None:
        return []
    frames = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8", chunksize=chunksize)
    for frame in ([frames] if chunksize is None else frames):
        frame.columns = [str(c).strip() for c in frame.columns]
        yield frame


def _read(path, table: str) -> pd.DataFrame | None:
    return next(iter(_frames(path, table)), None)


def _qualify(frame: pd.DataFrame, columns, prefix: str) -> pd.DataFrame:
    for column in columns:
        if column in frame.columns:
            values = frame[column].str.strip()
            frame[column] = values.where(values == "", prefix + values)
    return frame


def _feed_table(name: str, path, table: str) -> pd.DataFrame | None:
    """One small table of one feed as text, its ids qualified by `name`."""
    prefix = f"{name}:"
    if table == "translations":
        return _translations(path, prefix)
    frame = _read(path, table)
    if frame is None:
        return None
    _qualify(frame, ID_COLUMNS[table], prefix)
    if table in ("agency", "routes"):  # a one-agency feed may leave agency_id blank; merged, every agency needs one
        if "agency_id" not in frame.columns:
            frame["agency_id"] = ""
        agency = frame if table == "agency" else _read(path, "agency")
        if table == "agency":
            frame.loc[frame["agency_id"] == "", "agency_id"] = name
        elif agency is not None and len(agency) == 1:
            own = str(agency["agency_id"].iloc[0]).strip() if "agency_id" in agency.columns else ""
            frame.loc[frame["agency_id"] == "", "agency_id"] = prefix + own if own else name
    return frame.head(1) if table == "feed_info" else frame


def _translations(path, prefix: str) -> pd.DataFrame | None:
    """Stop-name translations keyed by the qualified stop id (either layout of translations.txt)."""
    stops, translations = _read(path, "stops"), _read(path, "translations")
    if stops is None or translations is None:
        return None
    names = stop_translations({"translations": translations, "stops": stops})
    return pd.DataFrame([("stops", "stop_name", lang, text, prefix + stop_id)
                         for stop_id, by_lang in names.items() for lang, text in by_lang.items()],
                        columns=["table_name", "field_name", "language", "translation", "record_id"])


def _write_big(feeds: dict, table: str, target: Path) -> None:
    """stop_times / shapes of every feed into one file, chunk by chunk, under the union of their columns."""
    columns: list = []
    for name in sorted(feeds):
        for frame in _frames(feeds[name], table, chunksize=1):
            columns += [c for c in frame.columns if c not in columns]
            break
    if not columns:
        return
    header = True
    for name in sorted(feeds):
        for frame in _frames(feeds[name], table, chunksize=CHUNK_ROWS):
            frame = _qualify(frame, ID_COLUMNS[table], f"{name}:").reindex(columns=columns, fill_value="")
            frame.to_csv(target, index=False, header=header, mode="w" if header else "a")
            header = False


def merge_feeds(feeds: dict, out_dir: Path) -> Path:
    """Write {feed name: GTFS zip/dir} as one GTFS directory with feed-qualified ids; returns it.

    Feeds are taken in name order; feed_info.txt keeps the first feed's row (its feed_lang is the
    merged feed's default language). One table at a time, the large ones streamed.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in feeds:
        if ":" in name:
            raise ValueError(f"feed name {name!r} must not contain ':' (ids are qualified as FEED:ID)")
    for table in (*ID_COLUMNS, "translations"):
        if table in BIG_TABLES:
            _write_big(feeds, table, out_dir / f"{table}.txt")
            continue
        frames = [f for name in sorted(feeds) if (f := _feed_table(name, feeds[name], table)) is not None]
        if frames:
            frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True).fillna("")
            (frame.head(1) if table == "feed_info" else frame).to_csv(out_dir / f"{table}.txt", index=False)
    return out_dir
