"""Import with bounded memory: small tables through gtfs-kit, stop_times/shapes streamed in chunks.

gtfs-kit's `read_feed` reads every table but the big ones (they are left out of a temporary copy of
the feed), so its typing and the project's feed-level checks (validate.py) stay in the path. stop_times
and shapes are then read chunk by chunk (`stream.read_chunks`), each chunk validated (stream.py) and,
while no error has been seen, COPYed into the new version inside the same transaction. Cross-row
checks run at the end on compact int32 arrays; any error raises FeedInvalid and rolls everything back.
"""
from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from planner import services
from planner.gtfs import partitions, stream
from planner.gtfs.dbload import copy_rows, feed_dir, integers, load_small_tables, pk_maps, service_range, text
from planner.gtfs.issues import FeedInvalid
from planner.gtfs.reader import read_tables
from planner.gtfs.times import format_times, parse_times
from planner.gtfs.validate import validate
from planner.gtfs.writer import ORDER
from planner.models import FeedVersion, Shape, StopTime

STOP_TIME_COLUMNS = ["feed_id", "trip_id", "stop_id", "stop_sequence", "arrival_s", "departure_s", "stop_headsign",
                     "pickup_type", "drop_off_type", "shape_dist_traveled", "timepoint"]
SHAPE_COLUMNS = ["feed_id", "shape_id", "pt_sequence", "lat", "lon", "dist_traveled"]


STREAM_CHUNK_ROWS = 50_000  # bench at 5 M stop_times: 448 MB peak RSS vs 525 MB with 200 000, no slower


def chunk_rows() -> int:
    """Rows per streamed chunk: settings.GTFS_IMPORT_CHUNK_ROWS (default STREAM_CHUNK_ROWS)."""
    return int(getattr(settings, "GTFS_IMPORT_CHUNK_ROWS", STREAM_CHUNK_ROWS))


def has_frequencies(path: Path) -> bool:
    with stream.open_member(path, "frequencies") as fh:
        return fh is not None and len(fh.read(4096).splitlines()) > 1


def read_small_tables(path: Path) -> dict:
    """gtfs-kit read_feed over every member except stop_times/shapes; those become header-only frames."""
    tables = read_tables(path, exclude=stream.BIG_TABLES)
    for table in stream.BIG_TABLES:
        with stream.open_member(path, table) as fh:
            if fh is None:
                tables[table] = None
                continue
            header = pd.read_csv(fh, nrows=0, dtype=str, encoding="utf-8-sig")
        tables[table] = pd.DataFrame({c.strip(): pd.Series(dtype=object) for c in header.columns})
    return tables


def import_streaming(path: Path, *, name: str, source: str, digest: str, activate: bool,
                     progress: bool = False, rows: int | None = None) -> tuple[FeedVersion, list, dict]:
    """(feed version, warnings, timings) for a feed without repair/frequencies; FeedInvalid on errors."""

    clock = time.perf_counter()
    tables = read_small_tables(path)
    timings = {"read_small": time.perf_counter() - clock}
    clock = time.perf_counter()
    errors, warnings = validate(tables, None, streamed=stream.BIG_TABLES)
    timings["validate_small"] = time.perf_counter() - clock
    zip_path = None
    try:
        with transaction.atomic():
            feed, zip_path = _load(path, tables, errors, warnings, name=name, source=source, digest=digest,
                                   activate=activate, progress=progress, rows=rows or chunk_rows(),
                                   timings=timings, zip_dir=feed_dir())
    except BaseException:
        if zip_path is not None:
            zip_path.unlink(missing_ok=True)
        raise
    return feed, warnings, timings


def _load(path, tables, errors, warnings, *, name, source, digest, activate, progress, rows, timings, zip_dir):

    structural = any(i.code in ("missing_file", "missing_column", "unreadable") for i in errors)
    if structural:  # the big tables can't be checked without their files/columns
        raise FeedInvalid(errors)
    clock = time.perf_counter()
    list(FeedVersion.objects.select_for_update().filter(name=name).values_list("pk", flat=True))
    version = (FeedVersion.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0) + 1
    start, end = service_range(tables) if not errors else (None, None)
    feed = FeedVersion.objects.create(name=name, version=version, service_start=start, service_end=end,
                                      source=source[:500], content_hash=digest, repairs=[])
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:  # one big transaction: don't wait for its WAL flush
            cursor.execute("SET LOCAL synchronous_commit = off")
    write = not errors
    findings = stream.Findings()
    trips, stops = tables["trips"], tables["stops"]
    trip_ids = pd.Index(trips["trip_id"].dropna().unique())  # == trips order when valid (unique, no blanks)
    stop_ids = pd.Index(stops["stop_id"].dropna().unique())
    if write:
        stats = load_small_tables(feed, tables, progress)
        db_trips, trip_pks, db_stops, stop_pks = pk_maps(feed, tables)
        trip_pks = trip_pks[db_trips.get_indexer(trip_ids)]  # aligned with the codes StopTimesCheck hands out
        stop_pks = stop_pks[db_stops.get_indexer(stop_ids)]
    else:
        stats, trip_pks, stop_pks = {}, None, None
    timings["load_small"] = time.perf_counter() - clock
    clock = time.perf_counter()

    check = stream.StopTimesCheck(trip_ids, stop_ids, findings)
    state = {"write": write, "copy_error": None}
    partition = partitions.create(feed.pk) if write and partitions.partitioned() else None

    def stop_time_frames(fh):
        for _, chunk in stream.read_chunks(fh, rows, stream.TEXT_COLUMNS["stop_times"]):
            p = check.chunk(chunk)
            if not state["write"] or findings.any:
                state["write"] = False
                continue
            n = len(chunk)
            yield pd.DataFrame({
                "feed_id": np.full(n, feed.pk, dtype="int64"),
                "trip_id": trip_pks[p["trip_code"]], "stop_id": stop_pks[p["stop_code"]],
                "stop_sequence": p["seq"].astype("int64"),
                "arrival_s": pd.array(p["arr"], dtype="Int64"), "departure_s": pd.array(p["dep"], dtype="Int64"),
                "stop_headsign": text(chunk["stop_headsign"]).to_numpy() if "stop_headsign" in chunk.columns
                else np.full(n, "", dtype=object),
                "pickup_type": np.nan_to_num(p.get("pickup_type", np.zeros(n)), nan=0).astype("int64"),
                "drop_off_type": np.nan_to_num(p.get("drop_off_type", np.zeros(n)), nan=0).astype("int64"),
                "shape_dist_traveled": p.get("shape_dist_traveled", np.full(n, np.nan)),
                "timepoint": pd.array(p.get("timepoint", np.full(n, np.nan)), dtype="Int64"),
            })

    _stream(path, "stop_times", StopTime, STOP_TIME_COLUMNS, stop_time_frames, state, progress,
            db_table=partition)
    check.finish(trips)
    shape_check = None
    if tables.get("shapes") is not None:
        shape_check = stream.ShapesCheck(findings)

        def shape_frames(fh):
            for _, chunk in stream.read_chunks(fh, rows, stream.TEXT_COLUMNS["shapes"]):
                p = shape_check.chunk(chunk)
                if not state["write"] or findings.any:
                    state["write"] = False
                    continue
                yield pd.DataFrame({
                    "feed_id": np.full(len(chunk), feed.pk, dtype="int64"), "shape_id": text(chunk["shape_id"]),
                    "pt_sequence": integers(pd.Series(p["seq"])).to_numpy(), "lat": p["lat"], "lon": p["lon"],
                    "dist_traveled": p["dist"] if p["dist"] is not None else np.full(len(chunk), np.nan),
                })

        _stream(path, "shapes", Shape, SHAPE_COLUMNS, shape_frames, state, progress)
        shape_check.finish()
        trip_shapes = trips.get("shape_id")
        if trip_shapes is not None:
            missing = trip_shapes.notna() & ~trip_shapes.isin(set(shape_check.codes))
            warnings += _unknown(trips, missing, "shape_id")
    elif "shape_id" in trips.columns and trips["shape_id"].notna().any():
        warnings += _unknown(trips, trips["shape_id"].notna(), "shape_id")
    timings["stream"] = time.perf_counter() - clock
    # Same order as validate(): the first tables' findings, stop_times (and untimed trips), the rest.
    first = ("agency.txt", "stops.txt", "routes.txt", "trips.txt")
    errors = [e for e in errors if e.file in first] + findings.issues() + [e for e in errors if e.file not in first]
    if errors:
        raise FeedInvalid(errors)
    if state["copy_error"] is not None:
        raise state["copy_error"]
    clock = time.perf_counter()
    if partition:
        partitions.attach(feed.pk)
        timings["index"] = time.perf_counter() - clock
        clock = time.perf_counter()
    zip_path = zip_dir / f"{feed.pk}-{digest[:12]}.zip"
    write_normalized_zip(path, zip_path, rewrite_times=check.odd_times, rows=rows)
    feed.gtfs_path = str(zip_path)
    feed.stats = {**stats, "stop_times": check.rows, "shape_points": shape_check.rows if shape_check else 0}
    feed.save(update_fields=["gtfs_path", "stats"])
    if activate:
        services.activate_feed(feed)
    timings["zip_commit"] = time.perf_counter() - clock
    return feed, zip_path


def _unknown(trips, mask, column):
    findings = stream.Findings()
    findings.unknown("trips.txt", column, column, trips, mask.to_numpy())
    return findings.issues()


def _stream(path, table, model, columns, frames_fn, state, progress, db_table=None):
    """COPY the frames of one big table; after a COPY failure keep validating (the error is re-raised later
    if validation finds nothing to report)."""

    with stream.open_member(path, table) as fh:
        frames = frames_fn(fh)
        if state["write"]:
            try:
                with transaction.atomic():  # savepoint: a failed COPY must not poison what follows
                    copy_rows(model, columns, frames, None, progress, table=db_table)
            except (DatabaseError, psycopg.Error) as exc:
                state["write"], state["copy_error"] = False, exc
        for _ in frames:  # what is left to validate (nothing is yielded once writing stopped)
            pass


def write_normalized_zip(source: Path, target: Path, *, rewrite_times: bool, rows: int) -> Path:
    """The feed as a flat zip, UTF-8 without BOM, members copied in bounded blocks; with `rewrite_times`
    stop_times is re-streamed with every time as HH:MM:SS."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tables = [t for t in ORDER if stream.member_name(source, t) is not None]
    if not rewrite_times and _is_flat_zip_without_bom(source, tables):
        shutil.copyfile(source, tmp)  # already what we'd write: skip recompressing
        tmp.replace(target)
        return target
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for table in tables:
            info = zipfile.ZipInfo(f"{table}.txt", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with stream.open_member(source, table) as src, zf.open(info, "w", force_zip64=True) as dst:
                if table == "stop_times" and rewrite_times:
                    for offset, chunk in stream.read_chunks(src, rows):
                        for column in ("arrival_time", "departure_time"):
                            seconds, _, _ = parse_times(chunk[column].astype("string"))
                            chunk[column] = format_times(pd.Series(seconds, index=chunk.index)).to_numpy()
                        dst.write(chunk.to_csv(index=False, header=offset == 0, lineterminator="\n").encode())
                    continue
                head = src.read(3)
                if head != b"\xef\xbb\xbf":
                    dst.write(head)
                shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(target)
    return target


def _is_flat_zip_without_bom(path: Path, tables: list[str]) -> bool:
    if path.is_dir() or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        if any("/" in n for n in zf.namelist()):
            return False
        for table in tables:
            with zf.open(f"{table}.txt") as fh:
                if fh.read(3) == b"\xef\xbb\xbf":
                    return False
    return True
