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
from collections.abc import Mapping
from pathlib import Path

from planner.engines.embedded.artifacts import artifact_paths, pois_path, split_path
from planner.engines.embedded.merge import merge_feeds
from planner.engines.embedded.pois import extract_pois
from planner.engines.embedded.split import split_footpaths, write_split_feed
from planner.engines.embedded.timetable import feed_meta, read_feed_tables

logger = logging.getLogger(__name__)


def build_artifacts(gtfs, network_path, meta_path, *, osm_path=None, _feeds=()) -> dict:
    """Build cafein's networks (plain, + OSM walking streets when given; per-pattern split) and the side-car.

    `gtfs` is {feed name: GTFS zip/dir} (all feeds in one network, ids `FEED:ID`: `merge`), or one
    GTFS path routed with its ids as they are. The plain network answers fast and gives lower bounds (it
    allows 0 s changes); the split one answers exactly with minimum change times. Returns stats.
    """
    import shutil
    import tempfile

    if isinstance(gtfs, Mapping):
        merged = Path(tempfile.mkdtemp(prefix="merged-gtfs-"))
        try:
            stats = build_artifacts(merge_feeds(gtfs, merged), network_path, meta_path, osm_path=osm_path,
                                    _feeds=tuple(sorted(gtfs)))
        finally:
            shutil.rmtree(merged, ignore_errors=True)
        return {**stats, "feeds": sorted(gtfs)}
    import cafein

    cafein.disable_logging()
    started = time.monotonic()
    gtfs_path = gtfs
    tables = read_feed_tables(gtfs_path)
    meta = feed_meta(tables, gtfs_path, feeds=_feeds)
    kwargs = {}
    if osm_path:
        lat0, lon0, lat1, lon1 = meta.bbox()
        kwargs.update(osm_pbf=str(osm_path), bounding_box=[lon0 - 0.02, lat0 - 0.01, lon1 + 0.02, lat1 + 0.01],
                      street_modes=())
    network_path, meta_path = Path(network_path), Path(meta_path)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    # One big thing in memory at a time (peak memory): the plain network is saved and dropped before the split
    # one is built, the feed's tables dropped once the split feed is written. The side-car goes last: a
    # process uses a network only once its side-car is in place.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = cafein.TransportNetwork.from_gtfs(str(gtfs_path), **kwargs)
        # Our footpaths replace cafein's OSM ones: the same walks serve both networks and the exact scan.
        net.set_transfers([(a, b, int(secs), float(m)) for a, b, secs, m in meta.footpaths])
        trip_count = net.trip_count
        net.save(network_path)  # cafein stages and renames atomically itself
        del net
        work = Path(tempfile.mkdtemp(prefix="split-gtfs-"))
        try:
            meta.copies = write_split_feed(gtfs_path, tables, meta, work)
            del tables
            split = cafein.TransportNetwork.from_gtfs(str(work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    quarantined = [str(w.message) for w in caught if "quarantin" in str(w.message)]
    routing_footpaths = split_footpaths(meta, meta.copies)
    split.set_transfers(routing_footpaths)
    split_count = split.stop_count
    split.save(split_path(network_path))
    del split
    meta.has_streets = bool(osm_path)
    pois = extract_pois(osm_path) if osm_path else []
    tmp_pois = pois_path(network_path).with_suffix(".tmp")
    tmp_pois.write_text(json.dumps(pois, ensure_ascii=False))
    os.replace(tmp_pois, pois_path(network_path))
    tmp_meta = meta_path.with_suffix(".tmp")
    meta.save(tmp_meta)
    os.replace(tmp_meta, meta_path)
    stats = {
        "stops": len(meta.copies), "stop_copies": split_count, "trips": trip_count,
        "footpaths": len(meta.footpaths), "routing_footpaths": len(routing_footpaths),
        "streets": bool(osm_path), "quarantine": quarantined, "pois": len(pois),
        "service_start": meta.service_start.isoformat(), "service_end": meta.service_end.isoformat(),
        "seconds": round(time.monotonic() - started, 2),
    }
    logger.info("built routing network %s: %s", network_path, stats)
    return stats


def build_for_feeds(feeds=None, *, osm_path=None, use_osm=True, force=False) -> dict:
    """Build the embedded artifacts of the set of feed versions `feeds` (default: every active feed's active
    version) unless already built: one network over all of them (`artifacts.artifact_paths` names it).

    The OSM extract is `osm_path`, else the active OsmNetwork's pbf (when use_osm). Returns stats with
    "network" (path) and "skipped" (already built). Raises ValueError naming what is missing.
    """
    from planner.selectors import active_osm_network
    from planner.timetable.feeds import active_feeds

    feeds = sorted(feeds if feeds is not None else active_feeds().values(), key=lambda f: f.name)
    if not feeds:
        raise ValueError("no active GTFS feed: import and activate one first (manage.py import_gtfs)")
    if len({f.name for f in feeds}) != len(feeds):
        raise ValueError(f"one version per feed name: {', '.join(str(f) for f in feeds)}")
    for feed in feeds:
        if not feed.gtfs_path or not Path(feed.gtfs_path).exists():
            raise ValueError(f"feed {feed.name} v{feed.version}: GTFS file {feed.gtfs_path!r} does not exist")
    network_path, meta_path = artifact_paths(feeds)
    if not force and network_path.exists() and meta_path.exists() and split_path(network_path).exists():
        return {"network": str(network_path), "skipped": True}
    if use_osm and not osm_path:
        osm = active_osm_network()
        osm_path = osm.pbf_path if osm and Path(osm.pbf_path).exists() else None
    stats = build_artifacts({f.name: f.gtfs_path for f in feeds}, network_path, meta_path, osm_path=osm_path)
    return {**stats, "network": str(network_path), "osm": str(osm_path) if osm_path else None, "skipped": False}


def build_with(feed, **options) -> dict:
    """The network of the active feeds with `feed` in place of its name's active version (what activating
    `feed` will serve): built before the switch, so serving never waits for it. Options as build_for_feeds."""
    from planner.timetable.feeds import active_feeds

    others = [f for name, f in active_feeds().items() if name != feed.name]
    return build_for_feeds([*others, feed], **options)
