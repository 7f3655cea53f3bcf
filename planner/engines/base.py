"""The RoutingEngine interface the planner talks to, and the request it takes.

Engines return itineraries as plain dicts in the shape documented in docs/interfaces.md.
"""
from __future__ import annotations

import abc
import importlib
from dataclasses import dataclass, field
from datetime import datetime

MODES = frozenset({"walk", "bike", "transit", "city_bike", "scooter", "car", "taxi"})
# A resident's walking speed (profile `walking_speed`, request `walk_speed`) in metres per second.
# "normal" is the embedded network's own speed (feedmeta.WALK_SPEED_MPS), so the default changes nothing.
WALK_SPEEDS_MPS = {"slow": 0.9, "normal": 1.2, "fast": 1.6}


class EngineUnavailable(Exception):
    """The engine cannot answer now (no network built, no active feed...); the API answers 503."""

    code = "routing_unavailable"

    def __init__(self, reason, code=None):
        super().__init__(reason)
        self.reason = reason
        if code:
            self.code = code


class EngineConfigurationError(EngineUnavailable):
    """The engine is misconfigured (e.g. no R5 jar); the message names what is missing."""

    code = "routing_engine_misconfigured"


@dataclass(frozen=True)
class PlanRequest:
    """One origin/destination query. Exactly one of `departure` / `arrival` is set (aware datetimes)."""

    origin: tuple[float, float]  # (lat, lon)
    destination: tuple[float, float]
    departure: datetime | None = None
    arrival: datetime | None = None
    modes: frozenset[str] = field(default_factory=lambda: frozenset({"walk", "transit"}))
    wheelchair: bool = False
    max_walk_m: int = 1500
    walk_speed_mps: float = WALK_SPEEDS_MPS["normal"]  # access/egress and street walks; not transfer footpaths
    language: str = "fi"
    num_itineraries: int = 3
    origin_stop_id: str | None = None
    destination_stop_id: str | None = None
    # Stops reached from the origin / left for the destination otherwise than on foot (a shared vehicle, a
    # taxi): ((stop_id, seconds, metres), ...) of RoutingEngine.stops_near's stops, instead of the walks.
    access: tuple = ()
    egress: tuple = ()


class RoutingEngine(abc.ABC):
    """Plans journeys and computes travel-time matrices over one feed version."""

    name: str = "abstract"

    @abc.abstractmethod
    def plan(self, request: PlanRequest) -> list[dict]:
        """Itineraries for one O/D, best first."""

    @abc.abstractmethod
    def travel_time_matrix(
        self,
        origins: list[dict],
        destinations: list[dict],
        *,
        departure: datetime,
        modes: frozenset[str],
        max_time_s: int,
        wheelchair: bool = False,
    ) -> list[dict]:
        """Rows {"from_id", "to_id", "travel_time_s"} for every reachable pair within max_time_s.

        origins/destinations: [{"id": str, "lat": float, "lon": float}, ...].
        """

    def stops_near(self, lat, lon, radius_m, limit=64) -> list[dict]:
        """[{"stop_id", "lat", "lon", "metres"}] of served stops within radius_m (straight line), nearest
        first: the stops a PlanRequest's access/egress may name. Empty when the engine cannot take them."""
        return []

    def coverage(self) -> dict | None:
        """What the loaded network serves, for request validation, or None if unknown:
        {"bbox": (min_lat, min_lon, max_lat, max_lon), "service_start": date, "service_end": date,
         "has_service": callable(date) -> bool}. May raise EngineUnavailable."""
        return None

    def feeds(self) -> list[dict]:
        """[{"name", "version"}] of the feed versions the network answering now was built from (empty when
        the engine does not know). May raise EngineUnavailable."""
        return []

    def preload(self) -> str | None:
        """Load now what every request needs (a server's master process calls this before forking its
        workers, see maas/prefork.py); returns what was loaded, or None (nothing to load, or not yet)."""
        return None


ENGINE_CLASSES = {
    "embedded": "planner.engines.embedded.EmbeddedEngine",
    "r5py": "planner.engines.r5py.engine.R5pyEngine",
}


def get_engine(name: str | None = None) -> RoutingEngine:
    """The configured engine instance (cached per process by the engine module)."""
    from django.conf import settings

    name = name or settings.ROUTING_ENGINE
    module_name, _, cls_name = ENGINE_CLASSES[name].rpartition(".")
    return getattr(importlib.import_module(module_name), cls_name).instance()
