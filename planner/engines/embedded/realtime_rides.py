"""First rides the scheduled search would get wrong, done on the real-time timetable: the vehicles real time
moves at the access stops (late ones whose scheduled time has passed, early, cancelled or skipped ones: per
routing pattern, its next vehicles by estimated departure), and ADDED trips (extra vehicles, new trips).

cafein searches the scheduled network, which never changes per update. These rides enter the same search as
extra access points: riding one from an access stop reaches its later stops at their estimated times, plus the
minimum change time, and the stop copies of the patterns they replace are left out of the access seeds; cafein
continues from there in one multi-source search, and the journey found from such a stop gets the ride prepended.
A ride straight to the destination is a journey of its own (`direct`). The first ride being exact, a delay of it
no longer breaks the change after it (no repair search). Indexes: per service day and real-time document the late
and ADDED rides by stop (`RideIndex`), per network the patterns' trips by stop (`PatternTimetable`).
A change onto a late or ADDED vehicle after a ride is found when that vehicle reaches the destination
(`late_changes`), or, with further changes after it, from the stops it reaches (`continuation_seeds`: one more
search seeded there, run only when that vehicle gets the rider to a stop of the journey's own way sooner: one that
only leads elsewhere is not searched from). The previous service day's late vehicles still running after midnight
are indexed in this day's frame (`RideIndex(shift=)`; their legs carry the shift as `offset`).
"""
from __future__ import annotations

import bisect
from datetime import timedelta

import numpy as np

from maas.geo import distance_m, distances_m
from planner.emissions import leg_co2_g

ADDED_HORIZON_S = 3600  # an ADDED trip boards as a first ride if it leaves within this long


class RideIndex:
    """The late and ADDED rides of one real-time table and service day, by the stop they can be boarded at."""

    def __init__(self, meta, table, day, shift=None):
        """`shift`: seconds from the previous service day's frame to `day`'s (None: leave that day's trips out)."""
        self.rides: list[tuple] = []  # (trip_id, stops, sched_arr, sched_dep, est_arr, est_dep, skipped, added
        at: dict = {}  # [, offset]: a previous day's trip, its times moved into this day's frame)
        self.states: dict = {}  # trip_id -> its real-time state on `day`
        for back, offset in ((0, 0),) + (((1, shift),) if shift else ()):
            suffix = f"|{day - timedelta(days=back):%Y%m%d}"
            for key, st in table.trips.items():
                if not key.endswith(suffix):
                    continue
                trip_id = key[:-len(suffix)]
                if not back:
                    self.states[trip_id] = st
                if st.get("canceled") or not st.get("late_s"):
                    continue
                if trip_id not in meta.trip_stops or (offset and st["arr"][-1] <= offset):
                    continue
                stops, arr, dep = meta.trip_stops[trip_id]
                times = [[v - offset for v in a] for a in (arr.tolist(), dep.tolist(), st["arr"], st["dep"])]
                self._add(at, (trip_id, stops, *times, set(st["skipped"]), None) + ((offset,) if offset else ()))
        for _, entry in table.added_on(day):
            if not all(s in meta.stops for s in entry["stops"]) or entry["route_id"] not in meta.routes:
                continue
            if entry["of"] and entry["of"] in meta.trip_stops:
                _, arr, dep = meta.trip_stops[entry["of"]]
                sched = arr.tolist(), dep.tolist()
            else:
                sched = entry["arr"], entry["dep"]
            self._add(at, (entry["trip_id"], tuple(entry["stops"]), *sched, entry["arr"], entry["dep"],
                           set(entry["skipped"]), entry), added=True)
        self.at = {stop: (sorted(late), sorted(added)) for stop, (late, added) in at.items()}
        self.window = max((est - sched for late, _ in self.at.values() for sched, est, _, _ in late), default=0)

    def _add(self, at, ride, added=False):
        """Index `ride` at each stop where it leaves later than scheduled (ADDED: at every stop), by the
        scheduled departure (ADDED: the estimated one)."""
        r = len(self.rides)
        self.rides.append(ride)
        _, stops, _, sched_dep, _, est_dep, skipped, _ = ride[:8]
        for i in range(len(stops) - 1):
            if i not in skipped and (added or est_dep[i] > sched_dep[i]):
                at.setdefault(stops[i], ([], []))[added].append((est_dep[i] if added else sched_dep[i], est_dep[i],
                                                                   r, i))

    def boardable(self, stop, reach: int):
        """[(ride, i)] at `stop` leaving at or after `reach` that the scheduled search cannot board there: late
        ones scheduled before `reach`, ADDED ones leaving within ADDED_HORIZON_S."""
        late, added = self.at.get(stop, ((), ()))
        out = [(self.rides[r], i) for sched, est, r, i in late[bisect.bisect_left(late, (reach - self.window,)):
                                                               bisect.bisect_left(late, (reach,))] if est >= reach]
        out += [(self.rides[r], i) for _, _, r, i in added[bisect.bisect_left(added, (reach,)):
                                                           bisect.bisect_left(added, (reach + ADDED_HORIZON_S,))]]
        return out


def leg(ride, i: int, k: int) -> tuple:
    """The ride from position i to k as a search leg, already in estimated times (`fixed`: not re-timed)."""
    trip_id, stops, sched_arr, sched_dep, est_arr, est_dep, _, added = ride[:8]
    info = {"delay_s": est_arr[k] - sched_arr[k], "start_delay_s": est_dep[i] - sched_dep[i],
            "realtime": est_arr is not sched_arr or added is not None,
            "scheduled": (sched_dep[i], sched_arr[k])}
    offset = ride[8] if len(ride) > 8 else 0  # a previous day's trip: its shift into this day's frame
    extra = {"offset": offset, "rt": info, "fixed": True, "added": added, "positions": (i, k)}
    return ("ride", trip_id, stops[i], est_dep[i], stops[k], est_arr[k], extra)


def _excluded(ride, excluded) -> bool:
    """A scheduled trip or a new ADDED trip ruled out; an extra vehicle is not the trip it doubles."""
    return ride[0] in excluded and (ride[7] is None or ride[7]["of"] is None)


NEXT_PER_PATTERN = 2  # a pattern real time touches: its next vehicles by estimated departure, as first rides
EARLY_S = 300  # how much earlier than scheduled a vehicle may leave (bounds the scan of a pattern's trips)


def pattern_boards(patterns, states: dict, stop, reach: int, window: int, excluded, services):
    """(stop copies to leave out of the search, [(ride, i)]) at `stop` from `reach` on: each routing pattern whose
    vehicles around `reach` real time moves (late, early, cancelled, skipped) is boarded here as first rides of its
    next NEXT_PER_PATTERN vehicles by estimated departure, instead of by cafein on the schedule."""
    meta, unseeded, out = patterns.meta, [], []
    for copy, rows in patterns.at(stop).items():
        cands, touched = [], False
        for sched, tid, i, service in rows[bisect.bisect_left(rows, (reach - window,)):]:
            if len(cands) >= NEXT_PER_PATTERN and sched - EARLY_S > cands[NEXT_PER_PATTERN - 1][0]:
                break
            if service not in services:
                continue
            st = states.get(tid)
            if st is None and tid not in excluded:
                est = sched
            elif tid in excluded or st.get("canceled") or i in st["skipped"]:
                touched |= sched >= reach
                continue
            else:
                est = st["dep"][i]
                touched |= est != sched and (est >= reach or sched >= reach)
            if est >= reach:
                cands.append((est, tid, i, st))
                cands.sort(key=lambda c: c[0])
        if not touched:
            continue
        unseeded.append(copy)
        for _, tid, i, st in cands[:NEXT_PER_PATTERN]:
            stops, arr, dep = meta.trip_stops[tid]
            sched = arr.tolist(), dep.tolist()
            est = (st["arr"], st["dep"]) if st is not None else sched
            out.append(((tid, stops, *sched, *est, set(st["skipped"]) if st else set(), None), i))
    return unseeded, out


class FirstRides:
    """What real time adds to one departure search: `reach` {stop: (s after t0 one can board there, the first
    ride that gets one there, from position, to position)}, `unseeded` stop copies cafein must not board, `boards`
    [(walk_s, ride, i)]."""

    def __init__(self):
        self.reach, self.unseeded, self.boards = {}, set(), []

    def leg_to(self, stop) -> tuple | None:
        """The first ride's leg that reaches `stop`, or None."""
        got = self.reach.get(stop)
        return leg(*got[1:]) if got is not None else None


def first_rides(index: RideIndex, patterns, table, day, t0: int, acc: dict, excluded, change_s) -> FirstRides:
    """The first rides real time changes from the access stops `acc`: ADDED trips, and per routing pattern the
    vehicles real time moves (`pattern_boards`; without a split network, late vehicles only), with the stops
    they reach where that beats walking there."""
    plan = FirstRides()
    services = patterns.services(day) if patterns is not None else None
    for stop, (walk_s, _, _) in acc.items():
        reach = t0 + walk_s
        rides = [(r, i) for r, i in index.boardable(stop, reach)  # pattern_boards: this day's late vehicles
                 if patterns is None or r[7] is not None or len(r) > 8]
        if patterns is not None:
            unseeded, moved = pattern_boards(patterns, index.states, stop, reach, index.window, excluded, services)
            plan.unseeded.update(unseeded)
            rides += moved
        for ride, i in rides:
            if _excluded(ride, excluded):
                continue
            plan.boards.append((walk_s, ride, i))
            stops, est_arr, skipped = ride[1], ride[4], ride[6]
            for k in range(i + 1, len(stops)):
                if k in skipped:
                    continue
                ready = est_arr[k] + change_s(stops[k]) - t0
                if ready < plan.reach.get(stops[k], (float("inf"),))[0] and ready < acc.get(stops[k], (ready + 1,))[0]:
                    plan.reach[stops[k]] = (ready, ride, i, k)
    return plan


def direct(plan: FirstRides, egr: dict) -> list[tuple]:
    """Journeys of one first ride of `plan` straight to an egress stop: the best per ride."""
    out = {}
    for walk_s, ride, i in plan.boards:
        stops, est_arr, skipped = ride[1], ride[4], ride[6]
        for k in range(i + 1, len(stops)):
            if stops[k] in egr and k not in skipped:
                door = est_arr[k] + egr[stops[k]][0]
                key = (id(ride), i)
                if door < out.get(key, (float("inf"),))[0]:
                    ride_leg = leg(ride, i, k)
                    out[key] = (door, 1, ride_leg[3] - walk_s, [ride_leg])
    return list(out.values())


def new_trip_leg(net, day, ride_leg, language) -> dict:
    """The itinerary leg of an ADDED trip the schedule does not have (its stops and times from real time)."""
    _, trip_id, board, board_s, alight, alight_s, extra = ride_leg
    added = extra["added"]
    i, k = extra["positions"]
    route = net.meta.routes[added["route_id"]]
    coords = [(net.meta.stops[s]["lat"], net.meta.stops[s]["lon"]) for s in added["stops"][i:k + 1]]
    distance = float(sum(distance_m(a[0], a[1], b[0], b[1]) for a, b in zip(coords, coords[1:])))
    zones = sorted({net.meta.stops[s]["zone"] for s in added["stops"][i:k + 1] if net.meta.stops[s]["zone"]})
    return {
        "mode": route["mode"], "transit": True, "route_id": added["route_id"], "route_short_name": route["short_name"],
        "route_color": route["color"], "trip_id": trip_id, "headsign": None,
        "from": net._point(board, language), "to": net._point(alight, language),
        "start_time": net.iso(day, board_s), "end_time": net.iso(day, alight_s), "duration_s": int(alight_s - board_s),
        "distance_m": int(round(distance)),
        "geometry": {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in coords]},
        "co2_g": leg_co2_g(route["mode"], distance), "crow_fly": False, "booking": None, "zones": zones or None,
    }


class PatternTimetable:
    """The scheduled trips of each routing pattern (the split network's stop copies) at a stop: {copy: [(scheduled
    departure, trip_id, position, service_id)]} by departure. Static: built once per network, on first use."""

    def __init__(self, meta):
        from planner.engines.embedded.split import COPY_SEP, fifo_patterns

        self.meta, self.sep = meta, COPY_SEP
        self.pattern = fifo_patterns(meta.trip_stops)
        self._at = None
        self._services: dict = {}
        self.valid = all(f"{stops[0]}{COPY_SEP}{self.pattern[t]}" in meta.copies.get(stops[0], ())
                         for t, (stops, _, _) in list(meta.trip_stops.items())[:200]) if meta.copies else False

    def services(self, day):
        if day not in self._services:
            self._services = {day: self.meta.services_on(day)}
        return self._services[day]

    def at(self, stop) -> dict:
        if self._at is None:  # all stops at once, on first use
            at: dict = {}
            for tid, (stops, _, dep) in self.meta.trip_stops.items():
                p, service = self.pattern[tid], self.meta.trips[tid]["service_id"]
                for i in range(len(stops) - 1):
                    at.setdefault(stops[i], {}).setdefault(f"{stops[i]}{self.sep}{p}", []).append(
                        (int(dep[i]), tid, i, service))
            for copies in at.values():
                for rows in copies.values():
                    rows.sort()
            self._at = at
        return self._at.get(stop, {})


def late_changes(index: RideIndex, journey: tuple, egr: dict, change_s, excluded) -> list[tuple]:
    """Journeys that change from one of `journey`'s rides to a late or ADDED vehicle at its alighting stop (one the
    schedule says has left, still to come by real time) and ride it to an egress stop, when that arrives earlier."""
    door_arrival, _, door_departure, legs = journey
    out = []
    for n, ride_leg in enumerate(legs[:-1]):
        if ride_leg[0] != "ride":
            continue
        stop, ready = ride_leg[4], ride_leg[5] + change_s(ride_leg[4])
        rides = sum(1 for x in legs[:n + 1] if x[0] == "ride") + 1
        for ride, i in index.boardable(stop, ready):
            if _excluded(ride, excluded):
                continue
            stops, est_arr, skipped = ride[1], ride[4], ride[6]
            best = min(((est_arr[k] + egr[stops[k]][0], k) for k in range(i + 1, len(stops))
                        if stops[k] in egr and k not in skipped), default=None)
            if best is not None and best[0] < door_arrival:
                out.append((best[0], rides, door_departure, [*legs[:n + 1], leg(ride, i, best[1])]))
    return out


MIN_HOP_S = 60  # top_speed_mps: hops at least this long (minute-rounded schedules have 0 s hops)


def top_speed_mps(meta) -> float:
    """The fastest scheduled hop between consecutive stops (crow-fly metres per second) of at least MIN_HOP_S, and
    never under walking: a bound on how fast any journey can get closer to its destination."""
    from planner.engines.embedded.feedmeta import WALK_SPEED_MPS

    fastest: dict = {}
    for stops, arr, dep in meta.trip_stops.values():
        times = (arr[1:] - dep[:-1]).tolist()
        for i, t in enumerate(times):
            pair = (stops[i], stops[i + 1])
            if t >= MIN_HOP_S and t < fastest.get(pair, 1 << 30):
                fastest[pair] = t
    if not fastest:
        return WALK_SPEED_MPS
    pairs = list(fastest)
    a = np.array([(meta.stops[x]["lat"], meta.stops[x]["lon"], meta.stops[y]["lat"], meta.stops[y]["lon"])
                  for x, y in pairs])
    speeds = distances_m(a[:, 0], a[:, 1], a[:, 2], a[:, 3]) / np.array([fastest[p] for p in pairs])
    return max(float(speeds.max()), WALK_SPEED_MPS)


def continuation_seeds(index: RideIndex, journeys: list, change_s, excluded, t0: int, to_go) -> dict:
    """{stop: (s after t0 one can go on from there, the legs before, ride, from position, to position, door
    departure)}: from each ride of `journeys` (in estimated times) a change onto a late or ADDED vehicle the schedule
    says has left, and the stops it reaches from where the destination may be reached before the best of
    `journeys` arrives (`to_go(stop)`: a lower bound of the time from there): seeds of one more search. Empty unless
    such a vehicle gets the rider to a stop of that journey's own way on sooner than the journey does (a late vehicle
    that only leads elsewhere is not searched from)."""
    best = min((g[0] for g in journeys), default=None)
    reach: dict = {}
    overtakes = False
    for door_arrival, _, door_departure, legs in journeys:
        for n, ride_leg in enumerate(legs[:-1]):
            if ride_leg[0] != "ride":
                continue
            stop = ride_leg[4]
            ahead = None
            for ride, i in index.boardable(stop, ride_leg[5] + change_s(stop)):
                if _excluded(ride, excluded):
                    continue
                ahead = _ready_at(legs[n + 1:], change_s) if ahead is None else ahead
                stops, est_arr, skipped = ride[1], ride[4], ride[6]
                for k in range(i + 1, len(stops)):
                    ready = est_arr[k] + change_s(stops[k])
                    if (k not in skipped and ready < best and ready - t0 < reach.get(stops[k], (float("inf"),))[0]
                            and ready + to_go(stops[k]) < best):
                        reach[stops[k]] = (ready - t0, legs[:n + 1], ride, i, k, door_departure)
                        overtakes |= ready < ahead.get(stops[k], -1)
    return reach if overtakes else {}


def _ready_at(legs, change_s) -> dict:
    """{stop: when the rider of `legs` is ready to go on from there} for the stops those legs pass."""
    out = {}
    for x in legs:
        if x[0] == "ride":
            out.setdefault(x[2], x[3])
            out.setdefault(x[4], x[5] + change_s(x[4]))
        else:
            out.setdefault(x[2], x[4])
    return out
