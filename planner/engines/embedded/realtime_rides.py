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
(`late_changes`). Not covered: such a vehicle in the middle of a journey with further changes after it, and the
previous service day's trips running past midnight.
"""
from __future__ import annotations

import bisect

from maas.geo import distance_m
from planner.emissions import leg_co2_g

ADDED_HORIZON_S = 3600  # an ADDED trip boards as a first ride if it leaves within this long


class RideIndex:
    """The late and ADDED rides of one real-time table and service day, by the stop they can be boarded at."""

    def __init__(self, meta, table, day):
        suffix = f"|{day:%Y%m%d}"
        self.rides: list[tuple] = []  # (trip_id, stops, sched_arr, sched_dep, est_arr, est_dep, skipped, added)
        at: dict = {}
        for key, st in table.trips.items():
            if not key.endswith(suffix) or st.get("canceled") or not st.get("late_s"):
                continue
            trip_id = key[:-len(suffix)]
            if trip_id not in meta.trip_stops:
                continue
            stops, arr, dep = meta.trip_stops[trip_id]
            self._add(at, (trip_id, stops, arr.tolist(), dep.tolist(), st["arr"], st["dep"], set(st["skipped"]),
                           None))
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
        _, stops, _, sched_dep, _, est_dep, skipped, _ = ride
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
    trip_id, stops, sched_arr, sched_dep, est_arr, est_dep, _, added = ride
    info = {"delay_s": est_arr[k] - sched_arr[k], "start_delay_s": est_dep[i] - sched_dep[i],
            "realtime": est_arr is not sched_arr or added is not None,
            "scheduled": (sched_dep[i], sched_arr[k])}
    extra = {"offset": 0, "rt": info, "fixed": True, "added": added, "positions": (i, k)}
    return ("ride", trip_id, stops[i], est_dep[i], stops[k], est_arr[k], extra)


def _excluded(ride, excluded) -> bool:
    """A scheduled trip or a new ADDED trip ruled out; an extra vehicle is not the trip it doubles."""
    return ride[0] in excluded and (ride[7] is None or ride[7]["of"] is None)


NEXT_PER_PATTERN = 2  # a pattern real time touches: its next vehicles by estimated departure, as first rides
EARLY_S = 300  # how much earlier than scheduled a vehicle may leave (bounds the scan of a pattern's trips)


def pattern_boards(patterns, table, day, stop, reach: int, window: int, excluded, services):
    """(stop copies to leave out of the search, [(ride, i)]) at `stop` from `reach` on: each routing pattern whose
    vehicles around `reach` real time moves (late, early, cancelled, skipped) is boarded here as first rides of its
    next NEXT_PER_PATTERN vehicles by estimated departure, instead of by cafein on the schedule."""
    meta, unseeded, out = patterns.meta, [], []
    trips, states, suffix = meta.trips, table.trips, f"|{day:%Y%m%d}"
    for copy, rows in patterns.at(stop).items():
        cands, touched = [], False
        for sched, tid, i in rows[bisect.bisect_left(rows, (reach - window,)):]:
            if len(cands) >= NEXT_PER_PATTERN and sched - EARLY_S > cands[NEXT_PER_PATTERN - 1][0]:
                break
            if trips[tid]["service_id"] not in services:
                continue
            st = states.get(tid + suffix)
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
        rides = [(r, i) for r, i in index.boardable(stop, reach) if patterns is None or r[7] is not None]
        if patterns is not None:
            unseeded, moved = pattern_boards(patterns, table, day, stop, reach, index.window, excluded, services)
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
    departure, trip_id, position)]} by departure. Static: built once per network, on first use."""

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
                p = self.pattern[tid]
                for i in range(len(stops) - 1):
                    at.setdefault(stops[i], {}).setdefault(f"{stops[i]}{self.sep}{p}", []).append((int(dep[i]), tid, i))
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
