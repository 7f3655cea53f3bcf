"""A plain Dijkstra on a time-expanded graph: the brute-force reference and the bench baseline.

Same model as the embedded engine: boarding at the origin needs no change time, a change at the same
stop needs `FeedMeta.required_transfer_s`, one footpath hop (its installed seconds) between rides or
from the last stop to the destination. Built to be obviously right, not fast.
"""
from __future__ import annotations

import bisect
import heapq
from datetime import date


class TimeExpandedGraph:
    """Nodes: per trip stop-time an arrival and a departure node, per stop a chain of wait nodes."""

    def __init__(self, meta, day: date, footpaths: dict, exclude_stops=frozenset(), exclude_trips=frozenset(),
                 previous_shift: int | None = None):
        """previous_shift: also the previous service day's trips (GTFS times past 24:00), moved into this
        day's frame by that many seconds (see planner.engines.embedded.csa.previous_day_trips)."""
        from planner.engines.embedded.csa import previous_day_trips

        self.meta = meta
        services = meta.services_on(day)
        trips = [(tid, 0) for tid in meta.trip_stops if meta.trips[tid]["service_id"] in services]
        if previous_shift:
            trips += previous_day_trips(meta, day, previous_shift)
        self.adj: list[list[tuple[int, int]]] = []
        self.node_time: list[int] = []
        self.node_stop: list[str] = []
        self.node_is_arrival: list[bool] = []
        waits: dict[str, dict[int, int]] = {}

        def node(stop, t, is_arrival=False):
            self.adj.append([])
            self.node_time.append(t)
            self.node_stop.append(stop)
            self.node_is_arrival.append(is_arrival)
            return len(self.adj) - 1

        def wait(stop, t):
            chain = waits.setdefault(stop, {})
            if t not in chain:
                chain[t] = node(stop, t)
            return chain[t]

        for tid, shift in trips:
            if tid in exclude_trips:
                continue
            stops, arr, dep = meta.trip_stops[tid]
            arr, dep = [int(x) - shift for x in arr], [int(x) - shift for x in dep]
            prev_dep = None
            for i, stop in enumerate(stops):
                a_node = node(stop, int(arr[i]), True) if i > 0 else None
                d_node = node(stop, int(dep[i])) if i < len(stops) - 1 else None
                if prev_dep is not None:
                    self.adj[prev_dep].append((a_node, int(arr[i]) - self.node_time[prev_dep], 0))
                if a_node is not None and d_node is not None:
                    self.adj[a_node].append((d_node, int(dep[i]) - int(arr[i]), 0))
                if stop in exclude_stops:
                    prev_dep = d_node
                    continue
                if d_node is not None:
                    self.adj[wait(stop, int(dep[i]))].append((d_node, 0, 1))  # boarding: one more ride
                if a_node is not None:
                    change = int(arr[i]) + meta.required_transfer_s(stop, stop)
                    self.adj[a_node].append((wait(stop, change), change - int(arr[i]), 0))
                    for s3, secs, _ in footpaths.get(stop, ()):
                        if s3 not in exclude_stops:
                            self.adj[a_node].append((wait(s3, int(arr[i]) + secs), secs, 0))
                prev_dep = d_node
        self.waits = {}
        for stop, chain in waits.items():
            times = sorted(chain)
            for t1, t2 in zip(times, times[1:]):
                self.adj[chain[t1]].append((chain[t2], t2 - t1, 0))
            self.waits[stop] = (times, [chain[t] for t in times])
        self.footpaths = footpaths
        self.exclude_stops = exclude_stops

    def earliest_arrival(self, *, t0: int, access: dict, egress: dict, max_rides: int | None = None):
        """Earliest arrival time (s) at any egress stop (+ its walk) with at most max_rides rides, or None.

        Labels are (time, rides); a node settled earlier with no more rides dominates.
        """
        cap = max_rides if max_rides is not None else 10**6
        fewest: dict[int, int] = {}
        heap = []
        best = None
        for stop, walk in access.items():
            if stop in self.exclude_stops:
                continue
            if stop in egress:
                best = min(best or 10**9, t0 + walk + egress[stop])
            times, nodes = self.waits.get(stop, ((), ()))
            k = bisect.bisect_left(times, t0 + walk)
            if k < len(times):
                heapq.heappush(heap, (times[k], 0, nodes[k]))
        while heap:
            t, rides, n = heapq.heappop(heap)
            if best is not None and t >= best:
                break
            if rides >= fewest.get(n, cap + 1):
                continue
            fewest[n] = rides
            if self.node_is_arrival[n]:
                stop = self.node_stop[n]
                if stop in egress and stop not in self.exclude_stops:
                    best = min(best or 10**9, t + egress[stop])
                if stop not in self.exclude_stops:
                    for s3, secs, _ in self.footpaths.get(stop, ()):
                        if s3 in egress and s3 not in self.exclude_stops:
                            best = min(best or 10**9, t + secs + egress[s3])
            for m, w, board in self.adj[n]:
                r = rides + board
                if r <= cap and r < fewest.get(m, cap + 1):
                    heapq.heappush(heap, (t + w, r, m))
        return best
