"""Street legs drawn on the active OSM network: path, GeoJSON, polyline, distance along it, steps.

`routed(mode, a, b)` answers None when there is no active street network or no path (then the caller
falls back to a straight line and says `crow_fly: true`).
"""
from __future__ import annotations

import copy
import logging
import threading
from contextlib import contextmanager
from pathlib import Path

from django.utils import translation

from planner.osm import path_legs
from planner.osm.street_graph import StreetGraph

logger = logging.getLogger(__name__)

# leg mode -> graph mode
GRAPH_MODE = {"walk": "walk", "bike": "bike", "city_bike": "bike", "scooter": "bike", "car": "car", "taxi": "car"}
STEP_MODES = {"walk", "bike", "city_bike"}
_missing_logged = set()
_UNSET = object()


_scope = threading.local()


@contextmanager
def one_lookup():
    """Within the block (one plan request) graph() asks the database for the active OSM network only once."""
    _scope.active, _scope.graph, _scope.routes, _scope.trees = True, _UNSET, {}, {}
    try:
        yield
    finally:
        _scope.active, _scope.graph, _scope.routes, _scope.trees = False, _UNSET, {}, {}


def graph():
    """The StreetGraph of the active OSM network (cached per file), or None without one."""
    if not getattr(_scope, "active", False):
        return _lookup()
    if _scope.graph is _UNSET:
        _scope.graph = _lookup()
    return _scope.graph


def _lookup():
    from planner.selectors import active_osm_network

    network = active_osm_network()
    if network is None or not network.pbf_path:
        return None
    path = Path(network.pbf_path)
    if not path.exists():
        if str(path) not in _missing_logged:
            _missing_logged.add(str(path))
            logger.warning("active OSM network file %s is missing: street legs fall back to straight lines", path)
        return None
    return StreetGraph.from_pbf(path)


def routed(mode, a, b, language=None, avoid=()):
    """{"distance_m", "geometry", "polyline", "steps"?} of the street path from point a to b, or None.

    `avoid`: shapely geometries the path may not enter."""
    g = graph()
    if g is None or mode not in GRAPH_MODE:
        return None
    language = (language or translation.get_language() or "fi")[:2]
    # keyed by what the answer depends on: car and taxi (bike and scooter without steps) share a path
    key = (GRAPH_MODE[mode], mode in STEP_MODES, a["lat"], a["lon"], b["lat"], b["lon"], language,
           tuple(x.wkb for x in avoid))
    routes = getattr(_scope, "routes", None) if getattr(_scope, "active", False) else None
    if routes is not None and key in routes:  # the same walk in several itineraries of one plan
        return copy.deepcopy(routes[key])
    crow = path_legs.distance_m(a["lat"], a["lon"], b["lat"], b["lon"])
    ends = (GRAPH_MODE[mode], (a["lat"], a["lon"]), (b["lat"], b["lon"]))
    # A search bounded near the straight line first (most paths), then the wide bound for real detours.
    found = g.path(*ends, avoid=avoid, max_m=first_bound(crow))
    if found is None and first_bound(crow) < wide_bound(crow):
        found = g.path(*ends, avoid=avoid, max_m=wide_bound(crow))
    out = drawn(mode, found, g, language)
    if routes is not None:
        routes[key] = copy.deepcopy(out)
    return out


def tree(graph_mode, point, max_m, avoid=(), reverse=False):
    """StreetGraph.tree on the active network (None without one); within one plan a search from (to) the same
    point is reused by a later one bounded as far or less (a direct ride and a ride from transit to one end)."""
    g = graph()
    if g is None:
        return None
    trees = _scope.trees if getattr(_scope, "active", False) else None
    key = (graph_mode, point, tuple(x.wkb for x in avoid), reverse)
    if trees is not None and key in trees and trees[key][0] >= max_m:
        found = trees[key][1]
        return found.within(max_m) if found is not None and trees[key][0] > max_m else found
    found = g.tree(graph_mode, point, max_m, avoid=avoid, reverse=reverse)
    if trees is not None:
        trees[key] = (max_m, found)
    return found


def first_bound(crow_m):
    """Metres a first street search between points crow_m apart explores: most paths are within it."""
    return max(400.0, 1.5 * crow_m + 200)


def wide_bound(crow_m):
    """Metres the search explores when the first one found no path (a real detour)."""
    return max(3000.0, 4 * crow_m)


def drawn(mode, found, g, language=None):
    """routed()'s answer for a street_graph.Path `found` on graph `g` (None stays None)."""
    if found is None:
        return None
    coords = [(round(lon, 6), round(lat, 6)) for lon, lat in found.coordinates]
    out = {"distance_m": found.distance_m,
           "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
           "polyline": path_legs.encode_polyline(coords)}
    if mode in STEP_MODES:
        language = (language or translation.get_language() or "fi")[:2]
        out["steps"] = path_legs.steps(found.coordinates, found.ways, g.way_tags, language)
    return out


def draw_legs(itineraries, language=None):
    """Give every street leg a polyline, and those that came as straight lines (transit access, egress and
    transfer walks of the engine) their street path, polyline and steps. Times stay as the engine gave them;
    distance_m becomes the distance along the drawn path."""
    for it in itineraries:
        for leg in it["legs"]:
            coords = leg["geometry"]["coordinates"]
            if not leg["transit"] and "polyline" not in leg and len(coords) == 2 and leg["mode"] in GRAPH_MODE:
                a, b = {"lat": coords[0][1], "lon": coords[0][0]}, {"lat": coords[1][1], "lon": coords[1][0]}
                path = routed(leg["mode"], a, b, language) if a != b else None
                if path is not None:
                    leg.update(geometry=path["geometry"], polyline=path["polyline"], crow_fly=False,
                               distance_m=int(round(path["distance_m"])))
                    if "steps" in path:
                        leg["steps"] = path["steps"]
            if "polyline" not in leg and not leg["transit"]:  # transit legs: transit_shapes draws them
                leg["polyline"] = path_legs.encode_polyline([tuple(c) for c in leg["geometry"]["coordinates"]])
        it["walk_distance_m"] = sum(leg["distance_m"] for leg in it["legs"] if leg["mode"] == "walk")
    return itineraries
