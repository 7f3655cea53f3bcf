"""Why a trip request found no transit itinerary, read from the imported timetables of the active feeds.

`diagnose(...)` → [{"code", "details"}]: `no_stops_within_walk_limit` (no stop within the walk limit of the
origin or the destination), `outside_service_hours` (no departure from the stops near the origin within
SERVICE_WINDOW_S of the request time, e.g. in the night), else `no_transit_connection`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef

from planner.models import Stop, StopTime
from planner.timetable import service_days
from planner.timetable.feeds import active_feeds, split_ref
from planner.timetable.stop_search import stops_near

DEFAULT_WALK_M = 1500
SERVICE_WINDOW_S = 3 * 3600
NEAREST_STOPS = 10


def _stops(feeds, point, stop_ref, radius_m) -> list[tuple[int, int]]:
    """[(feed version pk, stop pk)] of the boarding stops within `radius_m` of `point` (or the stop named)."""
    if stop_ref:
        name, stop_id = split_ref(stop_ref, feeds)
        chosen = [feeds[name]] if name else list(feeds.values())
        return list(Stop.objects.filter(feed__in=chosen, stop_id=stop_id).values_list("feed_id", "pk"))
    found = [s for s in stops_near(feeds, point[0], point[1], radius_m, 200, None) if s["location_type"] == 0]
    by_key = {(s["feed"], s["stop_id"]) for s in found[:NEAREST_STOPS]}
    pks = []
    for name, feed in feeds.items():
        ids = [stop_id for feed_name, stop_id in by_key if feed_name == name]
        if ids:
            pks += list(Stop.objects.filter(feed=feed, stop_id__in=ids).values_list("feed_id", "pk"))
    return pks


def _departs_between(stops: list[tuple[int, int]], start: datetime, end: datetime) -> bool:
    for feed_pk in {f for f, _ in stops}:
        tz = service_days.feed_zone(feed_pk)
        stop_pks = [s for f, s in stops if f == feed_pk]
        local = start.astimezone(tz).date()
        for day in (local - timedelta(days=1), local, local + timedelta(days=1)):
            base = service_days.day_base(day, tz)
            lo, hi = int((start - base).total_seconds()), int((end - base).total_seconds())
            running = service_days.services_on(feed_pk, day)
            if hi < 0 or not running:
                continue
            later = StopTime.objects.filter(feed_id=feed_pk, trip_id=OuterRef("trip_id"),
                                            stop_sequence__gt=OuterRef("stop_sequence"))  # by primary key
            if StopTime.objects.filter(feed_id=feed_pk, stop_id__in=stop_pks, departure_s__gte=max(lo, 0),
                                       departure_s__lte=hi, trip__service_id__in=running).exclude(
                                           pickup_type=1).filter(Exists(later)).exists():  # not a trip's last stop
                return True
    return False


def diagnose(origin, destination, when: datetime, *, arrive_by: bool = False, max_walk_m: int | None = None,
             origin_stop: str | None = None, destination_stop: str | None = None) -> list[dict]:
    """The reasons a transit search from `origin` to `destination` ((lat, lon) each) found nothing."""
    feeds = active_feeds()
    if not feeds:
        return [{"code": "no_transit_connection", "details": {}}]
    walk = max_walk_m if max_walk_m is not None else DEFAULT_WALK_M
    near = {"from": _stops(feeds, origin, origin_stop, walk), "to": _stops(feeds, destination, destination_stop, walk)}
    missing = [side for side, stops in near.items() if not stops]
    if missing:
        return [{"code": "no_stops_within_walk_limit", "details": {"sides": missing, "max_walk_m": walk}}]
    start = when - timedelta(seconds=SERVICE_WINDOW_S) if arrive_by else when
    if not _departs_between(near["from"], start, start + timedelta(seconds=SERVICE_WINDOW_S)):
        return [{"code": "outside_service_hours", "details": {"window_s": SERVICE_WINDOW_S}}]
    return [{"code": "no_transit_connection", "details": {}}]


def note_transit(errors: dict, origin, destination, when: datetime, **options) -> None:
    """Record the transit reason in a plan's routing_errors (planner.routing_errors.note)."""
    from planner.routing_errors import note

    reason = diagnose(origin, destination, when, **options)[0]
    note(errors, "transit", reason["code"], **reason["details"])
