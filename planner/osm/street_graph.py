"""Shortest street paths on the OSM network, with their shape and the ways they follow.

cafein times street legs but does not hand back which named streets a path used, so walk, bike, scooter
and car legs are drawn on this graph: every OSM highway way of the imported network, split at its nodes,
with per-mode access (foot/bicycle/motor tags, oneway for vehicles). A point snaps to the nearest node of
the mode's largest connected part; a shortest-distance search (scipy's Dijkstra) gives the path.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from maas.geo import distances_m

MODES = ("walk", "bike", "car")
WALK_NO = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "raceway", "bus_guideway"}
BIKE_NO = WALK_NO | {"steps", "corridor"}
BIKE_FOOT_ONLY = {"footway", "pedestrian"}  # bicycles only where tagged bicycle=yes/designated
CAR_YES = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
           "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service",
           "road"}
MAX_SNAP_M = 400.0
_LOCK = threading.Lock()


def _allowed(tags):
    """(walk, bike, car) access of a highway way from its tags."""
    hw = tags.get("highway")
    yes = ("yes", "designated", "permissive", "destination")
    walk = hw not in WALK_NO and tags.get("foot") not in ("no", "private") or tags.get("foot") in yes
    bike = (hw not in BIKE_NO and (hw not in BIKE_FOOT_ONLY or tags.get("bicycle") in yes)
            and tags.get("bicycle") not in ("no", "private", "dismount")) or tags.get("bicycle") in yes
    car = hw in CAR_YES and tags.get("motor_vehicle") not in ("no", "private") and \
        tags.get("access") not in ("no", "private") and tags.get("service") not in ("parking_aisle",)
    return walk, bike, car


def _oneway(tags, mode):
    if mode == "walk":
        return 0
    if mode == "bike" and tags.get("oneway:bicycle") == "no":
        return 0
    value = tags.get("oneway")
    if value in ("yes", "true", "1") or (value is None and tags.get("junction") == "roundabout"):
        return 1
    return -1 if value == "-1" else 0


@dataclass
class Path:
    coordinates: list          # [(lon, lat)] from the origin to the destination, connectors included
    distance_m: float          # along the path
    ways: list                 # per segment: index into StreetGraph.way_tags (None for a connector)


class StreetGraph:
    """The highway graph of one OSM extract; build with from_pbf (cached per file)."""

    def __init__(self, lat, lon, way_tags, edges):
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components
        from scipy.spatial import cKDTree

        self.lat, self.lon, self.way_tags = lat, lon, way_tags
        self.lat0 = float(np.mean(lat)) if len(lat) else 60.0
        self.kx = 111_320.0 * math.cos(math.radians(self.lat0))
        self.graphs, self.trees, self.edge_way = {}, {}, {}
        xy = np.column_stack([lon * self.kx, lat * 110_574.0])
        for mode in MODES:
            u, v, length, way = edges[mode]
            order = np.lexsort((length, v, u))
            u, v, length, way = u[order], v[order], length[order], way[order]
            keep = np.ones(len(u), bool)
            keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
            u, v, length, way = u[keep], v[keep], np.maximum(length[keep], 0.01), way[keep]
            graph = csr_matrix((length, (u, v)), shape=(len(lat), len(lat)))
            self.graphs[mode] = graph
            self.edge_way[mode] = {(int(a), int(b)): int(w) for a, b, w in zip(u, v, way)}
            _, labels = connected_components(graph, directed=True, connection="strong")
            used = np.zeros(len(lat), bool)
            used[u] = used[v] = True
            counts = np.bincount(labels[used]) if used.any() else np.array([0])
            nodes = np.flatnonzero(used & (labels == int(np.argmax(counts))))
            self.trees[mode] = (cKDTree(xy[nodes]) if len(nodes) else None, nodes)

    @classmethod
    def from_pbf(cls, path):
        return _graph_for(str(path))

    def snap(self, mode, lat, lon):
        """(node index, metres) of the nearest routable node of the mode, or None beyond MAX_SNAP_M."""
        tree, nodes = self.trees[mode]
        if tree is None:
            return None
        dist, i = tree.query([lon * self.kx, lat * 110_574.0])
        return None if dist > MAX_SNAP_M else (int(nodes[i]), float(dist))

    def nodes_near(self, mode, lat, lon, radius_m, k=64):
        """[(lat, lon, metres)] of routable nodes of the mode within radius_m, nearest first."""
        tree, nodes = self.trees[mode]
        if tree is None:
            return []
        dist, idx = tree.query([lon * self.kx, lat * 110_574.0], k=min(k, len(nodes)),
                               distance_upper_bound=radius_m)
        return [(float(self.lat[nodes[i]]), float(self.lon[nodes[i]]), float(d))
                for d, i in zip(np.atleast_1d(dist), np.atleast_1d(idx)) if np.isfinite(d)]

    def _without(self, mode, avoid, reverse=False):
        """The mode's graph without edges touching a node inside any of the `avoid` shapely geometries, its edges
        reversed when `reverse` (the last few such graphs kept: a provider's zones are the same for every ride)."""
        if not avoid and not reverse:
            return self.graphs[mode]
        key = (mode, tuple(g.wkb for g in avoid), reverse)
        cache = self.__dict__.setdefault("_without_cache", {})
        if key not in cache:
            if len(cache) >= 8:
                cache.clear()
            graph = self._build_without(mode, avoid) if avoid else self.graphs[mode]
            cache[key] = graph.T.tocsr() if reverse else graph
        return cache[key]

    def _build_without(self, mode, avoid):
        import shapely
        from scipy.sparse import csr_matrix

        blocked = np.zeros(len(self.lat), bool)
        for geometry in avoid:
            blocked |= shapely.contains_xy(geometry, self.lon, self.lat)
        graph = self.graphs[mode].tocoo()
        keep = ~(blocked[graph.row] | blocked[graph.col])
        return csr_matrix((graph.data[keep], (graph.row[keep], graph.col[keep])), shape=graph.shape)

    def tree(self, mode, point, max_m, avoid=(), reverse=False):
        """A Tree of shortest distances from (lat, lon) `point` within max_m (to it when `reverse`), or None
        when the point is off the mode's streets. `avoid` as in path()."""
        from scipy.sparse.csgraph import dijkstra

        snapped = self.snap(mode, *point)
        if snapped is None:
            return None
        graph = self._without(mode, avoid, reverse)
        dist, pred = dijkstra(graph, directed=True, indices=snapped[0], return_predecessors=True, limit=max_m)
        return Tree(self, mode, point, snapped, dist, pred, reverse)

    def path_of(self, mode, nodes, a, b, distance_m):
        """The Path along graph `nodes` from (lon, lat) a to b."""
        coords = [a] + [(float(self.lon[n]), float(self.lat[n])) for n in nodes] + [b]
        ways = [None] + [self.edge_way[mode][(nodes[i], nodes[i + 1])] for i in range(len(nodes) - 1)] + [None]
        return Path(coords, distance_m, ways)

    def path(self, mode, a, b, max_m=60_000.0, avoid=()):
        """Shortest Path from (lat, lon) a to b for mode ("walk", "bike", "car"), or None (no network/path).

        `avoid`: shapely geometries the path may not enter (e.g. GBFS no-ride-through zones)."""
        from scipy.sparse.csgraph import dijkstra

        sa, sb = self.snap(mode, *a), self.snap(mode, *b)
        if sa is None or sb is None:
            return None
        src, dst = sa[0], sb[0]
        if src == dst:
            nodes, along = [src], 0.0
        else:
            graph = self._without(mode, avoid) if avoid else self.graphs[mode]
            dist, pred = dijkstra(graph, directed=True, indices=src, return_predecessors=True, limit=max_m)
            if not np.isfinite(dist[dst]):
                return None
            nodes, node = [dst], dst
            while node != src:
                node = int(pred[node])
                nodes.append(node)
            nodes.reverse()
            along = float(dist[dst])
        return self.path_of(mode, nodes, (a[1], a[0]), (b[1], b[0]), along + sa[1] + sb[1])


class Tree:
    """Shortest distances from one point to every node of a mode's graph (or, `reverse`, from every node to
    it): metres to and paths to many points for one search (a ride to many stops, from many vehicles)."""

    def __init__(self, graph, mode, point, snapped, dist, pred, reverse):
        self.graph, self.mode, self.point, self.dist, self.pred, self.reverse = graph, mode, point, dist, pred, reverse
        self.node, self.snap_m = snapped

    def within(self, max_m):
        """This tree as if searched only within max_m (nodes farther are unreachable)."""
        dist = np.where(self.dist <= max_m, self.dist, np.inf)
        return Tree(self.graph, self.mode, self.point, (self.node, self.snap_m), dist, self.pred, self.reverse)

    def metres(self, lat, lon):
        """Street metres between the root and (lat, lon) (snapping included), or None when unreachable."""
        snapped = self.graph.snap(self.mode, lat, lon)
        if snapped is None or not np.isfinite(self.dist[snapped[0]]):
            return None
        return float(self.dist[snapped[0]]) + self.snap_m + snapped[1]

    def path(self, lat, lon):
        """The Path between the root and (lat, lon) in travel direction, or None when unreachable."""
        snapped = self.graph.snap(self.mode, lat, lon)
        if snapped is None or not np.isfinite(self.dist[snapped[0]]):
            return None
        nodes, node = [snapped[0]], snapped[0]
        while node != self.node:
            node = int(self.pred[node])
            nodes.append(node)
        ends = [(self.point[1], self.point[0]), (lon, lat)]
        if self.reverse:
            ends.reverse()
        else:
            nodes.reverse()
        return self.graph.path_of(self.mode, nodes, ends[0], ends[1],
                                  float(self.dist[snapped[0]]) + self.snap_m + snapped[1])


@lru_cache(maxsize=2)
def _graph_for(path):
    with _LOCK:
        return _build(path)


def _build(path):
    import osmium

    index, lat, lon, way_tags = {}, [], [], []
    parts = {m: ([], [], []) for m in MODES}  # u, v, way per mode (lengths computed after)
    for obj in osmium.FileProcessor(path).with_locations():
        if not obj.is_way() or "highway" not in obj.tags:
            continue
        tags = {k: obj.tags.get(k) for k in ("highway", "name", "name:fi", "name:sv", "foot", "bicycle",
                                              "motor_vehicle", "access", "service", "oneway", "oneway:bicycle",
                                              "junction") if obj.tags.get(k) is not None}
        access = _allowed(tags)
        if not any(access):
            continue
        ids = []
        for n in obj.nodes:
            if not n.location.valid():
                ids = []
                break
            if n.ref not in index:
                index[n.ref] = len(lat)
                lat.append(n.location.lat)
                lon.append(n.location.lon)
            ids.append(index[n.ref])
        if len(ids) < 2:
            continue
        way = len(way_tags)
        way_tags.append(tags)
        for mode, ok in zip(MODES, access):
            if not ok:
                continue
            u, v, w = parts[mode]
            direction = _oneway(tags, mode)
            for x, y in zip(ids[:-1], ids[1:]):
                if direction >= 0:
                    u.append(x), v.append(y), w.append(way)
                if direction <= 0:
                    u.append(y), v.append(x), w.append(way)
    lat, lon = np.array(lat), np.array(lon)
    edges = {}
    for mode, (u, v, w) in parts.items():
        u, v = np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)
        edges[mode] = (u, v, distances_m(lat[u], lon[u], lat[v], lon[v]), np.array(w, dtype=np.int64))
    return StreetGraph(lat, lon, way_tags, edges)
