"""Building and locating the embedded engine's artifacts (one per feed version).

`<NETWORK_DIR>/<feed>-v<version>-<hash12>.cafein` is cafein's saved TransportNetwork and
`... .meta.pickle` its FeedMeta side-car. Both are written to a temp name and renamed into place,
so a running process never sees half an artifact.
"""
from __future__ import annotations

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


def build_artifacts(gtfs_path, network_path, meta_path, *, osm_path=None) -> dict:
    """Build cafein's network (+ OSM walking streets when given) and the side-car; return stats."""
    import cafein

    cafein.disable_logging()
    started = time.monotonic()
    gtfs_path = str(gtfs_path)
    meta = read_feed(gtfs_path)
    kwargs = {}
    if osm_path:
        lat0, lon0, lat1, lon1 = meta.bbox()
        kwargs.update(osm_pbf=str(osm_path), bounding_box=[lon0 - 0.02, lat0 - 0.01, lon1 + 0.02, lat1 + 0.01],
                      street_modes=())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = cafein.TransportNetwork.from_gtfs(gtfs_path, **kwargs)
    quarantined = [str(w.message) for w in caught if "quarantin" in str(w.message)]
    # Our footpaths replace cafein's OSM ones: the same walks then serve cafein and the exact fallback.
    if meta.footpaths:
        net.set_transfers([(a, b, int(s), float(m)) for a, b, s, m in meta.footpaths])
    meta.has_streets = bool(osm_path)
    network_path, meta_path = Path(network_path), Path(meta_path)
    network_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_meta = meta_path.with_suffix(".tmp")
    meta.save(tmp_meta)
    net.save(network_path)  # cafein stages and renames atomically itself
    os.replace(tmp_meta, meta_path)
    stats = {
        "stops": net.stop_count, "trips": net.trip_count, "footpaths": len(meta.footpaths),
        "streets": bool(osm_path), "quarantine": quarantined,
        "service_start": meta.service_start.isoformat(), "service_end": meta.service_end.isoformat(),
        "seconds": round(time.monotonic() - started, 2),
    }
    logger.info("built routing network %s: %s", network_path, stats)
    return stats
