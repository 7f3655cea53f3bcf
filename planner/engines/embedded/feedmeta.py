"""The timetable side-car of an embedded network: what the itineraries need beyond cafein's core.

Built once from the feed (`timetable.read_feed_meta`) and pickled beside the network
(`<network>.meta.pickle`): stop names and translations, wheelchair flags, fare zones, route
names/colours/modes, per-trip scheduled times, the service calendar, transfers.txt minimum times,
and the footpaths we install into cafein (so our exact fallback search uses the very same walks).
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from maas.geo import bbox_of, distances_m
from planner.gtfs import service_calendar

WALK_SPEED_MPS = 1.2  # 4.3 km/h, a little under HSL's journey planner default
WALK_DETOUR = 1.3  # crow-fly metres -> street metres, for stop-to-stop footpaths
FOOTPATH_RADIUS_M = 400.0
# Between stops of different feeds (operators meet at hubs whose stops lie farther apart than one operator's
# platforms: HSL's metro at Helsingin yliopisto is 580 m from the Suomenlinna ferry pier).
CROSS_FEED_RADIUS_M = 800.0
DEFAULT_MIN_TRANSFER_S = 120


@dataclass
class FeedMeta:
    """Everything the embedded engine reads besides cafein's routing core."""

    stops: dict  # stop_id -> {"name","names","lat","lon","wheelchair","zone"}
    routes: dict  # route_id -> {"short_name","long_name","color","mode","route_type"}
    trips: dict  # trip_id -> {"route_id","service_id","headsign","wheelchair"}
    trip_stops: dict  # trip_id -> (tuple of stop_ids, arrival np.int32[], departure np.int32[])
    calendar: dict  # service_id -> (weekday tuple of 7 bools, start date, end date)
    added: dict  # date -> set(service_id)
    removed: dict  # date -> set(service_id)
    service_start: date
    service_end: date
    min_transfer_s: dict  # stop_id -> seconds (same-stop minimum change time from transfers.txt)
    pair_transfer_s: dict  # (from, to) -> seconds (transfers.txt, different stops)
    footpaths: list  # (from_stop, to_stop, seconds, meters): one walking hop between rides
    default_min_transfer_s: int = DEFAULT_MIN_TRANSFER_S
    feed_lang: str = "fi"
    timezone: str = "Europe/Helsinki"
    has_streets: bool = False  # built with an OSM extract: cafein answers walking access/egress
    copies: dict = field(default_factory=dict)  # stop_id -> its per-pattern copies in the cafein network
    feeds: tuple = ()  # names of the feeds merged into this one (ids `FEED:ID`, `merge`); () for a feed as is
    _stop_index: dict = field(default=None, repr=False)

    # --- calendar -------------------------------------------------------
    def services_on(self, day: date) -> set:
        """service_ids running on `day` (calendar.txt + calendar_dates.txt)."""
        return service_calendar.services_on(self.calendar, self.added, self.removed, day)

    def has_service(self, day: date) -> bool:
        return self.service_start <= day <= self.service_end and bool(self.services_on(day))

    # --- stops ----------------------------------------------------------
    def stop_arrays(self):
        if self._stop_index is None:
            served = {s for stops, _, _ in self.trip_stops.values() for s in stops}
            ids = [s for s in self.stops if s in served and self.stops[s]["lat"] is not None]
            self._stop_index = {
                "ids": ids,
                "lat": np.array([self.stops[s]["lat"] for s in ids]),
                "lon": np.array([self.stops[s]["lon"] for s in ids]),
            }
        return self._stop_index

    def bbox(self):
        idx = self.stop_arrays()
        return tuple(bbox_of(idx["lat"], idx["lon"]))

    def stops_near(self, lat, lon, radius_m, limit=8, exclude=()):
        """[(stop_id, crow-fly metres)] of served stops, nearest first within radius_m."""
        idx = self.stop_arrays()
        dist = distances_m(lat, lon, idx["lat"], idx["lon"])
        order = np.argsort(dist)
        out = []
        for i in order:
            if dist[i] > radius_m or len(out) >= limit:
                break
            if idx["ids"][i] not in exclude:
                out.append((idx["ids"][i], float(dist[i])))
        return out

    def stop_name(self, stop_id, language=None):
        stop = self.stops.get(stop_id)
        if not stop:
            return stop_id
        return (stop["names"].get(language) if language else None) or stop["name"]

    def required_transfer_s(self, from_stop, to_stop, walk_s=0):
        """Minimum time between alighting at from_stop and boarding at to_stop."""
        if from_stop == to_stop:
            return self.min_transfer_s.get(from_stop, self.default_min_transfer_s)
        return max(int(walk_s), self.pair_transfer_s.get((from_stop, to_stop), 0))

    def feed_of(self, stop_id) -> str | None:
        """The feed a (qualified) id belongs to, None for a feed routed as is."""
        name, sep, _ = str(stop_id).partition(":")
        return name if sep and name in self.feeds else None

    def save(self, path):
        self._stop_index = None
        Path(path).write_bytes(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def load(path) -> "FeedMeta":
        # Trusted input: written by our own build_network next to the network artifact.
        with open(path, "rb") as fh:
            return _Unpickler(fh).load()


class _Unpickler(pickle.Unpickler):
    """Reads side-cars pickled before the engine became a package (module planner.engines.embedded_gtfs)."""

    def find_class(self, module, name):
        if module == "planner.engines.embedded_gtfs":
            module = __name__
        return super().find_class(module, name)
