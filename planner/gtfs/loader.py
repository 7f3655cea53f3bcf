"""Write a validated GTFS feed as a new FeedVersion, in one transaction.

`import_feed` streams feeds without --repair/frequencies through planner.gtfs.streamload (bounded
memory); this module's whole-table path (read_tables -> validate -> load_tables) serves the others.
Small tables go through bulk_create; trips, stop_times and shapes are bulk-loaded with PostgreSQL
binary COPY (psycopg 3 `cursor.copy`, rows encoded with numpy in chunks of CHUNK_ROWS, so the load
buffer stays bounded). Other databases (the SQLite demo) fall back to chunked bulk_create.
"""
from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Max

from planner import services
from planner.gtfs import partitions
from planner.gtfs.dbload import (
    CHUNK_ROWS,
    chunks,
    column,
    copy_rows,
    feed_dir,
    integers,
    load_small_tables,
    pk_maps,
    service_range,
    text,
)
from planner.gtfs.issues import FeedInvalid, Issue
from planner.gtfs.reader import content_hash, local_source, member_bytes, read_tables
from planner.gtfs.repair import read_reference_stops, repair
from planner.gtfs.streamload import has_frequencies, import_streaming
from planner.gtfs.times import format_times
from planner.gtfs.validate import validate
from planner.gtfs.writer import write_zip
from planner.models import (
    FeedVersion,
    Shape,
    StopTime,
)

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    feed: FeedVersion
    changes: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    skipped: bool = False  # an active version with the same content hash already existed
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, validate, load


def import_feed(source: str, *, name: str = "hsl", activate: bool = False, repair_feed: bool = False,
                reference_stops: str | None = None, skip_if_active_same: bool = False,
                progress: bool = False, chunk_rows: int | None = None) -> ImportResult:
    """Read, (repair,) validate and load `source` (zip, directory or URL) as a new version of feed `name`.

    Raises FeedInvalid (nothing written) when errors remain. Activates only when `activate`.
    Feeds without --repair or frequencies.txt are streamed in chunks of `chunk_rows` (default
    settings.GTFS_IMPORT_CHUNK_ROWS or streamload.STREAM_CHUNK_ROWS) with bounded memory; the others (small feeds:
    repair and frequency expansion work on whole tables) are read whole with gtfs-kit.
    """
    with local_source(source) as path:
        extra = [Path(reference_stops)] if repair_feed and reference_stops else []
        digest = content_hash(path, *extra)
        if repair_feed:  # the same file imported with --repair is different content
            digest = hashlib.sha256(f"{digest}:repair".encode()).hexdigest()
        if skip_if_active_same:
            current = FeedVersion.objects.filter(name=name, is_active=True, content_hash=digest).first()
            if current:
                return ImportResult(current, skipped=True)
        if not repair_feed and not has_frequencies(path):
            # Bounded memory: stop_times/shapes streamed through validation and COPY (streamload.py).
            feed, warnings, timings = import_streaming(path, name=name, source=str(source), digest=digest,
                                                       activate=activate, progress=progress, rows=chunk_rows)
            return ImportResult(feed, [], warnings, timings=timings)
        clock = time.perf_counter()
        tables = read_tables(path)
        timings = {"read": time.perf_counter() - clock}
        clock = time.perf_counter()
        changes: list[str] = []
        modified: set[str] = set()
        if repair_feed:
            reference = read_reference_stops(reference_stops) if reference_stops else None
            tables, changes = repair(tables, reference, reference_name=Path(reference_stops).name
                                     if reference_stops else "reference")
            if changes:
                modified |= set(tables)
        parsed: dict = {}
        errors, warnings = validate(tables, parsed)
        if errors:
            raise FeedInvalid(errors)
        if tables.get("frequencies") is not None and len(tables["frequencies"]):
            tables = _expand_frequencies(tables)
            modified |= {"trips", "stop_times", "frequencies"}
            parsed = {}
            validate(tables, parsed)
        timings["validate"] = time.perf_counter() - clock
        clock = time.perf_counter()
        feed = load_tables(tables, parsed, name=name, source=str(source), digest=digest, changes=changes,
                           activate=activate, progress=progress, source_path=path, modified=modified)
    timings["load"] = time.perf_counter() - clock
    return ImportResult(feed, changes, warnings, timings=timings)


def _expand_frequencies(tables: dict) -> dict:
    """frequencies.txt -> ordinary trips and stop_times (gtfs-kit's expand_frequencies)."""
    import gtfs_kit

    known = {k: v for k, v in tables.items() if k in gtfs_kit.constants.DTYPES}
    feed = gtfs_kit.Feed(dist_units="km", **known)
    expanded = gtfs_kit.expand_frequencies(feed)
    out = dict(tables)
    out["trips"] = expanded.trips.reset_index(drop=True)
    out["stop_times"] = expanded.stop_times.reset_index(drop=True)
    out["frequencies"] = None
    return out

@transaction.atomic
def load_tables(tables: dict, parsed: dict, *, name: str, source: str, digest: str, changes: list[str],
                activate: bool, progress: bool = False, source_path: Path | None = None,
                modified: set[str] | None = None) -> FeedVersion:
    """Insert a validated feed as a new FeedVersion (and its normalized zip). All or nothing."""
    list(FeedVersion.objects.select_for_update().filter(name=name).values_list("pk", flat=True))
    version = (FeedVersion.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0) + 1
    start, end = service_range(tables)
    feed = FeedVersion.objects.create(name=name, version=version, service_start=start, service_end=end,
                                      source=source[:500], content_hash=digest, repairs=changes)
    # pk + content hash: several databases (demo, tests) may share the directory.
    zip_path = feed_dir() / f"{feed.pk}-{digest[:12]}.zip"
    # The normalized zip is written in a thread while the database loads (zlib and COPY release the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        zip_job = pool.submit(write_normalized_zip, tables, parsed, zip_path, source_path,
                              set(tables) if modified is None else modified)
        try:
            stats = _load(feed, tables, parsed, progress)
            zip_job.result()
            feed.gtfs_path = str(zip_path)
            feed.stats = stats
            feed.save(update_fields=["gtfs_path", "stats"])
            if activate:
                services.activate_feed(feed)
        except BaseException:
            zip_job.cancel()
            wait([zip_job])
            zip_path.unlink(missing_ok=True)
            raise
    transaction.on_commit(lambda: logger.info("imported %s from %s", feed, source))
    return feed


def write_normalized_zip(tables: dict, parsed: dict, path: Path, source_path: Path | None = None,
                         modified: set[str] | None = None) -> Path:
    """Exactly the imported tables as a flat GTFS zip: UTF-8 without BOM, times HH:MM:SS.

    Tables the import did not change are copied byte-for-byte from `source_path` (minus a BOM);
    changed ones (repair, frequencies expansion, H:MM:SS times) are written from the DataFrames.
    """
    modified = set(tables) if modified is None else set(modified)
    st = tables["stop_times"]
    fixed_times = {}
    for col_name, key in (("arrival_time", "arrival_s"), ("departure_time", "departure_s")):
        values = st[col_name].to_numpy(dtype=object, na_value="")
        odd = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) != 8
        odd &= ~np.isnan(parsed[key])  # blanks stay blank
        if odd.any():
            values = values.copy()
            values[odd] = format_times(pd.Series(parsed[key][odd])).to_numpy()
            fixed_times[col_name] = values
    if fixed_times:
        st = st.copy()
        for column, values in fixed_times.items():
            st[column] = values
        modified.add("stop_times")
    contents = {}
    for table, df in tables.items():
        if df is None or not len(df):
            continue
        raw = member_bytes(source_path, table) if table not in modified and source_path else None
        contents[table] = raw if raw is not None else (st if table == "stop_times" else df)
    return write_zip(contents, path, compresslevel=1)


def _load(feed: FeedVersion, tables: dict, parsed: dict, progress: bool) -> dict:
    stats = load_small_tables(feed, tables, progress)
    st = tables["stop_times"]
    trip_index, trip_pks, stop_index, stop_pks = pk_maps(feed, tables)
    arrival = pd.array(np.asarray(parsed["arrival_s"], dtype=float), dtype="Int64")
    departure = pd.array(np.asarray(parsed["departure_s"], dtype=float), dtype="Int64")

    def stop_time_chunks():
        for start in range(0, len(st), CHUNK_ROWS):
            part = st.iloc[start:start + CHUNK_ROWS]
            yield pd.DataFrame({
                "feed_id": feed.pk,
                "trip_id": trip_pks[trip_index.get_indexer(part["trip_id"])],  # validated: all found
                "stop_id": stop_pks[stop_index.get_indexer(part["stop_id"])],
                "stop_sequence": part["stop_sequence"].astype("int64").to_numpy(),
                "arrival_s": arrival[start:start + CHUNK_ROWS],
                "departure_s": departure[start:start + CHUNK_ROWS],
                "stop_headsign": text(column(part, "stop_headsign")).to_numpy(),
                "pickup_type": integers(column(part, "pickup_type")).to_numpy(dtype="int64"),
                "drop_off_type": integers(column(part, "drop_off_type")).to_numpy(dtype="int64"),
                "shape_dist_traveled": pd.to_numeric(column(part, "shape_dist_traveled"), errors="coerce").to_numpy(),
                "timepoint": integers(column(part, "timepoint"), default=None).to_numpy(),
            })

    partition = partitions.create(feed.pk) if partitions.partitioned() else None
    copy_rows(StopTime, ["feed_id", "trip_id", "stop_id", "stop_sequence", "arrival_s", "departure_s",
                          "stop_headsign", "pickup_type", "drop_off_type", "shape_dist_traveled", "timepoint"],
               stop_time_chunks(), len(st), progress, table=partition)
    if partition:
        partitions.attach(feed.pk)

    n_shapes = 0
    if tables.get("shapes") is not None:
        sh = tables["shapes"]
        n_shapes = len(sh)
        shape_frame = pd.DataFrame({
            "feed_id": feed.pk, "shape_id": text(sh["shape_id"]), "pt_sequence": integers(sh["shape_pt_sequence"]),
            "lat": pd.to_numeric(sh["shape_pt_lat"]), "lon": pd.to_numeric(sh["shape_pt_lon"]),
            "dist_traveled": pd.to_numeric(column(sh, "shape_dist_traveled"), errors="coerce"),
        })
        copy_rows(Shape, list(shape_frame.columns), chunks(shape_frame), n_shapes, progress)
    return {**stats, "stop_times": len(st), "shape_points": n_shapes}

