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
    feed = np.array([meta.feed_of(s) or "" for s in ids])
    reach = max(radius_m, cross_feed_radius_m) if len(set(feed)) > 1 else radius_m
    # Grid bucketing keeps this O(n) for HSL-sized feeds.
    box = bbox_around(float(lat.mean()), float(lon.mean()), reach)  # one cell ≥ reach each way
    cell_lat, cell_lon = box.max_lat - float(lat.mean()), box.max_lon - float(lon.mean())
    keys = list(zip((lat // cell_lat).astype(int), (lon // cell_lon).astype(int)))
    buckets: dict = {}
    for i, k in enumerate(keys):
        buckets.setdefault(k, []).append(i)
    out = []
    for i, (ki, kj) in enumerate(keys):
        near = [j for di in (-1, 0, 1) for dj in (-1, 0, 1) for j in buckets.get((ki + di, kj + dj), ()) if j != i]
        if not near:
            continue
        near = np.array(near)
        dist = distances_m(lat[i], lon[i], lat[near], lon[near])
        within = dist <= np.where(feed[near] == feed[i], radius_m, reach)
        for j, d in zip(near[within], dist[within]):
            meters = float(d) * WALK_DETOUR
            walk_s = int(math.ceil(meters / WALK_SPEED_MPS))
            need = meta.pair_transfer_s.get((ids[i], ids[j]), meta.default_min_transfer_s)
            out.append((ids[i], ids[j], max(walk_s, need), meters))
    for (a, b), secs in meta.pair_transfer_s.items():
        if a in served and b in served and not any(f[0] == a and f[1] == b for f in out):
            out.append((a, b, secs, 0.0))
    return out
