"""Stop-to-stop footpaths (one walking hop between rides), shared by cafein's networks and the exact scan."""
from __future__ import annotations

import math

import numpy as np

from maas.geo import bbox_around, distances_m
from planner.engines.embedded.feedmeta import (
    CROSS_FEED_RADIUS_M,
    FOOTPATH_RADIUS_M,
    WALK_DETOUR,
    WALK_SPEED_MPS,
    FeedMeta,
)


def _near_pairs(lat, lon, radius_m, sources, targets):
    """[(i, j, metres)] for i in `sources`, j in `targets` (i != j) within radius_m, crow-fly. Grid bucketing keeps
    this O(n) for HSL-sized feeds."""
    if not len(sources) or not len(targets):
        return []
    box = bbox_around(float(lat.mean()), float(lon.mean()), radius_m)  # one cell ≥ radius_m each way
    cell_lat, cell_lon = box.max_lat - float(lat.mean()), box.max_lon - float(lon.mean())
    keys_lat, keys_lon = (lat // cell_lat).astype(int), (lon // cell_lon).astype(int)
    buckets: dict = {}
    for j in targets:
        buckets.setdefault((keys_lat[j], keys_lon[j]), []).append(j)
    out = []
    for i in sources:
        ki, kj = keys_lat[i], keys_lon[i]
        near = [j for di in (-1, 0, 1) for dj in (-1, 0, 1) for j in buckets.get((ki + di, kj + dj), ()) if j != i]
        if not near:
            continue
        near = np.array(near)
        dist = distances_m(lat[i], lon[i], lat[near], lon[near])
        out.extend((i, int(j), float(d)) for j, d in zip(near[dist <= radius_m], dist[dist <= radius_m]))
    return out


def compute_footpaths(meta: FeedMeta, radius_m=FOOTPATH_RADIUS_M, cross_feed_radius_m=CROSS_FEED_RADIUS_M):
    """Stop-to-stop walks within radius_m (crow-fly x detour), with transfers.txt minimums applied; between
    stops of different merged feeds within cross_feed_radius_m.

    One hop between rides. Seconds are max(walk, minimum change time): walking to another platform
    is never quicker than changing at the same one (and cafein, which gets these edges, agrees).
    """
    served = {s for stops, _, _ in meta.trip_stops.values() for s in stops}
    ids = [s for s in served if meta.stops[s]["lat"] is not None]
    if not ids:
        return []
    lat = np.array([meta.stops[s]["lat"] for s in ids])
    lon = np.array([meta.stops[s]["lon"] for s in ids])
    by_feed: dict = {}
    for k, s in enumerate(ids):
        by_feed.setdefault(meta.feed_of(s), []).append(k)
    pairs = []
    for feed, members in by_feed.items():
        pairs += _near_pairs(lat, lon, radius_m, members, members)
        others = [k for f, ks in by_feed.items() if f != feed for k in ks]
        pairs += _near_pairs(lat, lon, cross_feed_radius_m, members, others)
    out = []
    for i, j, d in pairs:
        meters = d * WALK_DETOUR
        walk_s = int(math.ceil(meters / WALK_SPEED_MPS))
        need = meta.pair_transfer_s.get((ids[i], ids[j]), meta.default_min_transfer_s)
        out.append((ids[i], ids[j], max(walk_s, need), meters))
    for (a, b), secs in meta.pair_transfer_s.items():
        if a in served and b in served and not any(f[0] == a and f[1] == b for f in out):
            out.append((a, b, secs, 0.0))
    return out
