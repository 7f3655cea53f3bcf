"""Chunked reading and validation of the big GTFS tables (stop_times, shapes) with bounded memory.

The big members are read with pandas `read_csv(chunksize=...)` straight from the zip member (or file),
all columns as text. Each chunk is checked row by row (blanks, references, numbers, times) and handed
on for COPY; what the cross-row checks need is kept as compact int32 arrays (16 bytes a stop_time:
trip code, stop_sequence, arrival and departure seconds) instead of the table's text.
"""
from __future__ import annotations

import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from planner.gtfs.issues import Issue
from planner.gtfs.times import format_time, parse_times
from planner.gtfs.validate import MAX_ROWS_PER_CHECK, REQUIRED_VALUES

BIG_TABLES = ("stop_times", "shapes")
TEXT_COLUMNS = {"stop_times": ("trip_id", "stop_id", "arrival_time", "departure_time", "stop_headsign"),
                "shapes": ("shape_id",)}
_NA = ["", " ", "nan", "NaN", "null"]
NONE32, BAD32 = np.int32(-1), np.int32(-2)  # blank / malformed time in the compact int32 arrays


def member_name(path: Path, table: str) -> str | None:
    """The zip member (or file) name of <table>.txt, or None when absent."""
    if path.is_dir():
        return f"{table}.txt" if (path / f"{table}.txt").is_file() else None
    with zipfile.ZipFile(path) as zf:
        return next((n for n in zf.namelist() if Path(n).name == f"{table}.txt"), None)


@contextmanager
def open_member(path: Path, table: str):
    """A streaming binary file object for <table>.txt (zip member or file); None when absent."""
    name = member_name(path, table)
    if name is None:
        yield None
    elif path.is_dir():
        with open(path / name, "rb") as fh:
            yield fh
    else:
        with zipfile.ZipFile(path) as zf, zf.open(name) as fh:
            yield fh


def read_chunks(fh, chunk_rows: int, text: tuple[str, ...] | None = None):
    """(first data row index, DataFrame) chunks of a CSV file object.

    Every column is text unless `text` names the text columns: the others are then parsed by pandas' C
    parser (numbers stay numbers; a column with a bad cell comes back as text and is checked as such).
    """
    offset = 0
    dtype = str if text is None else {c: str for c in text}
    reader = pd.read_csv(fh, dtype=dtype, na_values=_NA, keep_default_na=True, encoding="utf-8-sig",
                         chunksize=chunk_rows, skipinitialspace=False)
    for chunk in reader:
        chunk.columns = [c.strip() for c in chunk.columns]
        chunk.index = pd.RangeIndex(offset, offset + len(chunk))
        yield offset, chunk
        offset += len(chunk)


class Findings:
    """Row issues across chunks: the first MAX_ROWS_PER_CHECK per check, then a count; unknown ids with counts."""

    def __init__(self):
        self.checks: dict[tuple, dict] = {}  # insertion-ordered

    def _check(self, key):
        return self.checks.setdefault(key, {"issues": [], "total": 0, "next_row": None, "refs": {}})

    def rows(self, file, field, code, rows: np.ndarray, values, message_fn):
        """Record issues at data-row indices `rows` (global, 0-based) with their cell texts `values`."""
        entry = self._check((file, field, code))
        if not len(rows):
            return
        room = MAX_ROWS_PER_CHECK - len(entry["issues"])
        for r, v in zip(rows[:max(room, 0)], list(values)[:max(room, 0)]):
            text = None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            entry["issues"].append(Issue(file, int(r) + 2, field, code, message_fn(text), value=text))
        if len(rows) > room and entry["next_row"] is None:
            entry["next_row"] = int(rows[max(room, 0)]) + 2
        entry["total"] += len(rows)

    def mask(self, file, field, code, chunk: pd.DataFrame, mask, message_fn):
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(idx) or (file, field, code) not in self.checks:
            values = chunk[field].to_numpy(dtype=object)[idx[:MAX_ROWS_PER_CHECK]] if field in chunk.columns \
                else [None] * len(idx)
            self.rows(file, field, code, chunk.index.to_numpy()[idx], values, message_fn)

    def unknown(self, file, column, what, chunk: pd.DataFrame, mask):
        """One issue per distinct unknown id at its first row, counting its rows over all chunks."""
        entry = self._check((file, column, f"unknown_{what}"))
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        bad = chunk[column][mask]
        counts = bad.value_counts(sort=False)
        first = bad[~bad.duplicated()]
        refs = entry["refs"]
        for row, value in first.items():
            if value in refs:
                refs[value][1] += int(counts[value])
            else:
                refs[value] = [int(row), int(counts[value])]

    @property
    def any(self) -> bool:
        return any(e["total"] or e["refs"] for e in self.checks.values())

    def issues(self) -> list[Issue]:
        out = []
        for (file, field, code), entry in self.checks.items():
            out += entry["issues"]
            extra = entry["total"] - len(entry["issues"])
            if extra > 0:
                out.append(Issue(file, entry["next_row"], field, code, f"{extra} more rows like the above",
                                 count=extra))
            what = code[len("unknown_"):]
            for value, (row, count) in entry["refs"].items():
                out.append(Issue(file, row + 2, field, code, f"unknown {what} {value!r}", count=count,
                                 value=str(value)))
        return out


def _integers(findings: Findings, file: str, chunk: pd.DataFrame, column: str, what: str = "integer"):
    """Integer values (as float64, NaN where blank or bad) of a column; bad cells are reported."""
    if pd.api.types.is_numeric_dtype(chunk[column].dtype):  # parsed by read_csv already
        values = chunk[column].to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(values) & (values != np.round(values))
    else:
        values = pd.to_numeric(chunk[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        present = chunk[column].notna().to_numpy()
        bad = present & (np.isnan(values) | (values != np.round(values)))
    findings.mask(file, column, "bad_number", chunk, bad, lambda v: f"{v!r} is not a valid {what}")
    return values


class StopTimesCheck:
    """Validates stop_times chunk by chunk against known trips/stops; finishes with the cross-row checks."""

    FILE = "stop_times.txt"

    def __init__(self, trip_ids: pd.Index, stop_ids: pd.Index, findings: Findings):
        self.trip_ids, self.stop_ids, self.f = trip_ids, stop_ids, findings
        self.trip_seen = np.zeros(len(trip_ids), dtype=bool)
        self.parts: list[np.ndarray] = []  # per chunk: int32 (n, 4) trip code, sequence, arrival, departure
        self.odd_times = False  # some times are not HH:MM:SS (the normalized zip must rewrite them)
        self.rows = 0
        for check in [("stop_id", "missing_value"), ("trip_id", "missing_value"), ("stop_sequence", "missing_value"),
                      ("trip_id", "unknown_trip_id"), ("stop_id", "unknown_stop_id"),
                      ("arrival_time", "bad_time"), ("departure_time", "bad_time")]:
            self.f._check((self.FILE, check[0], check[1]))

    def chunk(self, chunk: pd.DataFrame) -> dict:
        """Check one chunk; returns its parsed columns (trip/stop codes, sequence, seconds)."""
        f, file = self.f, self.FILE
        for column in REQUIRED_VALUES["stop_times"]:
            f.mask(file, column, "missing_value", chunk, chunk[column].isna(), lambda v: "required value is blank")
        trip_code = self.trip_ids.get_indexer(chunk["trip_id"])
        stop_code = self.stop_ids.get_indexer(chunk["stop_id"])
        f.unknown(file, "trip_id", "trip_id", chunk, chunk["trip_id"].notna().to_numpy() & (trip_code < 0))
        f.unknown(file, "stop_id", "stop_id", chunk, chunk["stop_id"].notna().to_numpy() & (stop_code < 0))
        self.trip_seen[trip_code[trip_code >= 0]] = True
        seq = _integers(f, file, chunk, "stop_sequence")
        arr, arr_blank, arr_bad = parse_times(chunk["arrival_time"].astype("string"))
        dep, dep_blank, dep_bad = parse_times(chunk["departure_time"].astype("string"))
        for column, bad in (("arrival_time", arr_bad), ("departure_time", dep_bad)):
            f.mask(file, column, "bad_time", chunk, bad,
                   lambda v: f"{v!r} is not a GTFS time (H:MM:SS, hours may exceed 24)")
        inverted = ~np.isnan(arr) & ~np.isnan(dep) & (dep < arr)
        f.mask(file, "departure_time", "departure_before_arrival", chunk, inverted,
               lambda v: f"departure {v!r} is before arrival")
        extra = {}
        for column in ("pickup_type", "drop_off_type", "timepoint"):
            if column in chunk.columns:
                extra[column] = _integers(f, file, chunk, column)
        if "shape_dist_traveled" in chunk.columns:
            dist = pd.to_numeric(chunk["shape_dist_traveled"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = chunk["shape_dist_traveled"].notna().to_numpy() & np.isnan(dist)
            f.mask(file, "shape_dist_traveled", "bad_number", chunk, bad, lambda v: f"{v!r} is not a valid number")
            extra["shape_dist_traveled"] = dist
        for column in ("arrival_time", "departure_time"):
            values = chunk[column].to_numpy(dtype=object, na_value="")
            lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
            if ((lengths != 8) & (lengths != 0)).any():
                self.odd_times = True
        compact = np.empty((len(chunk), 4), dtype=np.int32)
        compact[:, 0] = trip_code
        compact[:, 1] = np.where(np.isnan(seq), -1, seq).astype(np.int64).clip(-1, 2**31 - 1)
        compact[:, 2] = np.where(arr_blank, NONE32, np.where(np.isnan(arr), BAD32, arr))
        compact[:, 3] = np.where(dep_blank, NONE32, np.where(np.isnan(dep), BAD32, dep))
        self.parts.append(compact)
        self.rows += len(chunk)
        return {"trip_code": trip_code, "stop_code": stop_code, "seq": seq, "arr": arr, "dep": dep, **extra}

    def finish(self, trips: pd.DataFrame):
        """Cross-row checks: duplicate (trip, sequence), untimed first/last stops, times going back; trips
        without stop_times."""
        f, file = self.f, self.FILE
        # Column by column, freeing the chunks as we go: peak ~ the 16 bytes/row once plus int32 temporaries.
        columns = []
        for c in range(4):
            columns.append(np.concatenate([p[:, c] for p in self.parts]) if self.parts else np.empty(0, np.int32))
            if c == 3:
                self.parts = []
        trip, seq, arr, dep = columns
        del columns
        n = len(trip)
        key = (trip.astype(np.int64) << 32) | (seq.astype(np.int64) & 0xFFFFFFFF)
        # Feeds are nearly always sorted by trip and sequence already: then no permutation is needed.
        order = None if n < 2 or bool((key[1:] >= key[:-1]).all()) else np.argsort(key, kind="stable")
        if order is not None:
            key = key[order]

        def sorted_(values):
            return values if order is None else values[order]

        def original(positions):
            return np.sort(positions if order is None else order[positions])

        trip_s = (key >> 32).astype(np.int32)
        repeated = np.zeros(n, dtype=bool)
        repeated[1:] = (key[1:] == key[:-1]) & (trip_s[1:] >= 0) & ((key[1:] & 0xFFFFFFFF) != 0xFFFFFFFF)
        del key
        rows = original(np.flatnonzero(repeated))
        f.rows(file, "stop_sequence", "duplicate", rows, [str(s) for s in seq[rows[:MAX_ROWS_PER_CHECK]]],
               lambda v: f"duplicate trip_id/stop_sequence (value {v!r})")
        del repeated
        first = np.ones(n, dtype=bool)
        first[1:] = trip_s[1:] != trip_s[:-1]
        ends = first.copy()
        ends[:-1] |= first[1:]  # last stop of a trip
        ends[-1:] = True
        both_blank = sorted_((arr == NONE32) & (dep == NONE32))
        untimed = original(np.flatnonzero(ends & both_blank))
        f.rows(file, "arrival_time", "missing_time", untimed, [None] * min(len(untimed), MAX_ROWS_PER_CHECK),
               lambda v: "first and last stop of a trip must have times")
        del first, ends, both_blank
        # Times must not decrease: each stop's arrival (or departure) vs the last timed stop before it.
        arr_s, dep_s = sorted_(arr), sorted_(dep)
        leave = np.where(dep_s >= 0, dep_s, arr_s)
        come = np.where(arr_s >= 0, arr_s, dep_s)
        del arr_s, dep_s
        last_timed = np.maximum.accumulate(np.where(leave >= 0, np.arange(n, dtype=np.int32), np.int32(-1))) \
            if n else np.empty(0, np.int32)
        prev = np.empty(n, dtype=np.int32)
        prev[:1] = -1
        prev[1:] = last_timed[:-1]
        del last_timed
        has_prev = prev >= 0
        safe = np.where(has_prev, prev, 0)
        backwards = has_prev & (come >= 0) & (trip_s[safe] == trip_s) & (come < leave[safe])
        rows = original(np.flatnonzero(backwards))
        shown = [format_time(arr[r] if arr[r] >= 0 else dep[r]) for r in rows[:MAX_ROWS_PER_CHECK]]
        f.rows(file, "arrival_time", "time_travel", rows, shown,
               lambda v: f"arrival {v!r} is earlier than the previous stop's departure")
        unseen = self.trip_ids[~self.trip_seen]
        untimed_trips = np.flatnonzero(trips["trip_id"].isin(unseen).to_numpy())
        f.rows("trips.txt", "trip_id", "trip_without_stop_times", untimed_trips,
               trips["trip_id"].to_numpy(dtype=object)[untimed_trips[:MAX_ROWS_PER_CHECK]],
               lambda v: f"trip {v!r} has no stop_times")


class ShapesCheck:
    """Validates shapes chunk by chunk; duplicates (shape_id, sequence) found at the end on int32 codes."""

    FILE = "shapes.txt"

    def __init__(self, findings: Findings):
        self.f = findings
        self.codes: dict[str, int] = {}  # shape_id -> code (few thousand shapes)
        self.parts: list[np.ndarray] = []
        self.rows = 0

    def chunk(self, chunk: pd.DataFrame) -> dict:
        f, file = self.f, self.FILE
        for column in REQUIRED_VALUES["shapes"]:
            f.mask(file, column, "missing_value", chunk, chunk[column].isna(), lambda v: "required value is blank")
        coords = {}
        for column in ("shape_pt_lat", "shape_pt_lon"):
            values = pd.to_numeric(chunk[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            f.mask(file, column, "bad_coordinate", chunk, chunk[column].notna().to_numpy() & np.isnan(values),
                   lambda v: f"{v!r} is not a coordinate")
            coords[column] = values
        seq = _integers(f, file, chunk, "shape_pt_sequence")
        dist = None
        if "shape_dist_traveled" in chunk.columns:
            dist = pd.to_numeric(chunk["shape_dist_traveled"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        ids = chunk["shape_id"].fillna("")
        for value in ids.unique():
            self.codes.setdefault(value, len(self.codes))
        compact = np.empty((len(chunk), 2), dtype=np.int32)
        compact[:, 0] = ids.map(self.codes).to_numpy(dtype=np.int64)
        compact[:, 1] = np.where(np.isnan(seq), -1, seq).astype(np.int64).clip(-1, 2**31 - 1)
        self.parts.append(compact)
        self.rows += len(chunk)
        return {"seq": seq, "lat": coords["shape_pt_lat"], "lon": coords["shape_pt_lon"], "dist": dist}

    def finish(self):
        data = np.concatenate(self.parts) if self.parts else np.empty((0, 2), dtype=np.int32)
        self.parts = []
        order = np.lexsort((data[:, 1], data[:, 0]))
        s = data[order]
        repeated = np.zeros(len(order), dtype=bool)
        repeated[1:] = (s[1:, 0] == s[:-1, 0]) & (s[1:, 1] == s[:-1, 1]) & (s[1:, 1] >= 0)
        rows = np.sort(order[repeated])
        self.f.rows(self.FILE, "shape_pt_sequence", "duplicate", rows,
                    [str(v) for v in data[rows[:MAX_ROWS_PER_CHECK], 1]],
                    lambda v: f"duplicate shape_id/shape_pt_sequence (value {v!r})")
