"""Departure boards: the next scheduled departures at a stop (or every platform of a station).

Read from the imported StopTime/Trip tables of the stop's feed version. A request time falls in up to three
service days' frames: the previous day's trips past 24:00, the day itself, and (late in the evening) the
next day's first trips. Stops where a trip ends, or where it takes no passengers (pickup_type 1), are left out.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef

from planner.models import Route, Stop, StopTime
from planner.realtime import boards as realtime_boards
from planner.timetable import headsigns, service_days
from planner.timetable.feeds import qualify

# Successive spans after the request time: a busy stop fills the board from the first, a quiet one reads on.
SPANS_S = ((0, 1800), (1800, 3 * 3600), (3 * 3600, 30 * 3600))


def platforms(stop: Stop) -> list[Stop]:
    """The stop itself, and for a station (location_type 1) every stop whose parent it is."""
    if stop.location_type != 1:
        return [stop]
    children = list(Stop.objects.filter(feed_id=stop.feed_id, parent_station=stop.stop_id))
    return [stop, *children]


def _rows(stop_pks, services, lo: int, hi: int, limit: int) -> list[dict]:
    later = StopTime.objects.filter(trip_id=OuterRef("trip_id"), stop_sequence__gt=OuterRef("stop_sequence"))
    query = (StopTime.objects
             .filter(stop_id__in=stop_pks, departure_s__gte=lo, departure_s__lt=hi, trip__service_id__in=services)
             .exclude(pickup_type=1).filter(Exists(later))
             .order_by("departure_s")
             .values("departure_s", "stop_id", "stop_sequence", "stop_headsign", "trip__trip_id", "trip__headsign",
                     "trip__wheelchair_accessible", "trip__route_id"))
    return list(query[:limit])


def departures(stop: Stop, when: datetime, limit: int, language: str | None,
               realtime: realtime_boards.BoardRealtime | None = None) -> list[dict]:
    """Up to `limit` departures at `stop` (a station: all its platforms) from `when` on, earliest first, with
    real time (`realtime`: the feed's state read once per board, planner.realtime.boards); cancelled ones are
    flagged and do not count towards `limit`."""
    feed = stop.feed
    realtime = realtime or realtime_boards.BoardRealtime.read(feed.name)
    wanted = limit
    limit += min(50, len(realtime.canceled_near(when.date())))
    feed_pk, tz = service_days.feed_of(feed)
    stops = {s.pk: s for s in platforms(stop)}
    local = when.astimezone(tz)
    found: list[tuple[datetime, object, dict]] = []
    for start, end in SPANS_S:
        for offset in (-1, 0, 1, 2):  # trips past 24:00 of the day before; up to 30 h ahead
            day = local.date() + timedelta(days=offset)
            base = service_days.day_base(day, tz)
            at = int((when - base).total_seconds())
            lo, hi = max(at + start, 0), at + end
            if hi <= 0 or lo > 48 * 3600:
                continue
            running = service_days.services_on(feed_pk, day)
            if not running:
                continue
            for row in _rows(list(stops), running, lo, hi, limit):
                found.append((base + timedelta(seconds=row["departure_s"]), day, row))
        if len(found) >= limit:  # every later span only holds later departures
            break
    found.sort(key=lambda item: (item[0], item[2]["trip__trip_id"]))
    routes = {r.pk: r for r in Route.objects.filter(pk__in={row["trip__route_id"] for _, _, row in found})}
    out, kept = [], 0
    for at, day, row in found:
        item = _departure(feed, stops[row["stop_id"]], routes[row["trip__route_id"]], at, day, row, tz, language)
        item.update(realtime.departure_fields(row["trip__trip_id"], day, row["stop_sequence"],
                                              at.astimezone(tz), service_days.day_base(day, tz)))
        if kept >= wanted:
            break
        kept += not item["canceled"]
        out.append(item)
    return out


def _departure(feed, stop: Stop, route: Route, at: datetime, day, row: dict, tz, language) -> dict:
    text = row["stop_headsign"] or row["trip__headsign"]
    accessible = row["trip__wheelchair_accessible"]
    return {
        "stop_id": qualify(feed.name, stop.stop_id),
        "platform": stop.platform_code or None,
        "route": {"id": qualify(feed.name, route.route_id), "short_name": route.short_name,
                  "long_name": route.long_name, "mode": route.mode,
                  "color": f"#{route.color}" if route.color else None},
        "trip_id": qualify(feed.name, row["trip__trip_id"]),
        "headsign": headsigns.headsign(feed.pk, text, language, row["trip__trip_id"]),
        "scheduled_departure": at.astimezone(tz).isoformat(),
        "service_date": day.isoformat(),
        "wheelchair_accessible": {1: True, 2: False}.get(accessible),
    }
