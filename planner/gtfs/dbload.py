"""Database-loading helpers shared by the whole-table (loader) and streamed (streamload) imports.

Column coercions for NOT NULL text / integer / date fields, the service range of a feed, the small
tables' bulk inserts (agency, stops, routes, calendars, transfers, trips) and the bulk COPY of big ones
(PostgreSQL binary COPY encoded with numpy; chunked bulk_create elsewhere, e.g. the SQLite demo).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from psycopg.copy import QueuedLibpqWriter
from tqdm import tqdm

from planner.gtfs import pgcopy
from planner.gtfs.translations import stop_translations
from planner.models import Agency, Calendar, CalendarDate, FeedVersion, Route, Stop, Transfer, Trip

CHUNK_ROWS = 200_000
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def feed_dir() -> Path:
    """Where normalized feed zips are kept: settings.GTFS_FEED_DIR or BASE_DIR/var/feeds."""
    return Path(getattr(settings, "GTFS_FEED_DIR", Path(settings.BASE_DIR) / "var" / "feeds"))


def text(series: pd.Series) -> pd.Series:
    """Text column for a NOT NULL CharField: NA -> '' (read_feed already maps "" and " " to NA)."""
    return series.astype(object).where(series.notna(), "")


def column(df: pd.DataFrame, column: str, default=None) -> pd.Series:
    if column in df.columns:
        return df[column]
    return pd.Series([default] * len(df), index=df.index, dtype="object")


def integers(series: pd.Series, default: int | None = 0) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    if default is not None:
        values = values.fillna(default)
    return values.astype("Int64")


def dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.astype(str), format="%Y%m%d").dt.date



def service_range(tables: dict):
    starts, ends = [], []
    if tables.get("calendar") is not None and len(tables["calendar"]):
        starts.append(dates(tables["calendar"]["start_date"]).min())
        ends.append(dates(tables["calendar"]["end_date"]).max())
    cd = tables.get("calendar_dates")
    if cd is not None and len(cd):
        added = cd[cd["exception_type"] == 1]
        if len(added):
            starts.append(dates(added["date"]).min())
            ends.append(dates(added["date"]).max())
    return (min(starts) if starts else None), (max(ends) if ends else None)


def copy_rows(model, columns: list[str], frames, total: int, progress: bool, table: str | None = None):
    """Bulk-load DataFrame chunks (columns in `columns` order) into `model`'s table (or `table`, one of the
    same columns: a partition being loaded)."""
    table = table or model._meta.db_table
    bar = tqdm(total=total, desc=f"load {model._meta.model_name}", unit="rows", disable=not progress,
               mininterval=1.0)
    if connection.vendor == "postgresql":
        fields = {f.column: f for f in model._meta.concrete_fields}
        kinds = [pgcopy.pg_type(fields[c]) for c in columns]
        cols = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            # Binary COPY encoded with numpy; the queued writer sends to the server from a worker thread
            # while the next chunk is encoded.
            writer = QueuedLibpqWriter(cursor.cursor)
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT binary)", writer=writer) as copy:
                copy.write(pgcopy.HEADER)
                for frame in frames:
                    copy.write(pgcopy.encode([copy_column(kind, frame[c]) for kind, c in zip(kinds, columns)],
                                             len(frame), header=False, trailer=False))
                    bar.update(len(frame))
                copy.write(pgcopy.TRAILER)
    else:
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        for frame in frames:
            records = frame.astype(object).where(frame.notna(), None).to_dict("records")
            model.objects.bulk_create([model(**{attnames[c]: v for c, v in r.items()}) for r in records],
                                      batch_size=2000)
            bar.update(len(frame))
    bar.close()


def copy_column(kind: str, series: pd.Series):
    nulls = series.isna().to_numpy()
    if kind in ("text", "jsonb"):
        return kind, series.to_numpy(dtype=object), nulls
    if kind == "float8":
        return kind, pd.to_numeric(series).to_numpy(dtype=float, na_value=0.0), nulls
    return kind, pd.to_numeric(series).to_numpy(dtype="int64", na_value=0), nulls


def chunks(df: pd.DataFrame, size: int = CHUNK_ROWS):
    for start in range(0, len(df), size):
        yield df.iloc[start:start + size]


def load_small_tables(feed: FeedVersion, tables: dict, progress: bool) -> dict:
    """Agency, stops, routes, calendars, transfers (bulk_create) and trips (COPY); returns their stats."""
    stops, routes, trips = tables["stops"], tables["routes"], tables["trips"]
    agency = tables["agency"]
    Agency.objects.bulk_create([
        Agency(feed=feed, agency_id=a or "", name=n, url=u or "", timezone=tz, lang=lang or "", phone=ph or "")
        for a, n, u, tz, lang, ph in zip(text(column(agency, "agency_id")), text(agency["agency_name"]),
                                         text(column(agency, "agency_url")), text(agency["agency_timezone"]),
                                         text(column(agency, "agency_lang")), text(column(agency, "agency_phone")))])

    translations = stop_translations(tables)
    stop_frame = pd.DataFrame({
        "feed_id": feed.pk, "stop_id": text(stops["stop_id"]), "code": text(column(stops, "stop_code")),
        "name": text(column(stops, "stop_name")),
        "desc": text(column(stops, "stop_desc")),
        "lat": pd.to_numeric(column(stops, "stop_lat"), errors="coerce"),
        "lon": pd.to_numeric(column(stops, "stop_lon"), errors="coerce"),
        "zone_id": text(column(stops, "zone_id")), "location_type": integers(column(stops, "location_type")),
        "parent_station": text(column(stops, "parent_station")),
        "wheelchair_boarding": integers(column(stops, "wheelchair_boarding")),
        "platform_code": text(column(stops, "platform_code")),
    })
    stop_frame["names"] = pd.Series([translations.get(s, {}) for s in stop_frame["stop_id"]], index=stop_frame.index,
                                    dtype=object)
    copy_rows(Stop, list(stop_frame.columns), chunks(stop_frame), len(stop_frame), progress)

    Route.objects.bulk_create([
        Route(feed=feed, route_id=rid, agency_id=aid, short_name=sn, long_name=ln, desc=d, route_type=int(rt),
              url=u, color=c.lstrip("#")[:6], text_color=tc.lstrip("#")[:6])
        for rid, aid, sn, ln, d, rt, u, c, tc in zip(
            text(routes["route_id"]), text(column(routes, "agency_id")),
            text(column(routes, "route_short_name")), text(column(routes, "route_long_name")),
            text(column(routes, "route_desc")), integers(routes["route_type"]), text(column(routes, "route_url")),
            text(column(routes, "route_color")), text(column(routes, "route_text_color")))
    ], batch_size=2000)

    if tables.get("calendar") is not None:
        cal = tables["calendar"]
        starts, ends = dates(cal["start_date"]), dates(cal["end_date"])
        Calendar.objects.bulk_create([
            Calendar(feed=feed, service_id=sid, start_date=s, end_date=e,
                     **{d: bool(v) for d, v in zip(DAYS, flags)})
            for sid, s, e, flags in zip(text(cal["service_id"]), starts, ends,
                                        cal[list(DAYS)].astype(int).itertuples(index=False))], batch_size=5000)
    if tables.get("calendar_dates") is not None:
        cd = tables["calendar_dates"]
        CalendarDate.objects.bulk_create([
            CalendarDate(feed=feed, service_id=sid, date=d, exception_type=int(x))
            for sid, d, x in zip(text(cd["service_id"]), dates(cd["date"]), cd["exception_type"])], batch_size=5000)
    if tables.get("transfers") is not None:
        tr = tables["transfers"]
        Transfer.objects.bulk_create([
            Transfer(feed=feed, from_stop_id=f, to_stop_id=t, transfer_type=int(tt),
                     min_transfer_time=None if pd.isna(m) else int(m))
            for f, t, tt, m in zip(text(tr["from_stop_id"]), text(tr["to_stop_id"]), integers(tr["transfer_type"]),
                                   integers(column(tr, "min_transfer_time"), default=None))], batch_size=5000)

    route_pk = dict(Route.objects.filter(feed=feed).values_list("route_id", "pk"))
    trip_frame = pd.DataFrame({
        "feed_id": feed.pk, "route_id": text(trips["route_id"]).map(route_pk), "trip_id": text(trips["trip_id"]),
        "service_id": text(trips["service_id"]), "headsign": text(column(trips, "trip_headsign")),
        "short_name": text(column(trips, "trip_short_name")),
        "direction_id": integers(column(trips, "direction_id"), default=None),
        "block_id": text(column(trips, "block_id")), "shape_id": text(column(trips, "shape_id")),
        "wheelchair_accessible": integers(column(trips, "wheelchair_accessible")),
        "bikes_allowed": integers(column(trips, "bikes_allowed")),
    })
    copy_rows(Trip, list(trip_frame.columns), chunks(trip_frame), len(trip_frame), progress)
    return {"agencies": len(agency), "stops": len(stops), "routes": len(routes), "trips": len(trips),
            "calendar": len(tables["calendar"]) if tables.get("calendar") is not None else 0,
            "calendar_dates": len(tables["calendar_dates"]) if tables.get("calendar_dates") is not None else 0,
            "transfers": len(tables["transfers"]) if tables.get("transfers") is not None else 0,
            "translated_stops": len(translations)}


def pk_maps(feed: FeedVersion, tables: dict) -> tuple[pd.Index, np.ndarray, pd.Index, np.ndarray]:
    """(trip ids, their pks, stop ids, their pks) of a loaded feed, aligned index -> pk array."""
    trip_ids, trip_pks = zip(*Trip.objects.filter(feed=feed).values_list("trip_id", "pk")) \
        if len(tables["trips"]) else ((), ())
    stop_ids, stop_pks = zip(*Stop.objects.filter(feed=feed).values_list("stop_id", "pk"))
    return (pd.Index(trip_ids), np.asarray(trip_pks, dtype="int64"),
            pd.Index(stop_ids), np.asarray(stop_pks, dtype="int64"))


