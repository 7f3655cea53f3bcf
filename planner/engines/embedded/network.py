"""The default routing engine's loaded network: cafein's Rust RAPTOR core, with our layer over its known gaps.

One EmbeddedNetwork per feed version: the plain and split cafein networks plus the FeedMeta side-car.
This module holds the clock (service days, DST), access/egress and the entry points; the searches are
in `search` (late evening and arrive-by alternatives: `edges`), the alternatives filter in `alternatives`,
the itinerary legs in `legs`.

- Footpaths: ours (crow-fly x detour within 400 m, never quicker than a same-stop change) are
  installed into cafein, so every search walks the same edges.
- Coordinates: with a street network (built with OSM) cafein gives street walking times to stops;
  without one, or off its snap distance, we walk crow-fly to the nearest stops (`crow_fly: true`).
- Travel-time matrices use the exact Connection Scan (`csa`), change times applied.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from maas.geo import distances_m
from planner.engines.base import PlanRequest
from planner.engines.embedded.alternatives import Alternatives
from planner.engines.embedded.artifacts import split_path
from planner.engines.embedded.csa import ConnectionCache, arrivals_within, footpath_index
from planner.engines.embedded.edges import ServiceDayEdges
from planner.engines.embedded.feedmeta import WALK_DETOUR, WALK_SPEED_MPS, FeedMeta
from planner.engines.embedded.legs import LegBuilder
from planner.engines.embedded.realtime import RealtimeSearch
from planner.engines.embedded.search import DepartureSearch
from planner.engines.embedded.split import physical
from planner.gtfs.times import format_time, service_day_base

logging.getLogger("cafein").setLevel(logging.WARNING)  # its per-query INFO lines would flood our logs

MAX_ACCESS_STOPS = 6
MAX_GIVEN_STOPS = 12  # stops of a request's own access/egress table (a ride reaches more than a walk)
MAX_RIDES = 5  # vehicles per journey (4 changes): bounds every search, cafein's and ours


class EmbeddedNetwork(ServiceDayEdges, RealtimeSearch, DepartureSearch, Alternatives, LegBuilder):
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
        self.stats = {"plans": 0, "searches": 0, "exact_fallbacks": 0, "rejected_journeys": 0}
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
        # The split network routes on per-pattern copies of each stop (split.write_split_feed).
        self.copies = meta.copies or {s: [s] for s in meta.stops}
        wheel_copies = [c for s in wheel_stops for c in self.copies.get(s, ())]
        self._split_excluded = {False: ([], []), True: (list(wheel_trips), wheel_copies)}  # (trips, stops)

    @classmethod
    def load(cls, network_path, meta_path) -> "EmbeddedNetwork":
        import cafein

        cafein.disable_logging()
        split = split_path(network_path)
        # Street arrays memory-mapped: every process (and every version) shares the OS's pages of the file.
        return cls(cafein.TransportNetwork.load(str(network_path), mmap=True), FeedMeta.load(meta_path),
                   label=Path(network_path).name,
                   split=cafein.TransportNetwork.load(str(split), mmap=True) if split.exists() else None)

    # --- time ----------------------------------------------------------------------------
    def day_base(self, day: date) -> datetime:
        """The instant (UTC) service day `day`'s times count from (planner.gtfs.times.service_day_base)."""
        return service_day_base(day, self.tz)

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
        return f"{day.isoformat()} {format_time(secs)}"

    def coverage(self) -> dict:
        lat0, lon0, lat1, lon1 = self.meta.bbox()
        return {"bbox": (lat0, lon0, lat1, lon1), "service_start": self.meta.service_start,
                "service_end": self.meta.service_end, "has_service": self.meta.has_service}

    # --- access / egress -----------------------------------------------------------------
    def access(self, lat, lon, max_walk_m, excluded=frozenset(), stop_id=None, walk_mps=WALK_SPEED_MPS) -> dict:
        """{stop_id: (walk_s, metres, crow_fly)} for the stops one may walk to (or just `stop_id`), at
        `walk_mps` metres per second (the resident's pace; transfer footpaths keep the network's)."""
        if stop_id:
            return {} if stop_id in excluded else {stop_id: (0, 0.0, False)}
        out = {}
        if self.meta.has_streets:
            try:
                times = self.net.access_stops(lat, lon, walking_speed_kmph=walk_mps * 3.6,
                                              max_walking_time=timedelta(seconds=max_walk_m / walk_mps))
                for copy, t in times.items():
                    s = physical(copy)
                    if s not in excluded and s in self.copies and t < out.get(s, (1e12,))[0]:
                        out[s] = (int(t), t * walk_mps, False)
            except ValueError:
                out = {}  # off the street network's snap distance: crow-fly below
        if not out:
            for s, d in self.meta.stops_near(lat, lon, max_walk_m / WALK_DETOUR, limit=MAX_ACCESS_STOPS * 5,
                                             exclude=excluded):
                out[s] = (int(d * WALK_DETOUR / walk_mps + 0.5), d * WALK_DETOUR, True)
        return self._covering(out, MAX_ACCESS_STOPS)

    def _covering(self, out, limit) -> dict:
        """Nearest first, but a stop only counts if it adds a pattern (line and direction) the nearer
        ones do not serve: ten stops of one tram line must not crowd out the metro behind them."""
        chosen, covered = {}, set()
        for s, value in sorted(out.items(), key=lambda kv: kv[1][0]):
            routes = self.stop_patterns.get(s, set())
            if routes - covered:
                chosen[s] = value
                covered |= routes
            if len(chosen) >= limit:
                break
        return chosen

    def given(self, table, excluded=frozenset()) -> dict:
        """A request's own access/egress ((stop_id, seconds, metres), ...) as access() answers: the stops
        that add a pattern, at most MAX_GIVEN_STOPS."""
        out = {s: (int(t), float(m), False) for s, t, m in table if s not in excluded and s in self.copies}
        return self._covering(out, MAX_GIVEN_STOPS)

    def stops_near(self, lat, lon, radius_m, limit=64) -> list[dict]:
        """[{"stop_id", "lat", "lon", "metres"}] of served stops within radius_m, nearest first."""
        return [{"stop_id": s, "lat": self.meta.stops[s]["lat"], "lon": self.meta.stops[s]["lon"], "metres": m}
                for s, m in self.meta.stops_near(lat, lon, radius_m, limit=limit) if s in self.copies]

    # --- planning ------------------------------------------------------------------------
    def plan(self, req: PlanRequest) -> list[dict]:
        """Transit itineraries for one request, best first (empty when none)."""
        self.stats["plans"] += 1
        day, secs = self.split(req.departure or req.arrival)
        ex_stops, ex_trips = self._exclusions[bool(req.wheelchair)]
        acc = (self.given(req.access, ex_stops) if req.access else
               self.access(*req.origin, req.max_walk_m, ex_stops, req.origin_stop_id, req.walk_speed_mps))
        egr = (self.given(req.egress, ex_stops) if req.egress else
               self.access(*req.destination, req.max_walk_m, ex_stops, req.destination_stop_id, req.walk_speed_mps))
        if not acc or not egr:
            return []
        search = self.departures_across_days if req.departure is not None else self.arrivals_latest_first
        found = search(day, secs, acc, egr, ex_stops, ex_trips, bool(req.wheelchair), req.num_itineraries)
        return [self.itinerary(req, d, legs, acc, egr) for d, (_, _, _, legs) in found[:req.num_itineraries]]


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
            best = (distances_m(o["lat"], o["lon"], dest_lat, dest_lon) * WALK_DETOUR / WALK_SPEED_MPS)
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

