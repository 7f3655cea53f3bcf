"""Building and locating the embedded engine's artifacts (one per feed version).

`<NETWORK_DIR>/<feed>-v<version>-<hash12>.cafein` is cafein's saved TransportNetwork and
`... .meta.pickle` its FeedMeta side-car. Both are written to a temp name and renamed into place,
so a running process never sees half an artifact.
"""
from __future__ import annotations

import json
import logging
import os
import time
import warnings
from pathlib import Path

from planner.engines.embedded_gtfs import read_feed

logger = logging.getLogger(__name__)


def network_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "NETWORK_DIR", Path("var/networks")))


def artifact_paths(feed, directory: Path | None = None) -> tuple[Path, Path]:
    """(network, meta) paths for a FeedVersion."""
    directory = Path(directory or network_dir())
    stem = f"{feed.name}-v{feed.version}-{(feed.content_hash or 'nohash')[:12]}"
    return directory / f"{stem}.cafein", directory / f"{stem}.meta.pickle"


def split_path(network_path) -> Path:
    """The per-pattern split network saved beside the plain one (see write_split_feed)."""
    return Path(str(network_path).removesuffix(".cafein") + ".split.cafein")


def pois_path(network_path) -> Path:
    """Where the OSM points of interest extracted with a network are kept."""
    return Path(str(network_path).removesuffix(".cafein") + ".pois.json")


POI_CATEGORIES = {
    "schools": {"amenity": ["school", "kindergarten", "college", "university"]},
    "health": {"amenity": ["hospital", "clinic", "doctors", "dentist", "pharmacy"]},
    "shops": {"shop": True},
}


def extract_pois(osm_path) -> list[dict]:
    """Schools, health services and shops from an OSM extract: [{"id","name","category","lat","lon"}]."""
    import pyrosm

    osm = pyrosm.OSM(str(osm_path))
    out = []
    for category, flt in POI_CATEGORIES.items():
        frame = osm.get_pois(custom_filter=flt)
        if frame is None or frame.empty:
            continue
        points = frame.geometry.representative_point()
        for (_, row), pt in zip(frame.iterrows(), points):
            name = row.get("name")
            out.append({"id": f"osm:{row.get('osm_type', 'node')}/{row['id']}",
                        "name": name if isinstance(name, str) and name else category,
                        "category": category, "lat": round(pt.y, 6), "lon": round(pt.x, 6)})
    return out


COPY_SEP = "@"


def physical(stop_id: str) -> str:
    """The GTFS stop behind a per-pattern routing copy ("1100602@17" -> "1100602")."""
    return stop_id.rsplit(COPY_SEP, 1)[0] if COPY_SEP in stop_id else stop_id


def _hms(secs) -> str:
    secs = int(secs)
    return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def write_split_feed(src_path, meta, out_dir: Path) -> dict:
    """Write the split feed: every stop becomes one copy per stop pattern (trips' stop sequence).

    cafein lets a passenger alight and board another vehicle at the same stop in 0 s. Once each
    pattern has its own copy of a stop, a change between patterns can only happen over a footpath
    between copies, which carries the minimum change time; a change between trips of the same
    pattern never helps (no overtaking within a pattern). Returns {stop_id: [copy ids]}.
    """
    import csv

    from planner.engines.embedded_gtfs import _Source

    out_dir.mkdir(parents=True, exist_ok=True)
    patterns: dict = {}
    copies: dict = {}
    rows = []
    for tid, (stops, arr, dep) in meta.trip_stops.items():
        p = patterns.setdefault(stops, len(patterns))
        for n, (stop, a, d) in enumerate(zip(stops, arr, dep)):
            copy = f"{stop}{COPY_SEP}{p}"
            if copy not in copies.setdefault(stop, []):
                copies[stop].append(copy)
            rows.append((tid, _hms(a), _hms(d), copy, n + 1))
    with open(out_dir / "stop_times.txt", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"))
        w.writerows(rows)
    with open(out_dir / "stops.txt", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("stop_id", "stop_name", "stop_lat", "stop_lon", "wheelchair_boarding"))
        for stop, ids in copies.items():
            info = meta.stops[stop]
            for copy in ids:
                w.writerow((copy, info["name"], info["lat"], info["lon"], info["wheelchair"]))
    src = _Source(src_path)
    for name in ("agency.txt", "routes.txt", "calendar.txt", "calendar_dates.txt", "feed_info.txt", "shapes.txt"):
        table = src.table(name, required=False)
        if table is not None:
            table.to_csv(out_dir / name, index=False)
    trips = src.table("trips.txt")
    trips[trips["trip_id"].isin(meta.trip_stops.keys())].to_csv(out_dir / "trips.txt", index=False)
    return copies


def split_footpaths(meta, copies: dict) -> list:
    """Footpaths between copies: same stop -> its minimum change time; nearby stops -> the walk."""
    out = []
    for stop, ids in copies.items():
        secs = meta.required_transfer_s(stop, stop)
        out.extend((a, b, secs, 0.0) for a in ids for b in ids if a != b)
    for a, b, secs, meters in meta.footpaths:
        out.extend((ca, cb, int(secs), float(meters)) for ca in copies.get(a, ()) for cb in copies.get(b, ()))
    return out


def build_artifacts(gtfs_path, network_path, meta_path, *, osm_path=None) -> dict:
    """Build cafein's networks (plain, + OSM walking streets when given; per-pattern split) and the side-car.

    The plain network answers fast and gives lower bounds (it allows 0 s changes); the split one
    answers exactly with minimum change times when the plain answer is not feasible. Returns stats.
    """
    import shutil
    import tempfile

    import cafein

    cafein.disable_logging()
    started = time.monotonic()
    meta = read_feed(str(gtfs_path))
    kwargs = {}
    if osm_path:
        lat0, lon0, lat1, lon1 = meta.bbox()
        kwargs.update(osm_pbf=str(osm_path), bounding_box=[lon0 - 0.02, lat0 - 0.01, lon1 + 0.02, lat1 + 0.01],
                      street_modes=())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = cafein.TransportNetwork.from_gtfs(str(gtfs_path), **kwargs)
        work = Path(tempfile.mkdtemp(prefix="split-gtfs-"))
        try:
            meta.copies = write_split_feed(gtfs_path, meta, work)
            split = cafein.TransportNetwork.from_gtfs(str(work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    quarantined = [str(w.message) for w in caught if "quarantin" in str(w.message)]
    # Our footpaths replace cafein's OSM ones: the same walks serve both networks and the exact scan.
    net.set_transfers([(a, b, int(secs), float(m)) for a, b, secs, m in meta.footpaths])
    routing_footpaths = split_footpaths(meta, meta.copies)
    split.set_transfers(routing_footpaths)
    meta.has_streets = bool(osm_path)
    network_path, meta_path = Path(network_path), Path(meta_path)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    pois = extract_pois(osm_path) if osm_path else []
    tmp_pois = pois_path(network_path).with_suffix(".tmp")
    tmp_pois.write_text(json.dumps(pois, ensure_ascii=False))
    os.replace(tmp_pois, pois_path(network_path))
    tmp_meta = meta_path.with_suffix(".tmp")
    meta.save(tmp_meta)
    split.save(split_path(network_path))  # cafein stages and renames atomically itself
    net.save(network_path)
    os.replace(tmp_meta, meta_path)
    stats = {
        "stops": len(meta.copies), "stop_copies": split.stop_count, "trips": net.trip_count,
        "footpaths": len(meta.footpaths), "routing_footpaths": len(routing_footpaths),
        "streets": bool(osm_path), "quarantine": quarantined, "pois": len(pois),
        "service_start": meta.service_start.isoformat(), "service_end": meta.service_end.isoformat(),
        "seconds": round(time.monotonic() - started, 2),
    }
    logger.info("built routing network %s: %s", network_path, stats)
    return stats


def build_for_feed(feed=None, *, osm_path=None, use_osm=True, force=False) -> dict:
    """Build the embedded artifacts of `feed` (default: the active one) unless already built.

    The OSM extract is `osm_path`, else the active OsmNetwork's pbf (when use_osm). Returns stats with
    "network" (path) and "skipped" (already built). Raises ValueError naming what is missing.
    """
    from planner.selectors import active_feed, active_osm_network

    feed = feed or active_feed()
    if feed is None:
        raise ValueError("no active GTFS feed: import and activate one first (manage.py import_gtfs)")
    if not feed.gtfs_path or not Path(feed.gtfs_path).exists():
        raise ValueError(f"feed {feed.name} v{feed.version}: GTFS file {feed.gtfs_path!r} does not exist")
    network_path, meta_path = artifact_paths(feed)
    if not force and network_path.exists() and meta_path.exists() and split_path(network_path).exists():
        return {"network": str(network_path), "skipped": True}
    if use_osm and not osm_path:
        osm = active_osm_network()
        osm_path = osm.pbf_path if osm and Path(osm.pbf_path).exists() else None
    stats = build_artifacts(feed.gtfs_path, network_path, meta_path, osm_path=osm_path)
    return {**stats, "network": str(network_path), "osm": str(osm_path) if osm_path else None, "skipped": False}
