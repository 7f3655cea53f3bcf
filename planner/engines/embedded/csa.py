"""Exact earliest-arrival search honouring minimum transfer times (Connection Scan Algorithm).

cafein's RAPTOR allows 0-second same-stop changes and ignores transfers.txt. The embedded engine
works around that with a per-pattern split network (see planner.engines.embedded); this scan is its
last resort (no split network, or a trip overtaking another of its pattern) and the travel-time
matrix. It applies `FeedMeta.required_transfer_s` on every change and the same footpaths (one
walking hop between rides) that are installed into cafein.
"""
from __future__ import annotations

import bisect
from collections import OrderedDict
from datetime import date, timedelta

INF = float("inf")


PREVIOUS_DAY_LOOKBACK_S = 3 * 3600  # previous-day rows kept from this long before the day's start


def previous_day_trips(meta, day: date, shift: int, lookback_s=PREVIOUS_DAY_LOOKBACK_S):
    """Trips of the previous service day still running in `day`'s frame: [(trip_id, shift)].

    GTFS times past 24:00:00 (e.g. 25:10:00) belong to the service day they started on; in the next
    day's frame they are `time - shift`, shift = the seconds between the two days' "noon minus 12h"
    (86400, or 82800/90000 across a DST change).
    """
    services = meta.services_on(day - timedelta(days=1))
    return [(tid, shift) for tid, (_, arr, _) in meta.trip_stops.items()
            if meta.trips[tid]["service_id"] in services and int(arr[-1]) - shift >= -lookback_s]


class ConnectionTable:
    """Elementary connections of one service day, sorted by departure time.

    With `previous_shift`, the previous service day's trips that run past midnight are included,
    moved into this day's frame (their `offsets` entry is the shift; leg times are in this frame).
    """

    def __init__(self, meta, day: date, previous_shift: int | None = None):
        services = meta.services_on(day)
        trips = [(tid, 0) for tid in meta.trip_stops if meta.trips[tid]["service_id"] in services]
        if previous_shift:
            trips += previous_day_trips(meta, day, previous_shift)
        rows = []
        self.trip_ids, self.offsets = [], []
        for tid, shift in trips:
            stops, arr, dep = meta.trip_stops[tid]
            t = len(self.trip_ids)
            self.trip_ids.append(tid)
            self.offsets.append(shift)
            for i in range(len(stops) - 1):
                rows.append((int(dep[i]) - shift, int(arr[i + 1]) - shift, stops[i], stops[i + 1], t))
        rows.sort(key=lambda r: (r[0], r[1]))
        self.dep = [r[0] for r in rows]
        self.arr = [r[1] for r in rows]
        self.from_stop = [r[2] for r in rows]
        self.to_stop = [r[3] for r in rows]
        self.trip = [r[4] for r in rows]

    def __len__(self):
        return len(self.dep)


class ConnectionCache:
    """A few service days' connection tables, built on first use.

    `previous_shift(day)` -> seconds between the previous day's frame and this one (None: no
    previous-day trips)."""

    def __init__(self, meta, size=4, previous_shift=None):
        self.meta, self.size, self._tables = meta, size, OrderedDict()
        self.previous_shift = previous_shift

    def get(self, day: date) -> ConnectionTable:
        if day not in self._tables:
            shift = self.previous_shift(day) if self.previous_shift else None
            self._tables[day] = ConnectionTable(self.meta, day, shift)
            while len(self._tables) > self.size:
                self._tables.popitem(last=False)
        self._tables.move_to_end(day)
        return self._tables[day]


def footpath_index(meta):
    out: dict = {}
    for a, b, secs, meters in meta.footpaths:
        out.setdefault(a, []).append((b, int(secs), float(meters)))
    return out


def earliest_arrival(meta, table: ConnectionTable, footpaths: dict, *, t0: int, access: dict, egress: dict,
                     exclude_stops=frozenset(), exclude_trips=frozenset(), horizon_s=6 * 3600, max_rides=None):
    """Best journey from access stops {stop: walk_s} at t0 to egress stops {stop: walk_s}.

    Returns (arrival_s at the destination, legs) or (None, None). Legs are tuples:
    ("ride", trip_id, board_stop, board_s, alight_stop, alight_s, {"offset": shift}) and
    ("walk", from_stop, to_stop, start_s, end_s, meters) for transfers between stops.
    With max_rides, boardings beyond it are refused (a heuristic there: one label per stop).
    """
    cap = max_rides or 10**6
    ready, state, rides_at = {}, {}, {}
    for stop, walk in access.items():
        if stop not in exclude_stops:
            ready[stop] = t0 + walk
            state[stop] = None
            rides_at[stop] = 0
    best, best_state = INF, None
    for stop, walk in egress.items():  # origin and destination share a stop: no ride needed
        if stop in ready and ready[stop] + walk < best:
            best, best_state = ready[stop] + walk, state[stop]
    boarded = {}
    dep, arr, fs, ts, trip = table.dep, table.arr, table.from_stop, table.to_stop, table.trip
    limit = t0 + horizon_s
    excluded_trip_idx = {i for i, t in enumerate(table.trip_ids) if t in exclude_trips} if exclude_trips else ()
    for c in range(bisect.bisect_left(dep, t0), len(dep)):
        d = dep[c]
        if d >= best or d > limit:
            break
        t = trip[c]
        if t in excluded_trip_idx:
            continue
        if t not in boarded:
            s = fs[c]
            r = ready.get(s)
            if r is None or r > d or s in exclude_stops or rides_at[s] >= cap:
                continue
            boarded[t] = (state[s], s, d, rides_at[s] + 1)
        a, s2 = arr[c], ts[c]
        if s2 in exclude_stops:
            continue
        prev, board_stop, board_s, rides = boarded[t]
        ride_state = (prev, ("ride", table.trip_ids[t], board_stop, board_s, s2, a, {"offset": table.offsets[t]}))
        walk = egress.get(s2)
        if walk is not None and a + walk < best:
            best, best_state = a + walk, ride_state
        change = a + meta.required_transfer_s(s2, s2)
        if change < ready.get(s2, INF):
            ready[s2], state[s2], rides_at[s2] = change, ride_state, rides
        for s3, secs, meters in footpaths.get(s2, ()):
            if s3 in exclude_stops:
                continue
            when = a + secs
            walk_leg = ("walk", s2, s3, a, when, meters)
            if when < ready.get(s3, INF):
                ready[s3], state[s3], rides_at[s3] = when, (ride_state, walk_leg), rides
            w3 = egress.get(s3)
            if w3 is not None and when + w3 < best:
                best, best_state = when + w3, (ride_state, walk_leg)
    if best == INF:
        return None, None
    legs, node = [], best_state
    while node is not None:
        node, leg = node
        legs.append(leg)
    legs.reverse()
    return int(best), legs


def transfer_violations(meta, legs, footpaths: dict):
    """Changes in a journey (our leg tuples) shorter than the required minimum transfer time."""
    bad, last = [], None
    for leg in legs:
        if leg[0] != "ride":
            continue
        if last is not None:
            alight_stop, alight_s, board_stop, board_s = last[4], last[5], leg[2], leg[3]
            if alight_stop == board_stop:
                need = meta.required_transfer_s(alight_stop, alight_stop)
            else:
                need = next((secs for s3, secs, _ in footpaths.get(alight_stop, ()) if s3 == board_stop), None)
                if need is None:
                    need = meta.required_transfer_s(alight_stop, board_stop)
            if board_s - alight_s < need:
                bad.append({"stop": board_stop, "available_s": int(board_s - alight_s), "required_s": int(need)})
        last = leg
    return bad


def arrivals_within(meta, table: ConnectionTable, footpaths: dict, *, t0: int, access: dict, max_time_s: int,
                    exclude_stops=frozenset(), exclude_trips=frozenset()) -> dict:
    """Earliest arrival (s after t0) at every stop reachable within max_time_s: one scan, many targets."""
    ready, arrival = {}, {}
    for stop, walk in access.items():
        if stop not in exclude_stops and walk <= max_time_s:
            ready[stop] = t0 + walk
            arrival[stop] = t0 + walk
    boarded = set()
    dep, arr, fs, ts, trip = table.dep, table.arr, table.from_stop, table.to_stop, table.trip
    limit = t0 + max_time_s
    for c in range(bisect.bisect_left(dep, t0), len(dep)):
        d = dep[c]
        if d > limit:
            break
        t = trip[c]
        if t not in boarded:
            s = fs[c]
            r = ready.get(s)
            if r is None or r > d or s in exclude_stops or table.trip_ids[t] in exclude_trips:
                continue
            boarded.add(t)
        a, s2 = arr[c], ts[c]
        if a > limit or s2 in exclude_stops:
            continue
        if a < arrival.get(s2, INF):
            arrival[s2] = a
        change = a + meta.required_transfer_s(s2, s2)
        if change < ready.get(s2, INF):
            ready[s2] = change
        for s3, secs, _ in footpaths.get(s2, ()):
            when = a + secs
            if s3 not in exclude_stops and when <= limit:
                if when < ready.get(s3, INF):
                    ready[s3] = when
                if when < arrival.get(s3, INF):
                    arrival[s3] = when
    return {s: int(a - t0) for s, a in arrival.items()}
