"""Store a merged OSM street network as an OsmNetwork record with its PBF copied under settings' OSM dir."""
from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from planner import services
from planner.models import OsmNetwork
from planner.osm.merge import merge_pbfs


def osm_dir() -> Path:
    """settings.OSM_DIR or BASE_DIR/var/osm."""
    return Path(getattr(settings, "OSM_DIR", Path(settings.BASE_DIR) / "var" / "osm"))


def inputs_hash(paths: list[Path], bbox) -> str:
    digest = hashlib.sha256(repr(bbox).encode())
    for p in paths:
        digest.update(p.name.encode())
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def import_osm_network(paths, *, name: str = "kalasatama", bbox=None, activate: bool = False,
                       skip_if_active_same: bool = False) -> tuple[OsmNetwork, bool]:
    """Merge `paths` (clipped to bbox) into one PBF and record it. Returns (network, created)."""
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"{p} does not exist")
    digest = inputs_hash(paths, bbox)
    if skip_if_active_same:
        current = OsmNetwork.objects.filter(name=name, is_active=True, content_hash=digest).first()
        if current and Path(current.pbf_path).is_file():
            return current, False
    target = osm_dir() / f"{name}-{digest[:16]}.osm.pbf"
    stats = merge_pbfs(paths, target, bbox=bbox)
    with transaction.atomic():
        network = OsmNetwork.objects.create(name=name, pbf_path=str(target), content_hash=digest,
                                            sources=[str(p) for p in paths], bbox=list(bbox) if bbox else None,
                                            stats=stats)
        if activate:
            services.activate_osm_network(network)
    return network, True
