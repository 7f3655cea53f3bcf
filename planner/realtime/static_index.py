"""The static timetable as real-time matching needs it, read once per feed version and kept per process.

Trips by id; by (route_id, direction_id, first departure) for feeds that identify trips without trip_id
(HSL); frequency-expanded trips (`<template>-freq-<n>`, see planner.gtfs.loader) by (template, first
departure); the calendar to tell which service days a trip runs on.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from planner.gtfs import service_calendar
from planner.gtfs.times import service_day_base

FREQ_ID = re.compile(r"^(?P<template>.+)-freq-\d+$")


@dataclass
class StaticTrip:
    trip_id: str
    route_id: str
    direction_id: int | None
    service_id: str
    stops: tuple  # stop_ids in stop_sequence order
    seqs: tuple  # their stop_sequence values
    arr: np.ndarray  # scheduled arrival, seconds of the service day (int64)
    dep: np.ndarray


@dataclass
class StaticIndex:
    feed_name: str
    feed_version_id: int
    timezone: str
    trips: dict  # trip_id -> StaticTrip
    calendar: dict  # service_id -> (weekdays tuple, start, end)
    added: dict  # date -> {service_id}
    removed: dict
    by_start: dict = field(default_factory=dict)  # (route_id, direction_id, first_dep) -> [trip_id]
    by_template: dict = field(default_factory=dict)  # (template trip_id, first_dep) -> trip_id

    def __post_init__(self):
        self.tz = ZoneInfo(self.timezone)
        for t in self.trips.values():
            first = int(t.dep[0])
            self.by_start.setdefault((t.route_id, t.direction_id, first), []).append(t.trip_id)
            if t.direction_id is not None:
                self.by_start.setdefault((t.route_id, None, first), []).append(t.trip_id)
            m = FREQ_ID.match(t.trip_id)
            if m:
                self.by_template[(m["template"], first)] = t.trip_id

    def runs_on(self, service_id: str, day: date) -> bool:
        return service_calendar.runs_on(self.calendar, self.added, self.removed, service_id, day)

    def day_base(self, day: date) -> datetime:
        """The instant (UTC) service day `day`'s times count from (planner.gtfs.times.service_day_base)."""
        return service_day_base(day, self.tz)

    def epoch_base(self, day: date) -> int:
        cache = self.__dict__.setdefault("_epoch_bases", {})
        if day not in cache:
            cache[day] = int(self.day_base(day).timestamp())
        return cache[day]


_indexes: dict = {}
_lock = threading.Lock()


def index_for(feed_version) -> StaticIndex:
    """The StaticIndex of a FeedVersion (read from the database once per process and version)."""
    key = feed_version.pk
    if key not in _indexes:
        with _lock:
            if key not in _indexes:
                from planner.selectors import realtime_static_rows

                rows = realtime_static_rows(feed_version)
                _indexes.clear()  # one version per feed is active; keep memory bounded
                _indexes[key] = build_index(feed_version.name, feed_version.pk, **rows)
    return _indexes[key]


def build_index(feed_name, feed_version_id, *, timezone, trips, stop_times, calendar, calendar_dates) -> StaticIndex:
    """trips: [(trip_id, route_id, direction_id, service_id)]; stop_times: [(trip_id, stop_sequence, stop_id,
    arrival_s, departure_s)] ordered by trip and stop_sequence; calendar: [(service_id, weekdays, start, end)];
    calendar_dates: [(service_id, date, exception_type)]."""
    meta = {t[0]: t for t in trips}
    out: dict = {}
    current, buf = None, []

    def flush():
        if current is None or current not in meta or not buf:
            return
        _, route_id, direction_id, service_id = meta[current]
        arr = np.array([r[3] if r[3] is not None else r[4] for r in buf], dtype=np.int64)
        dep = np.array([r[4] if r[4] is not None else r[3] for r in buf], dtype=np.int64)
        out[current] = StaticTrip(current, route_id, direction_id, service_id, tuple(r[2] for r in buf),
                                  tuple(r[1] for r in buf), arr, dep)

    for row in stop_times:
        if row[0] != current:
            flush()
            current, buf = row[0], []
        buf.append(row)
    flush()
    added: dict = {}
    removed: dict = {}
    for service_id, day, kind in calendar_dates:
        (added if kind == 1 else removed).setdefault(day, set()).add(service_id)
    return StaticIndex(feed_name, feed_version_id, timezone, out,
                       {sid: (tuple(w), start, end) for sid, w, start, end in calendar}, added, removed)
