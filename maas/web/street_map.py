"""The map's base layer from the project's own OSM data: the active street network as GeoJSON LineStrings.

No tile server can be reached, so the resident page draws the streets itself. Built once per OSM file and
kept in the process as compact JSON (roads only, no footways: ~1.3 MB for the Kalasatama extract);
coordinates rounded to 5 decimals (~1 m)."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import osmium

from planner import selectors

# highway value -> the class the page styles it by.
CLASSES = {
    **dict.fromkeys(("motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link", "primary_link",
                     "secondary_link"), "major"),
    **dict.fromkeys(("tertiary", "tertiary_link", "unclassified", "residential", "living_street"), "minor"),
}


@functools.lru_cache(maxsize=2)
def _streets_json(pbf_path: str, mtime: float) -> bytes:
    features = []
    for obj in osmium.FileProcessor(pbf_path, osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not obj.is_way() or (street_class := CLASSES.get(obj.tags.get("highway"))) is None:
            continue
        coordinates = [[round(n.lon, 5), round(n.lat, 5)] for n in obj.nodes if n.location.valid()]
        if len(coordinates) >= 2:
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coordinates},
                             "properties": {"class": street_class}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


def street_network_json() -> bytes | None:
    """The active OSM network's streets as a GeoJSON FeatureCollection (UTF-8 JSON), or None without one."""
    network = selectors.active_osm_network()
    if network is None or not Path(network.pbf_path).exists():
        return None
    path = str(network.pbf_path)
    return _streets_json(path, Path(path).stat().st_mtime)
