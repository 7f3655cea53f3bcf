"""EmbeddedEngine: the RoutingEngine over the active feeds' saved network (all of them in one), loaded once per
process."""
from __future__ import annotations

import logging
import threading
import time

from planner.engines.base import EngineUnavailable, PlanRequest, RoutingEngine
from planner.engines.embedded.artifacts import artifact_paths
from planner.engines.embedded.network import EmbeddedNetwork

logger = logging.getLogger(__name__)
FEED_RECHECK_S = 2.0  # how stale the "which feed versions are active" answer may be


class EmbeddedEngine(RoutingEngine):
    """Routes over the network of every active feed version together, loaded once per process."""

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
        """The loaded network of the active feed versions (raises EngineUnavailable naming what is missing)."""
        from django.conf import settings

        from planner.timetable.feeds import active_feeds

        now = time.monotonic()
        if now - self._feed_checked[0] > getattr(settings, "ROUTING_FEED_RECHECK_S", FEED_RECHECK_S):
            self._feed_checked = (now, list(active_feeds().values()))  # one query per few seconds, not per call
        feeds = self._feed_checked[1]
        if not feeds:
            raise EngineUnavailable("No active GTFS feed: import and activate one (manage.py import_gtfs).",
                                    code="no_active_feed")
        network_path, meta_path = artifact_paths(feeds)
        key = str(network_path)
        if key not in self._networks:
            with self._lock:
                if key not in self._networks:
                    if not (network_path.exists() and meta_path.exists()):
                        if self._networks:  # the active set changed, its network not built yet: the last keeps
                            return next(iter(self._networks.values()))  # serving (build_network, refresh_feeds)
                        names = ", ".join(f"{f.name} v{f.version}" for f in feeds)
                        raise EngineUnavailable(
                            f"No routing network built for the active feeds ({names}): "
                            f"run manage.py build_network (expected {network_path.name}).",
                            code="network_not_built")
                    network = EmbeddedNetwork.load(network_path, meta_path)
                    network.feed_names = tuple(f.name for f in feeds)  # whose real time (planner.realtime) applies
                    network.feed_versions = tuple((f.name, f.version) for f in feeds)
                    self._networks = {key: network}
        return self._networks[key]

    def preload(self) -> str | None:
        """Load the active feed's network now, with what its first request would compute (its area), so
        that it is computed once for every process forked after (None when there is no network yet)."""
        try:
            network = self.current()
            network.coverage()
            return network.label
        except EngineUnavailable as exc:
            logger.warning("routing network not preloaded: %s", exc.reason)
            return None

    def coverage(self):
        return self.current().coverage()

    def feeds(self) -> list[dict]:
        return [{"name": name, "version": version} for name, version in self.current().feed_versions]

    def plan(self, request: PlanRequest) -> list[dict]:
        """Plans on the real-time timetables of the network's feeds (the schedule where there is none)."""
        from planner.realtime.timetable import FeedsTimetable

        network = self.current()
        with network.realtime(FeedsTimetable.current(network.feed_names)):
            return network.plan(request)

    def stops_near(self, lat, lon, radius_m, limit=64):
        return self.current().stops_near(lat, lon, radius_m, limit)

    def travel_time_matrix(self, origins, destinations, *, departure, modes, max_time_s, wheelchair=False):
        return self.current().travel_time_matrix(origins, destinations, departure=departure, modes=modes,
                                                 max_time_s=max_time_s, wheelchair=wheelchair)
