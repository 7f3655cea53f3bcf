"""Building the embedded engine's artifacts of a feed version (see `artifacts` for where they go).

Every file is written to a temp name and renamed into place, so a running process never sees half an
artifact.
"""
from __future__ import annotations

import json
import logging
import os
import time
import warnings
from pathlib import Path

from planner.engines.embedded.artifacts import artifact_paths, pois_path, split_path
from planner.engines.embedded.pois import extract_pois
from planner.engines.embedded.split import split_footpaths, write_split_feed
from planner.engines.embedded.timetable import feed_meta, read_feed_tables

logger = logging.getLogger(__name__)


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
    tables = read_feed_tables(gtfs_path)
    meta = feed_meta(tables, gtfs_path)
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
            meta.copies = write_split_feed(gtfs_path, tables, meta, work)
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
