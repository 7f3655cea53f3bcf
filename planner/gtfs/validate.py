"""The project's own GTFS checks (gtfs-kit 13 has no validate()).

`validate(tables)` returns (errors, warnings) as Issue lists. Row numbers are file line numbers
(header = line 1) of the table as read, so they point at the offending CSV line.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from planner.gtfs.issues import Issue
from planner.gtfs.times import parse_times

REQUIRED_FILES = ("agency", "stops", "routes", "trips", "stop_times")
REQUIRED_COLUMNS = {
    "agency": ("agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id",),
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time"),
    "calendar": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                 "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
    "transfers": ("from_stop_id", "to_stop_id", "transfer_type"),
    "shapes": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
    "frequencies": ("trip_id", "start_time", "end_time", "headway_secs"),
}
# Not blank in any row.
REQUIRED_VALUES = {
    "agency": ("agency_name", "agency_timezone"),
    "stops": ("stop_id",),
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence"),
    "calendar": REQUIRED_COLUMNS["calendar"],
    "calendar_dates": REQUIRED_COLUMNS["calendar_dates"],
    "transfers": ("from_stop_id", "to_stop_id"),
    "shapes": REQUIRED_COLUMNS["shapes"],
    "frequencies": REQUIRED_COLUMNS["frequencies"],
}
UNIQUE_KEYS = {
    "stops": ("stop_id",), "routes": ("route_id",), "trips": ("trip_id",), "calendar": ("service_id",),
    "calendar_dates": ("service_id", "date"), "shapes": ("shape_id", "shape_pt_sequence"),
    # stop_times (trip_id, stop_sequence) is checked in check_stop_times on integer codes (big table).
}
BASIC_ROUTE_TYPES = {0, 1, 2, 3, 4, 5, 6, 7, 11, 12}
MAX_ROWS_PER_CHECK = 50  # per-row issues listed per check; the rest are counted on the last one


def valid_route_type(value: int) -> bool:
    """GTFS basic types or the extended (Google/HSL) range 100-1799 (e.g. 109, 700, 900, 401)."""
    return value in BASIC_ROUTE_TYPES or 100 <= value < 1800


def _rows(df: pd.DataFrame, mask, file, field, code, message_fn) -> list[Issue]:
    """Issues for the rows where mask is True; beyond MAX_ROWS_PER_CHECK they are folded into a count."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    out = []
    for i in idx[:MAX_ROWS_PER_CHECK]:
        value = df[field].iat[i] if field in df.columns else None
        text = None if value is None or pd.isna(value) else str(value)
        out.append(Issue(file, int(i) + 2, field, code, message_fn(text), value=text))
    if len(idx) > MAX_ROWS_PER_CHECK:
        out.append(Issue(file, int(idx[MAX_ROWS_PER_CHECK]) + 2, field, code,
                         f"{len(idx) - MAX_ROWS_PER_CHECK} more rows like the above",
                         count=len(idx) - MAX_ROWS_PER_CHECK))
    return out


def _unknown_refs(df: pd.DataFrame, column: str, known: set, file: str, what: str) -> list[Issue]:
    """One issue per distinct unknown referenced id, at its first row, with the number of rows using it."""
    values = df[column]
    mask = values.notna() & ~values.isin(known)
    if not mask.any():
        return []
    bad = values[mask]
    first = bad[~bad.duplicated()]
    counts = bad.value_counts()
    return [Issue(file, int(i) + 2, column, f"unknown_{what}", f"unknown {what} {v!r}",
                  count=int(counts[v]), value=str(v)) for i, v in first.items()]


def _blank(series: pd.Series) -> pd.Series:
    # read_feed already turns "" and " " into NA; stripping every cell would dominate big feeds.
    return series.isna()


def validate(tables: dict, parsed: dict | None = None,
             streamed: tuple[str, ...] = ()) -> tuple[list[Issue], list[Issue]]:
    """(errors, warnings) for a feed read by reader.read_tables (or shaped like it).

    `parsed`, when given, receives the stop_times seconds arrays ("arrival_s", "departure_s") so the
    loader does not parse the times twice. Tables named in `streamed` ("stop_times", "shapes") are
    given as header-only frames and their row checks are left to planner.gtfs.stream.
    """
    errors = check_files_and_columns(tables)
    if errors:
        return errors, []  # reference checks below need the files and columns
    errors += check_required_values(tables) + check_unique_keys(tables) + check_stops(tables["stops"])
    errors += check_routes(tables["routes"])
    trip_errors, warnings = check_trips(tables, streamed)
    errors += trip_errors
    if "stop_times" not in streamed:
        errors += check_stop_time_refs(tables, parsed)
    errors += check_calendars(tables) + check_transfers(tables)
    if "shapes" not in streamed:
        errors += check_shapes(tables)
    errors += check_frequencies(tables)
    return errors, warnings


def check_files_and_columns(tables: dict) -> list[Issue]:
    """Required files present (calendar.txt or calendar_dates.txt), and their required columns."""
    errors: list[Issue] = []
    present = {t for t, df in tables.items() if df is not None}
    for table in REQUIRED_FILES:
        if table not in present:
            errors.append(Issue(f"{table}.txt", None, None, "missing_file", "required file is missing or empty"))
    if not present & {"calendar", "calendar_dates"}:
        errors.append(Issue("calendar.txt", None, None, "missing_file",
                            "neither calendar.txt nor calendar_dates.txt is present"))
    for table, columns in REQUIRED_COLUMNS.items():
        df = tables.get(table)
        if df is None:
            continue
        errors += [Issue(f"{table}.txt", 1, column, "missing_column", "required column is missing")
                   for column in columns if column not in df.columns]
    return errors


def check_required_values(tables: dict) -> list[Issue]:
    errors: list[Issue] = []
    for table, columns in REQUIRED_VALUES.items():
        df = tables.get(table)
        if df is None:
            continue
        for column in columns:
            errors += _rows(df, _blank(df[column]), f"{table}.txt", column, "missing_value",
                            lambda v: "required value is blank")
    return errors


def check_unique_keys(tables: dict) -> list[Issue]:
    errors: list[Issue] = []
    for table, key in UNIQUE_KEYS.items():
        df = tables.get(table)
        if df is None or len(df) == 0:
            continue
        dup = df.duplicated(list(key), keep="first").to_numpy()
        errors += _rows(df, dup, f"{table}.txt", key[-1], "duplicate",
                        lambda v, key=key: f"duplicate {'/'.join(key)} (value {v!r})")
    return errors


def check_stops(stops: pd.DataFrame) -> list[Issue]:
    """Coordinates for stops/stations/entrances; parent stations exist."""
    errors: list[Issue] = []
    location_type = stops["location_type"].fillna(0) if "location_type" in stops.columns else \
        pd.Series(0, index=stops.index)
    needs_coords = location_type.isin([0, 1, 2]).to_numpy()
    for column, lo, hi in (("stop_lat", -90, 90), ("stop_lon", -180, 180)):
        if column not in stops.columns:
            errors.append(Issue("stops.txt", 1, column, "missing_column", "required column is missing"))
            continue
        values = pd.to_numeric(stops[column], errors="coerce")
        bad = needs_coords & (values.isna() | (values < lo) | (values > hi)).to_numpy()
        errors += _rows(stops, bad, "stops.txt", column, "bad_coordinate",
                        lambda v, lo=lo, hi=hi: f"{v!r} is not a coordinate in [{lo}, {hi}]")
    if "parent_station" in stops.columns:
        errors += _unknown_refs(stops, "parent_station", set(stops["stop_id"].dropna()), "stops.txt",
                                "parent_station")
    return errors


def check_routes(routes: pd.DataFrame) -> list[Issue]:
    """Route types, extended ones included."""
    route_types = pd.to_numeric(routes["route_type"], errors="coerce")
    bad = route_types.isna() | ~route_types.fillna(-1).astype(int).map(valid_route_type)
    return _rows(routes, bad.to_numpy(), "routes.txt", "route_type", "bad_route_type",
                 lambda v: f"{v!r} is not a GTFS (basic or extended) route_type")


def check_trips(tables: dict, streamed: tuple[str, ...]) -> tuple[list[Issue], list[Issue]]:
    """(errors, warnings): trips refer to known routes and services (errors) and shapes (warnings)."""
    trips, routes = tables["trips"], tables["routes"]
    errors = _unknown_refs(trips, "route_id", set(routes["route_id"].dropna()), "trips.txt", "route_id")
    services = set()
    for table in ("calendar", "calendar_dates"):
        if tables.get(table) is not None:
            services |= set(tables[table]["service_id"].dropna())
    errors += _unknown_refs(trips, "service_id", services, "trips.txt", "service_id")
    warnings: list[Issue] = []
    if "shape_id" in trips.columns and trips["shape_id"].notna().any() and "shapes" not in streamed:
        shape_ids = set(tables["shapes"]["shape_id"].dropna()) if tables.get("shapes") is not None else set()
        warnings += _unknown_refs(trips, "shape_id", shape_ids, "trips.txt", "shape_id")
    return errors, warnings


def check_stop_time_refs(tables: dict, parsed: dict | None) -> list[Issue]:
    """stop_times refer to known trips and stops, their times hold; every trip has stop_times."""
    trips, st = tables["trips"], tables["stop_times"]
    errors = _unknown_refs(st, "trip_id", set(trips["trip_id"].dropna()), "stop_times.txt", "trip_id")
    errors += _unknown_refs(st, "stop_id", set(tables["stops"]["stop_id"].dropna()), "stop_times.txt", "stop_id")
    errors += check_stop_times(st, parsed)
    untimed = ~trips["trip_id"].isin(st["trip_id"].unique())
    errors += _rows(trips, untimed.to_numpy(), "trips.txt", "trip_id", "trip_without_stop_times",
                    lambda v: f"trip {v!r} has no stop_times")
    return errors


def check_transfers(tables: dict) -> list[Issue]:
    if tables.get("transfers") is None:
        return []
    tr, stop_ids = tables["transfers"], set(tables["stops"]["stop_id"].dropna())
    return (_unknown_refs(tr, "from_stop_id", stop_ids, "transfers.txt", "stop_id")
            + _unknown_refs(tr, "to_stop_id", stop_ids, "transfers.txt", "stop_id"))


def check_shapes(tables: dict) -> list[Issue]:
    if tables.get("shapes") is None:
        return []
    sh, errors = tables["shapes"], []
    for column in ("shape_pt_lat", "shape_pt_lon"):
        values = pd.to_numeric(sh[column], errors="coerce")
        errors += _rows(sh, values.isna().to_numpy(), "shapes.txt", column, "bad_coordinate",
                        lambda v: f"{v!r} is not a coordinate")
    return errors


def check_frequencies(tables: dict) -> list[Issue]:
    if tables.get("frequencies") is None:
        return []
    fr = tables["frequencies"]
    errors = _unknown_refs(fr, "trip_id", set(tables["trips"]["trip_id"].dropna()), "frequencies.txt", "trip_id")
    for column in ("start_time", "end_time"):
        _, blank, bad = parse_times(fr[column].astype("string"))
        errors += _rows(fr, bad | blank, "frequencies.txt", column, "bad_time",
                        lambda v: f"{v!r} is not a GTFS time (H:MM:SS)")
    headway = pd.to_numeric(fr["headway_secs"], errors="coerce")
    errors += _rows(fr, (headway.isna() | (headway <= 0)).to_numpy(), "frequencies.txt", "headway_secs",
                    "bad_headway", lambda v: f"{v!r} is not a positive number of seconds")
    return errors


def check_stop_times(st: pd.DataFrame, parsed: dict | None = None) -> list[Issue]:
    """Times parse (H:MM:SS, >24:00), first/last stop of each trip timed, arrival<=departure, no time travel."""
    errors = []
    arr, arr_blank, arr_bad = parse_times(st["arrival_time"].astype("string"))
    dep, dep_blank, dep_bad = parse_times(st["departure_time"].astype("string"))
    if parsed is not None:
        parsed["arrival_s"], parsed["departure_s"] = arr, dep
    for column, bad in (("arrival_time", arr_bad), ("departure_time", dep_bad)):
        errors += _rows(st, bad, "stop_times.txt", column, "bad_time",
                        lambda v: f"{v!r} is not a GTFS time (H:MM:SS, hours may exceed 24)")
    trip_codes, _ = pd.factorize(st["trip_id"])  # integer codes: sorting strings would dominate big feeds
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort((seq, trip_codes))
    trip_sorted = trip_codes[order]
    seq_sorted = seq[order]
    repeated = np.zeros(len(order), dtype=bool)
    repeated[1:] = (trip_sorted[1:] == trip_sorted[:-1]) & (seq_sorted[1:] == seq_sorted[:-1])
    duplicate = np.zeros(len(st), dtype=bool)
    duplicate[order[repeated]] = True
    errors += _rows(st, duplicate, "stop_times.txt", "stop_sequence", "duplicate",
                    lambda v: f"duplicate trip_id/stop_sequence (value {v!r})")
    first = np.ones(len(order), dtype=bool)
    first[1:] = trip_sorted[1:] != trip_sorted[:-1]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = first[1:]
    untimed_end = np.zeros(len(st), dtype=bool)
    untimed_end[order[first | last]] = True
    untimed_end &= (arr_blank & dep_blank)
    errors += _rows(st, untimed_end, "stop_times.txt", "arrival_time", "missing_time",
                    lambda v: "first and last stop of a trip must have times")
    inverted = ~np.isnan(arr) & ~np.isnan(dep) & (dep < arr)
    errors += _rows(st, inverted, "stop_times.txt", "departure_time", "departure_before_arrival",
                    lambda v: f"departure {v!r} is before arrival")
    # Times must not decrease along a trip (compare each timed stop with the previous timed one).
    frame = pd.DataFrame({"trip": trip_sorted, "t": np.where(np.isnan(dep), arr, dep)[order],
                          "a": np.where(np.isnan(arr), dep, arr)[order]})
    filled = frame.groupby("trip", sort=False)["t"].ffill()
    prev = filled.groupby(frame["trip"], sort=False).shift()
    backwards = np.zeros(len(st), dtype=bool)
    backwards[order] = (frame["a"] < prev).to_numpy()
    errors += _rows(st, backwards, "stop_times.txt", "arrival_time", "time_travel",
                    lambda v: f"arrival {v!r} is earlier than the previous stop's departure")
    return errors


def check_calendars(tables: dict) -> list[Issue]:
    """Dates parse as YYYYMMDD, day flags are 0/1, exception_type 1/2, and every trip's service runs on some day."""
    errors = []
    cal, cd = tables.get("calendar"), tables.get("calendar_dates")
    if cal is not None:
        for column in ("start_date", "end_date"):
            parsed = pd.to_datetime(cal[column], format="%Y%m%d", errors="coerce")
            errors += _rows(cal, parsed.isna().to_numpy(), "calendar.txt", column, "bad_date",
                            lambda v: f"{v!r} is not a YYYYMMDD date")
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            errors += _rows(cal, ~cal[day].isin([0, 1]).to_numpy(), "calendar.txt", day, "bad_flag",
                            lambda v: f"{v!r} is not 0 or 1")
    if cd is not None:
        parsed = pd.to_datetime(cd["date"], format="%Y%m%d", errors="coerce")
        errors += _rows(cd, parsed.isna().to_numpy(), "calendar_dates.txt", "date", "bad_date",
                        lambda v: f"{v!r} is not a YYYYMMDD date")
        errors += _rows(cd, ~cd["exception_type"].isin([1, 2]).to_numpy(), "calendar_dates.txt",
                        "exception_type", "bad_exception_type", lambda v: f"{v!r} is not 1 or 2")
    if errors:
        return errors
    # A service with calendar days but start>end, and no added dates, never runs.
    if cal is not None:
        start = pd.to_datetime(cal["start_date"], format="%Y%m%d")
        end = pd.to_datetime(cal["end_date"], format="%Y%m%d")
        errors += _rows(cal, (end < start).to_numpy(), "calendar.txt", "end_date", "bad_date_range",
                        lambda v: f"end_date {v!r} is before start_date")
    return errors
