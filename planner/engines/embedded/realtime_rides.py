"""Rides the scheduled search cannot board: a late vehicle whose scheduled time has passed (it still comes),
and ADDED trips (extra vehicles, trips the schedule does not have), taken as the first ride of a journey.

cafein searches the scheduled network, which never changes per update. These rides enter the same search as
extra access points: riding one from an access stop reaches its later stops at their estimated times, plus the
minimum change time; cafein continues from there in one multi-source search, and the journey found from such
a stop gets the ride prepended (`prepend`). A ride straight to the destination is a journey of its own
(`direct`). Per service day the rides are indexed by stop once per real-time document (`RideIndex`).
Not covered: boarding such a ride after a first one (a change onto a late vehicle), and the previous service day's
trips running past midnight.
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
    info = {"delay_s": est_arr[k] - sched_arr[k], "start_delay_s": est_dep[i] - sched_dep[i], "realtime": True,
            "scheduled": (sched_dep[i], sched_arr[k])}
    extra = {"offset": 0, "rt": info, "fixed": True, "added": added, "positions": (i, k)}
    return ("ride", trip_id, stops[i], est_dep[i], stops[k], est_arr[k], extra)


def _excluded(ride, excluded) -> bool:
    """A scheduled trip or a new ADDED trip ruled out; an extra vehicle is not the trip it doubles."""
    return ride[0] in excluded and (ride[7] is None or ride[7]["of"] is None)


def first_rides(index: RideIndex, t0: int, acc: dict, excluded, change_s) -> dict:
    """{stop: (seconds after t0 one can board there, the ride leg that gets one there)}: the earliest by a late
    or ADDED first ride, for stops where that beats walking there (`acc`)."""
    best: dict = {}
    for stop, (walk_s, _, _) in acc.items():
        for ride, i in index.boardable(stop, t0 + walk_s):
            if _excluded(ride, excluded):
                continue
            stops, est_arr, skipped = ride[1], ride[4], ride[6]
            for k in range(i + 1, len(stops)):
                if k in skipped:
                    continue
                ready = est_arr[k] + change_s(stops[k]) - t0
                if ready < best.get(stops[k], (float("inf"),))[0] and ready < acc.get(stops[k], (ready + 1,))[0]:
                    best[stops[k]] = (ready, leg(ride, i, k))
    return best


def direct(index: RideIndex, t0: int, acc: dict, egr: dict, excluded) -> list[tuple]:
    """Journeys of one late or ADDED ride from an access stop to an egress stop: the best per ride."""
    out = {}
    for stop, (walk_s, _, _) in acc.items():
        for ride, i in index.boardable(stop, t0 + walk_s):
            if _excluded(ride, excluded):
                continue
            stops, est_arr, skipped = ride[1], ride[4], ride[6]
            for k in range(i + 1, len(stops)):
                if stops[k] in egr and k not in skipped:
                    door = est_arr[k] + egr[stops[k]][0]
                    key = id(ride)
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
