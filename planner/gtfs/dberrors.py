"""A database error during an import, turned into findings that name file, row and field.

The import writes nothing when the database refuses a row (everything runs in one transaction); this
module says which cell it was. It scans the feed for values the columns cannot hold (integer ranges,
length limits) and adds what PostgreSQL reported itself (COPY line and column, constraint, message).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from planner.gtfs import stream
from planner.gtfs.issues import Issue
from planner.gtfs.validate import MAX_ROWS_PER_CHECK

# db table -> (GTFS file, {db column: GTFS field}) for every column loaded from a feed field.
TABLES = {
    "planner_agency": ("agency", {"agency_id": "agency_id", "name": "agency_name", "url": "agency_url",
                                  "timezone": "agency_timezone", "lang": "agency_lang", "phone": "agency_phone"}),
    "planner_stop": ("stops", {"stop_id": "stop_id", "code": "stop_code", "name": "stop_name", "desc": "stop_desc",
                               "lat": "stop_lat", "lon": "stop_lon", "zone_id": "zone_id",
                               "location_type": "location_type", "parent_station": "parent_station",
                               "wheelchair_boarding": "wheelchair_boarding", "platform_code": "platform_code"}),
    "planner_route": ("routes", {"route_id": "route_id", "agency_id": "agency_id", "short_name": "route_short_name",
                                 "long_name": "route_long_name", "desc": "route_desc", "route_type": "route_type",
                                 "url": "route_url", "color": "route_color", "text_color": "route_text_color"}),
    "planner_trip": ("trips", {"route_id": "route_id", "trip_id": "trip_id", "service_id": "service_id",
                               "headsign": "trip_headsign", "short_name": "trip_short_name",
                               "direction_id": "direction_id", "block_id": "block_id", "shape_id": "shape_id",
                               "wheelchair_accessible": "wheelchair_accessible", "bikes_allowed": "bikes_allowed"}),
    "planner_stoptime": ("stop_times", {"trip_id": "trip_id", "stop_id": "stop_id", "stop_sequence": "stop_sequence",
                                        "arrival_s": "arrival_time", "departure_s": "departure_time",
                                        "stop_headsign": "stop_headsign", "pickup_type": "pickup_type",
                                        "drop_off_type": "drop_off_type",
                                        "shape_dist_traveled": "shape_dist_traveled", "timepoint": "timepoint"}),
    "planner_calendar": ("calendar", {"service_id": "service_id"}),
    "planner_calendardate": ("calendar_dates", {"service_id": "service_id", "exception_type": "exception_type"}),
    "planner_transfer": ("transfers", {"from_stop_id": "from_stop_id", "to_stop_id": "to_stop_id",
                                       "transfer_type": "transfer_type", "min_transfer_time": "min_transfer_time"}),
    "planner_shape": ("shapes", {"shape_id": "shape_id", "pt_sequence": "shape_pt_sequence", "lat": "shape_pt_lat",
                                 "lon": "shape_pt_lon", "dist_traveled": "shape_dist_traveled"}),
}
INT_RANGES = {"SmallIntegerField": (-2**15, 2**15 - 1), "PositiveSmallIntegerField": (0, 2**15 - 1),
              "IntegerField": (-2**31, 2**31 - 1), "PositiveIntegerField": (0, 2**31 - 1)}
_COPY_CONTEXT = re.compile(r"COPY (\w+), line (\d+)(?:, column (\w+))?")
# Parsed, mapped to keys or trimmed by the loader: not stored as read.
_NOT_AS_READ = {"arrival_s", "departure_s", "trip_id", "stop_id", "route_id", "color", "text_color"}


def _limits(db_table: str) -> dict[str, tuple]:
    """{db column: ("length", n) | ("range", lo, hi)} for the model behind `db_table`."""
    from django.apps import apps

    model = next(m for m in apps.get_app_config("planner").get_models() if m._meta.db_table == db_table)
    limits = {}
    for f in model._meta.concrete_fields:
        if f.column in _NOT_AS_READ:
            continue
        kind = f.get_internal_type()
        if kind == "CharField" and f.max_length:
            limits[f.column] = ("length", f.max_length)
        elif kind in INT_RANGES:
            limits[f.column] = ("range", *INT_RANGES[kind])
    return limits


def _db_type(limit: tuple) -> str:
    if limit[0] == "length":
        return f"text of at most {limit[1]} characters"
    return f"an integer from {limit[1]} to {limit[2]}"


def scan(path: Path) -> list[Issue]:
    """Cells of the feed at `path` that the planner's columns cannot hold, file/row/field each."""
    issues = []
    for db_table, (table, fields) in TABLES.items():
        limits = {fields[c]: lim for c, lim in _limits(db_table).items() if c in fields}
        if not limits:
            continue
        with stream.open_member(path, table) as fh:
            if fh is None:
                continue
            found: dict[str, int] = {}
            for offset, chunk in stream.read_chunks(fh, 200_000):
                for field, limit in limits.items():
                    if field not in chunk.columns:
                        continue
                    values = chunk[field]
                    if limit[0] == "length":
                        bad = values.notna() & (values.str.len() > limit[1])
                    else:
                        numbers = pd.to_numeric(values, errors="coerce")
                        bad = numbers.notna() & ((numbers < limit[1]) | (numbers > limit[2]))
                    for row in np.flatnonzero(bad.to_numpy()):
                        found[field] = found.get(field, 0) + 1
                        if found[field] <= MAX_ROWS_PER_CHECK:
                            value = str(values.iat[row])
                            shown = value if len(value) <= 40 else value[:37] + "..."
                            issues.append(Issue(f"{table}.txt", offset + int(row) + 2, field, "does_not_fit",
                                                f"{shown!r} does not fit the database: {_db_type(limit)}",
                                                value=value))
    return issues


def describe(path: Path, exc: BaseException) -> list[Issue]:
    """Findings for a database error raised while importing the feed at `path` (never empty)."""
    issues = scan(path)
    if issues:
        return issues
    cause = exc if hasattr(exc, "diag") else getattr(exc, "__cause__", None)
    diag = getattr(cause, "diag", None)
    message = (getattr(diag, "message_primary", None) or str(exc)).strip().splitlines()[0]
    file, row, field = None, None, None
    context = getattr(diag, "context", None) or ""
    match = _COPY_CONTEXT.search(context)
    db_table = match.group(1) if match else getattr(diag, "table_name", None)
    db_table = re.sub(r"^(planner_stoptime)_f\d+$", r"\1", db_table or "")  # a partition being loaded
    if db_table in TABLES:
        table, fields = TABLES[db_table]
        file = f"{table}.txt"
        column = (match.group(3) if match else None) or getattr(diag, "column_name", None)
        field = fields.get(column, column)
        if match:  # COPY rows go in file order: line N of the COPY is data row N (header = line 1)
            row = int(match.group(2)) + 1
    return [Issue(file or path.name, row, field, "database_error", f"the database refused the value: {message}")]
