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
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from psycopg.copy import QueuedLibpqWriter
from tqdm import tqdm

from planner import services
from planner.gtfs import pgcopy
from planner.gtfs.issues import FeedInvalid, Issue
from planner.gtfs.reader import content_hash, local_source, read_tables
from planner.gtfs.repair import read_reference_stops, repair
from planner.gtfs.times import format_times
from planner.gtfs.validate import validate
from planner.gtfs.writer import write_zip
from planner.models import (
    Agency,
    Calendar,
    CalendarDate,
    FeedVersion,
    Route,
    Shape,
    Stop,
    StopTime,
    Transfer,
    Trip,
)

logger = logging.getLogger(__name__)
CHUNK_ROWS = 200_000
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def feed_dir() -> Path:
    """Where normalized feed zips are kept: settings.GTFS_FEED_DIR or BASE_DIR/var/feeds."""
    return Path(getattr(settings, "GTFS_FEED_DIR", Path(settings.BASE_DIR) / "var" / "feeds"))


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
        if not repair_feed and not _has_frequencies(path):
            # Bounded memory: stop_times/shapes streamed through validation and COPY (streamload.py).
            from planner.gtfs.streamload import import_streaming

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


def _has_frequencies(path: Path) -> bool:
    from planner.gtfs.streamload import has_frequencies

    return has_frequencies(path)


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


def _s(series: pd.Series) -> pd.Series:
    """Text column for a NOT NULL CharField: NA -> '' (read_feed already maps "" and " " to NA)."""
    return series.astype(object).where(series.notna(), "")


def _col(df: pd.DataFrame, column: str, default=None) -> pd.Series:
    if column in df.columns:
        return df[column]
    return pd.Series([default] * len(df), index=df.index, dtype="object")


def _int(series: pd.Series, default: int | None = 0) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    if default is not None:
        values = values.fillna(default)
    return values.astype("Int64")


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.astype(str), format="%Y%m%d").dt.date


def stop_translations(tables: dict) -> dict[str, dict[str, str]]:
    """{stop_id: {language: name}} from translations.txt (GTFS 2019 layout, or HSL's older trans_id/lang)."""
    tr, stops = tables.get("translations"), tables["stops"]
    if tr is None or not len(tr):
        return {}
    names: dict[str, dict[str, str]] = {}
    by_name: dict[str, dict[str, str]] = {}
    if {"table_name", "field_name", "language", "translation"} <= set(tr.columns):
        rows = tr[(tr["table_name"] == "stops") & (tr["field_name"] == "stop_name")]
        for r in rows.itertuples(index=False):
            if "record_id" in tr.columns and pd.notna(getattr(r, "record_id", None)):
                names.setdefault(str(r.record_id), {})[str(r.language)] = str(r.translation)
            elif "field_value" in tr.columns and pd.notna(getattr(r, "field_value", None)):
                by_name.setdefault(str(r.field_value), {})[str(r.language)] = str(r.translation)
    elif {"trans_id", "lang", "translation"} <= set(tr.columns):
        for r in tr.itertuples(index=False):
            by_name.setdefault(str(r.trans_id), {})[str(r.lang)] = str(r.translation)
    if by_name:
        for stop_id, stop_name in zip(stops["stop_id"], stops.get("stop_name", pd.Series(dtype=str))):
            if pd.notna(stop_name) and stop_name in by_name:
                names.setdefault(stop_id, {}).update(by_name[stop_name])
    return names


def _service_range(tables: dict):
    starts, ends = [], []
    if tables.get("calendar") is not None and len(tables["calendar"]):
        starts.append(_dates(tables["calendar"]["start_date"]).min())
        ends.append(_dates(tables["calendar"]["end_date"]).max())
    cd = tables.get("calendar_dates")
    if cd is not None and len(cd):
        added = cd[cd["exception_type"] == 1]
        if len(added):
            starts.append(_dates(added["date"]).min())
            ends.append(_dates(added["date"]).max())
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _copy_rows(model, columns: list[str], frames, total: int, progress: bool):
    """Bulk-load DataFrame chunks (columns in `columns` order) into `model`'s table."""
    table = model._meta.db_table
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
                    copy.write(pgcopy.encode([_copy_column(kind, frame[c]) for kind, c in zip(kinds, columns)],
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


def _copy_column(kind: str, series: pd.Series):
    nulls = series.isna().to_numpy()
    if kind == "text":
        return kind, series.to_numpy(dtype=object), nulls
    if kind == "float8":
        return kind, pd.to_numeric(series).to_numpy(dtype=float, na_value=0.0), nulls
    return kind, pd.to_numeric(series).to_numpy(dtype="int64", na_value=0), nulls


def _chunks(df: pd.DataFrame, size: int = CHUNK_ROWS):
    for start in range(0, len(df), size):
        yield df.iloc[start:start + size]


@transaction.atomic
def load_tables(tables: dict, parsed: dict, *, name: str, source: str, digest: str, changes: list[str],
                activate: bool, progress: bool = False, source_path: Path | None = None,
                modified: set[str] | None = None) -> FeedVersion:
    """Insert a validated feed as a new FeedVersion (and its normalized zip). All or nothing."""
    list(FeedVersion.objects.select_for_update().filter(name=name).values_list("pk", flat=True))
    version = (FeedVersion.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0) + 1
    start, end = _service_range(tables)
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
    for column, key in (("arrival_time", "arrival_s"), ("departure_time", "departure_s")):
        values = st[column].to_numpy(dtype=object, na_value="")
        odd = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) != 8
        odd &= ~np.isnan(parsed[key])  # blanks stay blank
        if odd.any():
            values = values.copy()
            values[odd] = format_times(pd.Series(parsed[key][odd])).to_numpy()
            fixed_times[column] = values
    if fixed_times:
        st = st.copy()
        for column, values in fixed_times.items():
            st[column] = values
        modified.add("stop_times")
    contents = {}
    for table, df in tables.items():
        if df is None or not len(df):
            continue
        raw = _source_member(source_path, table) if table not in modified and source_path else None
        contents[table] = raw if raw is not None else (st if table == "stop_times" else df)
    return write_zip(contents, path, compresslevel=1)


def _source_member(path: Path, table: str) -> bytes | None:
    """The raw bytes of <table>.txt in a zip or directory (BOM removed), or None."""
    import zipfile

    if path.is_dir():
        member = path / f"{table}.txt"
        data = member.read_bytes() if member.is_file() else None
    else:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if Path(n).name == f"{table}.txt"]
            data = zf.read(names[0]) if names else None
    if data is not None and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data


def _load_small(feed: FeedVersion, tables: dict, progress: bool) -> dict:
    """Agency, stops, routes, calendars, transfers (bulk_create) and trips (COPY); returns their stats."""
    stops, routes, trips = tables["stops"], tables["routes"], tables["trips"]
    agency = tables["agency"]
    Agency.objects.bulk_create([
        Agency(feed=feed, agency_id=a or "", name=n, url=u or "", timezone=tz, lang=lang or "", phone=ph or "")
        for a, n, u, tz, lang, ph in zip(_s(_col(agency, "agency_id")), _s(agency["agency_name"]),
                                         _s(_col(agency, "agency_url")), _s(agency["agency_timezone"]),
                                         _s(_col(agency, "agency_lang")), _s(_col(agency, "agency_phone")))])

    translations = stop_translations(tables)
    stop_frame = pd.DataFrame({
        "stop_id": _s(stops["stop_id"]), "code": _s(_col(stops, "stop_code")), "name": _s(_col(stops, "stop_name")),
        "desc": _s(_col(stops, "stop_desc")),
        "lat": pd.to_numeric(_col(stops, "stop_lat"), errors="coerce"),
        "lon": pd.to_numeric(_col(stops, "stop_lon"), errors="coerce"),
        "zone_id": _s(_col(stops, "zone_id")), "location_type": _int(_col(stops, "location_type")),
        "parent_station": _s(_col(stops, "parent_station")),
        "wheelchair_boarding": _int(_col(stops, "wheelchair_boarding")),
        "platform_code": _s(_col(stops, "platform_code")),
    })
    stop_objs = []
    for r in stop_frame.itertuples(index=False):
        stop_objs.append(Stop(feed=feed, stop_id=r.stop_id, code=r.code, name=r.name, desc=r.desc,
                              lat=None if pd.isna(r.lat) else float(r.lat),
                              lon=None if pd.isna(r.lon) else float(r.lon),
                              zone_id=r.zone_id, location_type=int(r.location_type), parent_station=r.parent_station,
                              wheelchair_boarding=int(r.wheelchair_boarding), platform_code=r.platform_code,
                              names=translations.get(r.stop_id, {})))
    Stop.objects.bulk_create(stop_objs, batch_size=2000)

    Route.objects.bulk_create([
        Route(feed=feed, route_id=rid, agency_id=aid, short_name=sn, long_name=ln, desc=d, route_type=int(rt),
              url=u, color=c.lstrip("#")[:6], text_color=tc.lstrip("#")[:6])
        for rid, aid, sn, ln, d, rt, u, c, tc in zip(
            _s(routes["route_id"]), _s(_col(routes, "agency_id")), _s(_col(routes, "route_short_name")),
            _s(_col(routes, "route_long_name")), _s(_col(routes, "route_desc")), _int(routes["route_type"]),
            _s(_col(routes, "route_url")), _s(_col(routes, "route_color")), _s(_col(routes, "route_text_color")))
    ], batch_size=2000)

    if tables.get("calendar") is not None:
        cal = tables["calendar"]
        starts, ends = _dates(cal["start_date"]), _dates(cal["end_date"])
        Calendar.objects.bulk_create([
            Calendar(feed=feed, service_id=sid, start_date=s, end_date=e,
                     **{d: bool(v) for d, v in zip(DAYS, flags)})
            for sid, s, e, flags in zip(_s(cal["service_id"]), starts, ends,
                                        cal[list(DAYS)].astype(int).itertuples(index=False))], batch_size=5000)
    if tables.get("calendar_dates") is not None:
        cd = tables["calendar_dates"]
        CalendarDate.objects.bulk_create([
            CalendarDate(feed=feed, service_id=sid, date=d, exception_type=int(x))
            for sid, d, x in zip(_s(cd["service_id"]), _dates(cd["date"]), cd["exception_type"])], batch_size=5000)
    if tables.get("transfers") is not None:
        tr = tables["transfers"]
        Transfer.objects.bulk_create([
            Transfer(feed=feed, from_stop_id=f, to_stop_id=t, transfer_type=int(tt),
                     min_transfer_time=None if pd.isna(m) else int(m))
            for f, t, tt, m in zip(_s(tr["from_stop_id"]), _s(tr["to_stop_id"]), _int(tr["transfer_type"]),
                                   _int(_col(tr, "min_transfer_time"), default=None))], batch_size=5000)

    route_pk = dict(Route.objects.filter(feed=feed).values_list("route_id", "pk"))
    trip_frame = pd.DataFrame({
        "feed_id": feed.pk, "route_id": _s(trips["route_id"]).map(route_pk), "trip_id": _s(trips["trip_id"]),
        "service_id": _s(trips["service_id"]), "headsign": _s(_col(trips, "trip_headsign")),
        "short_name": _s(_col(trips, "trip_short_name")),
        "direction_id": _int(_col(trips, "direction_id"), default=None),
        "block_id": _s(_col(trips, "block_id")), "shape_id": _s(_col(trips, "shape_id")),
        "wheelchair_accessible": _int(_col(trips, "wheelchair_accessible")),
        "bikes_allowed": _int(_col(trips, "bikes_allowed")),
    })
    _copy_rows(Trip, list(trip_frame.columns), _chunks(trip_frame), len(trip_frame), progress)
    return {"agencies": len(agency), "stops": len(stops), "routes": len(routes), "trips": len(trips),
            "calendar": len(tables["calendar"]) if tables.get("calendar") is not None else 0,
            "calendar_dates": len(tables["calendar_dates"]) if tables.get("calendar_dates") is not None else 0,
            "transfers": len(tables["transfers"]) if tables.get("transfers") is not None else 0,
            "translated_stops": len(translations)}


def _pk_maps(feed: FeedVersion, tables: dict) -> tuple[pd.Index, np.ndarray, pd.Index, np.ndarray]:
    """(trip ids, their pks, stop ids, their pks) of a loaded feed, aligned index -> pk array."""
    trip_ids, trip_pks = zip(*Trip.objects.filter(feed=feed).values_list("trip_id", "pk")) \
        if len(tables["trips"]) else ((), ())
    stop_ids, stop_pks = zip(*Stop.objects.filter(feed=feed).values_list("stop_id", "pk"))
    return (pd.Index(trip_ids), np.asarray(trip_pks, dtype="int64"),
            pd.Index(stop_ids), np.asarray(stop_pks, dtype="int64"))


def _load(feed: FeedVersion, tables: dict, parsed: dict, progress: bool) -> dict:
    stats = _load_small(feed, tables, progress)
    st = tables["stop_times"]
    trip_index, trip_pks, stop_index, stop_pks = _pk_maps(feed, tables)
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
                "stop_headsign": _s(_col(part, "stop_headsign")).to_numpy(),
                "pickup_type": _int(_col(part, "pickup_type")).to_numpy(dtype="int64"),
                "drop_off_type": _int(_col(part, "drop_off_type")).to_numpy(dtype="int64"),
                "shape_dist_traveled": pd.to_numeric(_col(part, "shape_dist_traveled"), errors="coerce").to_numpy(),
                "timepoint": _int(_col(part, "timepoint"), default=None).to_numpy(),
            })

    _copy_rows(StopTime, ["feed_id", "trip_id", "stop_id", "stop_sequence", "arrival_s", "departure_s",
                          "stop_headsign", "pickup_type", "drop_off_type", "shape_dist_traveled", "timepoint"],
               stop_time_chunks(), len(st), progress)

    n_shapes = 0
    if tables.get("shapes") is not None:
        sh = tables["shapes"]
        n_shapes = len(sh)
        shape_frame = pd.DataFrame({
            "feed_id": feed.pk, "shape_id": _s(sh["shape_id"]), "pt_sequence": _int(sh["shape_pt_sequence"]),
            "lat": pd.to_numeric(sh["shape_pt_lat"]), "lon": pd.to_numeric(sh["shape_pt_lon"]),
            "dist_traveled": pd.to_numeric(_col(sh, "shape_dist_traveled"), errors="coerce"),
        })
        _copy_rows(Shape, list(shape_frame.columns), _chunks(shape_frame), n_shapes, progress)
    return {**stats, "stop_times": len(st), "shape_points": n_shapes}

