"""The default routing engine: cafein's Rust RAPTOR core, with our layer over its known gaps.

- Minimum transfer times: cafein allows 0-second same-stop changes and ignores transfers.txt. Each
  feed version gets two cafein networks: the plain one (fast; its answers are lower bounds) and one
  where every stop is split into per-pattern copies joined by footpaths that carry the minimum change
  time (transfers.txt min_transfer_time, else 2 min), so cafein itself respects it. Every journey is
  checked (`embedded_csa.transfer_violations`); the plain answer is used when it is feasible and meets
  the bound, else the split network searches, and the exact Python Connection Scan is the last resort
  (overtaking within a pattern). Travel-time matrices use that scan directly.
- Footpaths: ours (crow-fly x detour within 400 m, never quicker than a same-stop change) are
  installed into cafein, so every search walks the same edges.
- Coordinates: with a street network (built with OSM) cafein gives street walking times to stops;
  without one, or off its snap distance, we walk crow-fly to the nearest stops (`crow_fly: true`).
- Past midnight: the previous service day's trips (GTFS times > 24:00:00) serve early departures.
  cafein includes them shifted by a fixed 24 h; on DST days (23 h / 25 h between the two days'
  "noon minus 12 h") the exact scan answers instead, its table holding them at their true times.
- Arrive-by: the latest door departure whose earliest arrival is <= the deadline, found by binary
  search over departure searches within ARRIVE_WINDOW_S; its journeys that arrive in time.
- Alternatives: "next departures" - after the best journey, search again from just after it left the
  door, until num_itineraries remain once dominated journeys and rides away and back are dropped
  (`embedded_alts`); arrive-by answers go through the same filter.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from datetime import timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from planner.emissions import leg_co2_g
from planner.engines.base import EngineUnavailable, PlanRequest, RoutingEngine
from planner.engines.embedded_alts import dominated, revisits
from planner.engines.embedded_build import physical, split_path
from planner.engines.embedded_csa import (
    ConnectionCache,
    arrivals_within,
    earliest_arrival,
    footpath_index,
    transfer_violations,
)
from planner.engines.embedded_gtfs import WALK_DETOUR, WALK_SPEED_MPS, FeedMeta, haversine_m

logging.getLogger("cafein").setLevel(logging.WARNING)  # its per-query INFO lines would flood our logs

ORIGIN_LABEL = {"fi": "Lähtöpaikka", "sv": "Startpunkt", "en": "Origin"}
DESTINATION_LABEL = {"fi": "Määränpää", "sv": "Destination", "en": "Destination"}
MAX_ACCESS_STOPS = 6
CAFEIN_ORIGINS = 4
DETAILED_PAIRS = 3
ARRIVE_WINDOW_S = 3 * 3600  # arrive-by: the latest departure is searched this long before the deadline
MAX_RIDES = 5  # vehicles per journey (4 changes): bounds every search, cafein's and ours
FEED_RECHECK_S = 2.0  # how stale the "which feed version is active" answer may be
ALTERNATIVES_WINDOW_S = 2 * 3600  # next-departure searches for alternatives start at most this late


def _line(coords):
    return {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in coords]}


def _wkb_geojson(wkb):
    if not wkb:
        return None
    import shapely
    from shapely.geometry import mapping

    geom = mapping(shapely.from_wkb(bytes(wkb)))
    return {"type": geom["type"], "coordinates": [[round(x, 6), round(y, 6)] for x, y in geom["coordinates"]]}


class EmbeddedNetwork:
    """One loaded feed version: cafein network + side-car, answering plans and matrices."""

    def __init__(self, net, meta: FeedMeta, label="", split=None):
        self.net, self.meta, self.label, self.split_net = net, meta, label, split
        self.footpaths = footpath_index(meta)
        self.tz = ZoneInfo(meta.timezone)
        self.connections = ConnectionCache(meta, previous_shift=self.previous_shift)
        # service_id -> its latest departure (s): which previous-day trips still run after midnight
        self._service_last_dep: dict = {}
        self._overnight: dict = {}  # day -> overnight_until(day)
        for tid, (_, _, dep) in meta.trip_stops.items():
            sid = meta.trips[tid]["service_id"]
            self._service_last_dep[sid] = max(self._service_last_dep.get(sid, -1), int(dep[:-1].max()))
        self.stats = {"plans": 0, "split_searches": 0, "exact_fallbacks": 0, "rejected_journeys": 0}
        wheel_stops = frozenset(s for s, v in meta.stops.items() if v["wheelchair"] == 2)
        wheel_trips = frozenset(t for t, v in meta.trips.items() if v["wheelchair"] == 2)
        self._exclusions = {False: (frozenset(), frozenset()), True: (wheel_stops, wheel_trips)}
        self.max_rides = MAX_RIDES
        patterns: dict = {}
        self.stop_patterns: dict = {}  # stop -> the stop patterns (line + direction) serving it
        for stops, _, _ in meta.trip_stops.values():
            p = patterns.setdefault(stops, len(patterns))
            for stop in stops:
                self.stop_patterns.setdefault(stop, set()).add(p)
        self._cafein_kw = {False: {"max_rides": MAX_RIDES},
                           True: {"exclude_stops": list(wheel_stops), "exclude_trips": list(wheel_trips),
                                  "max_rides": MAX_RIDES}}
        # The split network routes on per-pattern copies of each stop (embedded_build.write_split_feed).
        self.copies = meta.copies or {s: [s] for s in meta.stops}
        wheel_copies = [c for s in wheel_stops for c in self.copies.get(s, ())]
        self._split_kw = {False: {"max_rides": MAX_RIDES},
                          True: {"exclude_stops": wheel_copies, "exclude_trips": list(wheel_trips),
                                 "max_rides": MAX_RIDES}}

    @classmethod
    def load(cls, network_path, meta_path) -> "EmbeddedNetwork":
        import cafein

        cafein.disable_logging()
        split = split_path(network_path)
        return cls(cafein.TransportNetwork.load(str(network_path)), FeedMeta.load(meta_path),
                   label=Path(network_path).name,
                   split=cafein.TransportNetwork.load(str(split)) if split.exists() else None)

    # --- time ----------------------------------------------------------------------------
    # GTFS service-day times count from "noon minus 12 h" (midnight, except on DST days); all
    # arithmetic is in UTC, since aware datetimes sharing a tzinfo subtract as wall-clock times.
    def day_base(self, day: date) -> datetime:
        """The instant (UTC) service day `day`'s times count from: local noon minus 12 h."""
        return datetime.combine(day, dtime(12), tzinfo=self.tz).astimezone(dt_timezone.utc) - timedelta(hours=12)

    def split(self, when: datetime) -> tuple[date, int]:
        local = when.astimezone(self.tz) if when.tzinfo else when.replace(tzinfo=self.tz)
        day = local.date()
        return day, int((local.astimezone(dt_timezone.utc) - self.day_base(day)).total_seconds())

    def iso(self, day: date, secs: int) -> str:
        return (self.day_base(day) + timedelta(seconds=int(secs))).astimezone(self.tz).isoformat()

    def previous_shift(self, day: date) -> int:
        """Seconds from the previous service day's frame to `day`'s (86400; 82800/90000 on DST days)."""
        return int((self.day_base(day) - self.day_base(day - timedelta(days=1))).total_seconds())

    def overnight_until(self, day: date) -> int:
        """The last departure (s, `day`'s frame) of a previous-day trip running past midnight, or -1."""
        if day not in self._overnight:
            if len(self._overnight) > 64:
                self._overnight.clear()
            last = max((self._service_last_dep.get(s, -1) for s in self.meta.services_on(day - timedelta(days=1))),
                       default=-1)
            self._overnight[day] = last - self.previous_shift(day) if last >= 0 else -1
        return self._overnight[day]

    @staticmethod
    def _when(day: date, secs: int) -> str:
        """cafein's time argument: the service date and a GTFS time, which may exceed 24:00:00."""
        secs = int(secs)
        return f"{day.isoformat()} {secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"

    def coverage(self) -> dict:
        lat0, lon0, lat1, lon1 = self.meta.bbox()
        return {"bbox": (lat0, lon0, lat1, lon1), "service_start": self.meta.service_start,
                "service_end": self.meta.service_end, "has_service": self.meta.has_service}

    # --- access / egress -----------------------------------------------------------------
    def access(self, lat, lon, max_walk_m, excluded=frozenset(), stop_id=None) -> dict:
        """{stop_id: (walk_s, metres, crow_fly)} for the stops one may walk to (or just `stop_id`)."""
        if stop_id:
            return {} if stop_id in excluded else {stop_id: (0, 0.0, False)}
        out = {}
        if self.meta.has_streets:
            try:
                times = self.net.access_stops(lat, lon, walking_speed_kmph=WALK_SPEED_MPS * 3.6,
                                              max_walking_time=timedelta(seconds=max_walk_m / WALK_SPEED_MPS))
                for copy, t in times.items():
                    s = physical(copy)
                    if s not in excluded and s in self.copies and t < out.get(s, (1e12,))[0]:
                        out[s] = (int(t), t * WALK_SPEED_MPS, False)
            except ValueError:
                out = {}  # off the street network's snap distance: crow-fly below
        if not out:
            for s, d in self.meta.stops_near(lat, lon, max_walk_m / WALK_DETOUR, limit=MAX_ACCESS_STOPS * 5,
                                             exclude=excluded):
                out[s] = (int(d * WALK_DETOUR / WALK_SPEED_MPS + 0.5), d * WALK_DETOUR, True)
        # Nearest first, but a stop only counts if it adds a pattern (line and direction) the nearer
        # ones do not serve: ten stops of one tram line must not crowd out the metro behind them.
        chosen, covered = {}, set()
        for s, value in sorted(out.items(), key=lambda kv: kv[1][0]):
            routes = self.stop_patterns.get(s, set())
            if routes - covered:
                chosen[s] = value
                covered |= routes
            if len(chosen) >= MAX_ACCESS_STOPS:
                break
        return chosen

    # --- planning ------------------------------------------------------------------------
    def plan(self, req: PlanRequest) -> list[dict]:
        """Transit itineraries for one request, best first (empty when none)."""
        self.stats["plans"] += 1
        day, secs = self.split(req.departure or req.arrival)
        ex_stops, ex_trips = self._exclusions[bool(req.wheelchair)]
        acc = self.access(*req.origin, req.max_walk_m, ex_stops, req.origin_stop_id)
        egr = self.access(*req.destination, req.max_walk_m, ex_stops, req.destination_stop_id)
        if not acc or not egr:
            return []
        if req.departure is not None:
            found = self._next_departures(day, secs, acc, egr, ex_stops, ex_trips, bool(req.wheelchair),
                                          req.num_itineraries)
            found.sort(key=lambda f: (f[0], f[1]))
        else:
            found = self._alternatives(
                self._arrive(day, secs, acc, egr, ex_stops, ex_trips, bool(req.wheelchair)))
            found.sort(key=lambda f: (-f[2], f[1], f[0]))
        return [self.itinerary(req, day, legs, acc, egr) for _, _, _, legs in found[:req.num_itineraries]]

    def _next_departures(self, day, t0, acc, egr, ex_stops, ex_trips, wheelchair, want):
        """Journeys for a departure at t0 and, while fewer than `want` worth showing, for departures just
        after the previous search's best journey left the door ("next departures"), filtered."""
        found = self._depart(day, t0, acc, egr, ex_stops, ex_trips, wheelchair)
        t, latest = t0, found
        for _ in range(2 * want):
            kept = self._alternatives(found)
            if len(kept) >= want or not latest:
                return kept
            best = min(latest, key=lambda f: (f[0], f[1]))
            t = max(t + 1, best[2] + 1)
            if t > t0 + ALTERNATIVES_WINDOW_S:
                break
            latest = self._depart(day, t, acc, egr, ex_stops, ex_trips, wheelchair)
            found = found + latest
        return self._alternatives(found)

    def _alternatives(self, found):
        """`found` ([(door_arrival, rides, door_departure, legs)]) as itineraries worth showing: one per
        sequence of trips, none dominated by another, no ride away and back unless it is the quickest."""
        unique, seen = [], set()
        for f in sorted(found, key=lambda f: (f[0], f[1], -f[2])):
            key = tuple(leg[1] for leg in f[3] if leg[0] == "ride")  # one itinerary per sequence of trips
            if key not in seen:
                seen.add(key)
                unique.append(f)
        # A ride away and back stays only while it is strictly the quickest (no straight journey
        # arrives as early): then it is the earliest arrival, not a detour.
        loops = [revisits(self._stations(f[3])) for f in unique]
        first_straight = min((f[0] for f, loop in zip(unique, loops) if not loop), default=float("inf"))
        straight = [f for f, loop in zip(unique, loops) if not loop or f[0] < first_straight]
        drop = dominated([(f[2], f[0], f[1]) for f in straight])
        return [f for k, f in enumerate(straight) if k not in drop]

    def _stations(self, legs) -> list[list[frozenset]]:
        """Per ride, the stations it passes (board to alight), each as its keys: stop id and name."""
        out = []
        for leg in legs:
            if leg[0] != "ride":
                continue
            _, trip_id, board, board_s, alight, alight_s, extra = leg
            stops, arr, dep = self.meta.trip_stops[trip_id]
            offset = (extra or {}).get("offset") or 0
            i = next((k for k in range(len(stops)) if stops[k] == board and int(dep[k]) - offset == int(board_s)),
                     None)
            i = stops.index(board) if i is None else i
            j = next((k for k in range(i + 1, len(stops)) if stops[k] == alight), len(stops) - 1)
            out.append([frozenset({("id", s), ("name", self.meta.stops[s]["name"].casefold())})
                        for s in stops[i:j + 1]])
        return out

    def _trip_offset(self, trip_id, stop, board_s) -> int:
        """0 for a trip of the queried service day; 86400 for a previous-day trip cafein moved past
        midnight (cafein shifts them by a fixed 24 h; DST days are answered by the exact scan)."""
        stops, _, dep = self.meta.trip_stops[trip_id]
        same_day = any(s == stop and int(d) == int(board_s) for s, d in zip(stops, dep))
        return 0 if same_day else 86400

    def _cafein_legs(self, journey) -> list[tuple]:
        legs = []
        for leg in journey["legs"]:
            if leg["type"] == "transit":
                board = physical(leg["board_stop"])
                legs.append(("ride", leg["trip_id"], board, leg["departure_s"],
                             physical(leg["alight_stop"]), leg["arrival_s"],
                             {"distance_m": leg.get("distance_m"), "geometry": leg.get("geometry"),
                              "offset": self._trip_offset(leg["trip_id"], board, leg["departure_s"])}))
            elif leg["type"] == "transfer" and physical(leg["from_stop"]) != physical(leg["to_stop"]):
                legs.append(("walk", physical(leg["from_stop"]), physical(leg["to_stop"]), leg["departure_s"],
                             leg["arrival_s"], leg.get("distance_m") or 0.0, leg.get("geometry")))
        return legs

    @staticmethod
    def _end(legs):
        last = legs[-1]
        return (last[4], last[5]) if last[0] == "ride" else (last[2], last[4])

    def _feasible(self, legs):
        if not any(leg[0] == "ride" for leg in legs):
            return False
        bad = transfer_violations(self.meta, legs, self.footpaths)
        if bad:
            self.stats["rejected_journeys"] += 1
        return not bad

    def _journeys(self, net, co, cd, kw, **when):
        """Feasible journeys (our leg tuples) between two network stops, with their ride counts."""
        out = []
        for journey in net.route_between_stops(co, cd, **when, **kw):
            legs = self._cafein_legs(journey)
            if legs and self._feasible(legs):
                out.append((sum(1 for leg in legs if leg[0] == "ride"), legs))
        return out

    def _depart(self, day, t0, acc, egr, ex_stops, ex_trips, wheelchair):
        """[(door_arrival_s, rides, door_departure_s, legs)] for a departure at t0.

        1. The plain network: one-to-all from the best origin stops gives, per (origin, destination)
           stop pair, a lower bound on the arrival (cafein allows 0 s changes); the best pairs are
           detailed and checked. If the best checked journey meets the lowest bound it is optimal.
        2. Otherwise the split network (exact minimum change times) searches the origins whose bound
           is still below the best feasible arrival. 3. If that is not conclusive (no split network,
           or overtaking within a pattern), the exact Python scan decides.
        """
        if t0 < 0 or (t0 <= self.overnight_until(day) and self.previous_shift(day) != 86400):
            # Before the day's start, or previous-day trips still running on a DST day (cafein moves
            # them by a fixed 24 h): the exact scan, whose table holds them at their true times.
            return self._exact(day, t0, acc, egr, ex_stops, ex_trips, [])
        kw = self._cafein_kw[wheelchair]
        bounds = {}  # (o, d) -> lower bound on the door arrival
        origins = sorted(acc.items(), key=lambda kv: kv[1][0])[:CAFEIN_ORIGINS]
        for o, (a_s, _, _) in origins:
            times = self.net.travel_times_from_stop(o, departure=self._when(day, t0 + a_s), **kw)
            for d, (e_s, _, _) in egr.items():
                if d != o and d in times:
                    bounds[(o, d)] = t0 + a_s + int(times[d]) + e_s
        if not bounds:
            return []
        ranked = sorted(bounds.items(), key=lambda kv: kv[1])
        found = []
        for (o, d), _ in ranked[:DETAILED_PAIRS]:
            for rides, legs in self._journeys(self.net, o, d, kw, departure=self._when(day, t0 + acc[o][0])):
                found.append((self._end(legs)[1] + egr[d][0], rides, legs[0][3] - acc[o][0], legs))
        best = min((f[0] for f in found), default=float("inf"))
        if best <= ranked[0][1]:
            return found
        if self.split_net is not None:
            self.stats["split_searches"] += 1
            skw = self._split_kw[wheelchair]
            origin_bound = {}
            for (o, _), bound in ranked:
                origin_bound.setdefault(o, bound)
            exact = []  # (door arrival, origin copy, destination copy)
            for o, bound in sorted(origin_bound.items(), key=lambda kv: kv[1]):
                if bound >= best:
                    break
                a_s = acc[o][0]
                for co in self.copies.get(o, ()):
                    times = self.split_net.travel_times_from_stop(co, departure=self._when(day, t0 + a_s), **skw)
                    for d, (e_s, _, _) in egr.items():
                        for cd in self.copies.get(d, ()):
                            if d != o and cd in times:
                                exact.append((t0 + a_s + int(times[cd]) + e_s, co, cd))
                if exact:
                    best = min(best, min(exact)[0])
            for _, co, cd in sorted(exact)[:2]:
                o, d = physical(co), physical(cd)
                for rides, legs in self._journeys(self.split_net, co, cd, skw,
                                                  departure=self._when(day, t0 + acc[o][0])):
                    found.append((self._end(legs)[1] + egr[d][0], rides, legs[0][3] - acc[o][0], legs))
            # Exact unless a later trip of the same pattern overtakes an earlier one (then cafein may
            # change between them in 0 s at one stop copy and the check above rejects it).
            if found and min(f[0] for f in found) <= min(exact, default=(float("inf"),))[0]:
                return found
        # No split network (an artifact from an older build), or overtaking: the exact scan decides.
        return self._exact(day, t0, acc, egr, ex_stops, ex_trips, found)

    def _exact(self, day, t0, acc, egr, ex_stops, ex_trips, found):
        """`found` plus the exact Connection Scan's journey (this day's and the previous day's trips)."""
        self.stats["exact_fallbacks"] += 1
        arrival, legs = earliest_arrival(
            self.meta, self.connections.get(day), self.footpaths, t0=t0,
            access={s: v[0] for s, v in acc.items()}, egress={s: v[0] for s, v in egr.items()},
            exclude_stops=ex_stops, exclude_trips=ex_trips, max_rides=self.max_rides)
        if legs:
            legs = [leg if leg[0] == "ride" else (*leg, None) for leg in legs]
            first = legs[0]
            found.append((arrival, sum(1 for leg in legs if leg[0] == "ride"), first[3] - acc[first[2]][0], legs))
        return found

    def _arrive(self, day, deadline, acc, egr, ex_stops, ex_trips, wheelchair):
        """Journeys for an arrive-by query: those of the latest door departure τ (within ARRIVE_WINDOW_S
        before the deadline) whose earliest arrival is <= the deadline, arriving by it.

        The earliest arrival from the door is non-decreasing in the departure time, so an integer
        binary search over τ with the (exact) departure search finds that latest τ (jumping to the
        departure of each journey found); the answer is the departure search's journeys from τ that
        arrive in time. Empty if nothing arrives in time when leaving ARRIVE_WINDOW_S before the deadline.
        """
        def probe(tau):
            found = self._depart(day, tau, acc, egr, ex_stops, ex_trips, wheelchair)
            return [f for f in found if f[0] <= deadline]

        best = probe(deadline - ARRIVE_WINDOW_S)
        if not best:
            return []
        # A journey found leaving at d >= the probe time proves d itself arrives in time: jump to it.
        lo = max(f[2] for f in best)
        hi = deadline + 1  # invariant: leaving at lo arrives in time, leaving at hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            got = probe(mid)
            if got:
                lo, best = max(f[2] for f in got), got
            else:
                hi = mid
        return best

    # --- itinerary translation --------------------------------------------------------------
    def _point(self, stop_id, language):
        s = self.meta.stops[stop_id]
        return {"name": self.meta.stop_name(stop_id, language), "stop_id": stop_id, "lat": s["lat"], "lon": s["lon"]}

    def walk_leg(self, day, start_s, end_s, a, b, meters, crow_fly, geometry=None):
        return {
            "mode": "walk", "transit": False, "route_id": None, "route_short_name": None, "route_color": None,
            "trip_id": None, "from": a, "to": b, "start_time": self.iso(day, start_s),
            "end_time": self.iso(day, end_s), "duration_s": int(end_s - start_s), "distance_m": int(round(meters)),
            "geometry": _wkb_geojson(geometry) or _line([(a["lat"], a["lon"]), (b["lat"], b["lon"])]),
            "co2_g": 0, "crow_fly": bool(crow_fly), "booking": None, "zones": None,
        }

    def ride_leg(self, day, leg, language):
        _, trip_id, board, board_s, alight, alight_s, extra = leg
        trip = self.meta.trips[trip_id]
        route = self.meta.routes[trip["route_id"]]
        stops, arr, dep = self.meta.trip_stops[trip_id]
        offset = (extra or {}).get("offset") or 0  # a previous service day's trip, in this day's frame
        arr, dep = arr.astype("int64") - offset, dep.astype("int64") - offset
        i = next(k for k in range(len(stops)) if stops[k] == board and int(dep[k]) == int(board_s))
        j = next(k for k in range(i + 1, len(stops)) if stops[k] == alight and int(arr[k]) == int(alight_s))
        coords = [(self.meta.stops[s]["lat"], self.meta.stops[s]["lon"]) for s in stops[i:j + 1]]
        distance = (extra or {}).get("distance_m") or float(
            haversine_m(np.array([c[0] for c in coords[:-1]]), np.array([c[1] for c in coords[:-1]]),
                        np.array([c[0] for c in coords[1:]]), np.array([c[1] for c in coords[1:]])).sum())
        zones = sorted({self.meta.stops[s]["zone"] for s in stops[i:j + 1] if self.meta.stops[s]["zone"]})
        return {
            "mode": route["mode"], "transit": True, "route_id": trip["route_id"],
            "route_short_name": route["short_name"], "route_color": route["color"], "trip_id": trip_id,
            "headsign": trip["headsign"],
            "from": self._point(board, language), "to": self._point(alight, language),
            "start_time": self.iso(day, int(dep[i])), "end_time": self.iso(day, int(arr[j])),
            "duration_s": int(arr[j]) - int(dep[i]), "distance_m": int(round(distance)),
            "geometry": _wkb_geojson((extra or {}).get("geometry")) or _line(coords),
            "co2_g": leg_co2_g(route["mode"], distance), "crow_fly": False, "booking": None,
            "zones": zones or None, "intermediate_stops": j - i - 1,
        }

    def itinerary(self, req: PlanRequest, day, legs, acc, egr) -> dict:
        lang = req.language
        first = next(leg for leg in legs if leg[0] == "ride")
        o = first[2]
        d, end_s = self._end(legs)
        a_s, a_m, a_cf = acc[o]
        e_s, e_m, e_cf = egr[d]
        out = []
        origin = ({"name": ORIGIN_LABEL.get(lang, "Origin"), "stop_id": None, "lat": req.origin[0],
                   "lon": req.origin[1]} if not req.origin_stop_id else self._point(o, lang))
        dest = ({"name": DESTINATION_LABEL.get(lang, "Destination"), "stop_id": None, "lat": req.destination[0],
                 "lon": req.destination[1]} if not req.destination_stop_id else self._point(d, lang))
        start_s = first[3] - a_s
        if not req.origin_stop_id and (a_s or a_m):
            out.append(self.walk_leg(day, start_s, first[3], origin, self._point(o, lang), a_m, a_cf))
        for leg in legs:
            if leg[0] == "ride":
                out.append(self.ride_leg(day, leg, lang))
            else:
                _, s1, s2, t1, t2, meters, geometry = leg
                walk_s = int(meters / WALK_SPEED_MPS + 0.5)
                out.append(self.walk_leg(day, t1, t1 + walk_s, self._point(s1, lang), self._point(s2, lang),
                                         meters, geometry is None, geometry))
        end_door = end_s + e_s
        if not req.destination_stop_id and (e_s or e_m):
            out.append(self.walk_leg(day, end_s, end_door, self._point(d, lang), dest, e_m, e_cf))
        return {
            "start_time": self.iso(day, start_s), "end_time": self.iso(day, end_door),
            "duration_s": int(end_door - start_s), "transfers": max(0, sum(1 for x in legs if x[0] == "ride") - 1),
            "walk_distance_m": sum(leg["distance_m"] for leg in out if leg["mode"] == "walk"),
            "co2_g": sum(leg["co2_g"] for leg in out), "legs": out,
        }

    # --- matrices ---------------------------------------------------------------------------
    def travel_time_matrix(self, origins, destinations, *, departure, modes, max_time_s, wheelchair=False,
                           max_walk_m=1000):
        """Rows {"from_id","to_id","travel_time_s"} within max_time_s (exact scan, change times applied)."""
        day, t0 = self.split(departure)
        ex_stops, ex_trips = self._exclusions[bool(wheelchair)]
        table = self.connections.get(day) if "transit" in modes else None
        dest_lat = np.array([d["lat"] for d in destinations])
        dest_lon = np.array([d["lon"] for d in destinations])
        dest_egress = [self.access(d["lat"], d["lon"], max_walk_m, ex_stops) for d in destinations]
        rows = []
        for o in origins:
            best = (haversine_m(o["lat"], o["lon"], dest_lat, dest_lon) * WALK_DETOUR / WALK_SPEED_MPS)
            if table is not None:
                acc = self.access(o["lat"], o["lon"], max_walk_m, ex_stops)
                reach = arrivals_within(self.meta, table, self.footpaths, t0=t0,
                                        access={s: v[0] for s, v in acc.items()}, max_time_s=max_time_s,
                                        exclude_stops=ex_stops, exclude_trips=ex_trips)
                for k, egress in enumerate(dest_egress):
                    for s, (e_s, _, _) in egress.items():
                        if s in reach and reach[s] + e_s < best[k]:
                            best[k] = reach[s] + e_s
            for k, dest in enumerate(destinations):
                if best[k] <= max_time_s:
                    rows.append({"from_id": o["id"], "to_id": dest["id"], "travel_time_s": int(round(best[k]))})
        return rows


class EmbeddedEngine(RoutingEngine):
    """Routes over the active feed version's saved network, loaded once per process."""

    name = "embedded"
    _instance = None
    _instance_lock = threading.Lock()

    def __init__(self):
        self._networks: dict[str, EmbeddedNetwork] = {}
        self._lock = threading.Lock()
        self._feed_checked = (float("-inf"), None)

    @classmethod
    def instance(cls) -> "EmbeddedEngine":
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def current(self) -> EmbeddedNetwork:
        """The loaded network of the active feed version (raises EngineUnavailable naming what is missing)."""
        from planner.engines.embedded_build import artifact_paths
        from planner.selectors import active_feed

        now = time.monotonic()
        from django.conf import settings

        if now - self._feed_checked[0] > getattr(settings, "ROUTING_FEED_RECHECK_S", FEED_RECHECK_S):
            self._feed_checked = (now, active_feed())  # one query per few seconds, not per call
        feed = self._feed_checked[1]
        if feed is None:
            raise EngineUnavailable("No active GTFS feed: import and activate one (manage.py import_gtfs).",
                                    code="no_active_feed")
        network_path, meta_path = artifact_paths(feed)
        key = str(network_path)
        if key not in self._networks:
            with self._lock:
                if key not in self._networks:
                    if not (network_path.exists() and meta_path.exists()):
                        raise EngineUnavailable(
                            f"No routing network built for feed {feed.name} v{feed.version}: "
                            f"run manage.py build_network (expected {network_path.name}).",
                            code="network_not_built")
                    self._networks = {key: EmbeddedNetwork.load(network_path, meta_path)}
        return self._networks[key]

    def coverage(self):
        return self.current().coverage()

    def plan(self, request: PlanRequest) -> list[dict]:
        return self.current().plan(request)

    def travel_time_matrix(self, origins, destinations, *, departure, modes, max_time_s, wheelchair=False):
        return self.current().travel_time_matrix(origins, destinations, departure=departure, modes=modes,
                                                 max_time_s=max_time_s, wheelchair=wheelchair)
