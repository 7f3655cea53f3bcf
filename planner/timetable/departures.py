"""Departure boards: the next scheduled departures at a stop (or every platform of a station).

Read from the imported StopTime/Trip tables of the stop's feed version. A request time falls in up to three
service days' frames: the previous day's trips past 24:00, the day itself, and (late in the evening) the
next day's first trips. Stops where a trip ends, or where it takes no passengers (pickup_type 1), are left out.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from django.db import connection

from planner.models import Route, Stop, Trip
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


def _rows(feed_pk: int, stop_pks: list[int], windows: list[tuple], limit: int) -> list[tuple[int, dict]]:
    """[(window index, row)]: up to `limit` departures in each window (services, lo, hi) of service days, one
    query for them all. feed_id in each part: one partition (PostgreSQL), and a trip's later call is found by
    the primary key (feed, trip, stop_sequence). SQL rather than the ORM: building the query cost more than
    running it."""
    stops = ", ".join(["%s"] * len(stop_pks))
    parts, params = [], []
    for k, (services, lo, hi) in enumerate(windows):
        parts.append(
            f"SELECT * FROM (SELECT st.departure_s, st.stop_id, st.stop_sequence, st.stop_headsign, t.trip_id, "
            f"t.headsign, t.wheelchair_accessible, t.route_id, {int(k)} AS w "
            "FROM planner_stoptime st JOIN planner_trip t ON t.id = st.trip_id "
            f"WHERE st.feed_id = %s AND st.stop_id IN ({stops}) AND st.departure_s >= %s AND st.departure_s < %s "
            f"AND t.service_id IN ({', '.join(['%s'] * len(services))}) AND st.pickup_type <> 1 "
            "AND EXISTS (SELECT 1 FROM planner_stoptime n WHERE n.feed_id = %s AND n.trip_id = st.trip_id "
            f"AND n.stop_sequence > st.stop_sequence) ORDER BY st.departure_s LIMIT %s) AS w{int(k)}")
        params += [feed_pk, *stop_pks, lo, hi, *sorted(services), feed_pk, limit]
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [(w, dict(zip(ROW_KEYS, rest))) for *rest, w in cursor.fetchall()]


ROW_KEYS = ("departure_s", "stop_id", "stop_sequence", "stop_headsign", "trip__trip_id", "trip__headsign",
            "trip__wheelchair_accessible", "trip__route_id")


@lru_cache(maxsize=16)
def _routes(feed_pk: int) -> dict[int, Route]:
    """{pk: Route} of a feed version (read once per process and version: a version never changes)."""
    return {r.pk: r for r in Route.objects.filter(feed_id=feed_pk)}


def departures(stop: Stop, when: datetime, limit: int, language: str | None,
               realtime: realtime_boards.BoardRealtime | None = None) -> list[dict]:
    """Up to `limit` departures at `stop` (a station: all its platforms) from `when` on, in expected order (the
    estimate where real time has one), with real time (`realtime`: the feed's state read once per board,
    planner.realtime.boards): a late vehicle whose scheduled time has passed is still on the board, ADDED
    trips are on it; cancelled ones are flagged and do not count towards `limit`."""
    feed = stop.feed
    realtime = realtime or realtime_boards.BoardRealtime.read(feed.name)
    wanted = limit
    limit += min(50, len(realtime.canceled_near(when.date())))
    feed_pk, tz = service_days.feed_of(feed)
    stops = {s.pk: s for s in platforms(stop)}
    local = when.astimezone(tz)
    found: list[tuple[datetime, object, dict]] = []
    for start, end in SPANS_S:
        windows, days = [], []
        for offset in (-1, 0, 1, 2):  # trips past 24:00 of the day before; up to 30 h ahead
            day = local.date() + timedelta(days=offset)
            base = service_days.day_base(day, tz)
            at = int((when - base).total_seconds())
            lo, hi = max(at + start - (realtime.looks_back(day) if start == 0 else 0), 0), at + end
            if hi <= 0 or lo > 48 * 3600:
                continue
            running = service_days.services_on(feed_pk, day)
            if running:
                windows.append((running, lo, hi))
                days.append((day, base))
            found += _added_rows(feed, stops, realtime, day, base, max(at + start, 0), hi)
        for w, row in _rows(feed_pk, list(stops), windows, limit):
            day, base = days[w]
            found.append((base + timedelta(seconds=row["departure_s"]), day, row))
        if len(found) >= limit:  # every later span only holds later departures
            break
    routes = _routes(feed_pk)
    items = []
    for at, day, row in found:
        item = _departure(feed, stops[row["stop_id"]], routes[row["trip__route_id"]], at, day, row, tz, language)
        item.update(realtime.departure_fields(row["trip__trip_id"], day, row["stop_sequence"],
                                              at.astimezone(tz), service_days.day_base(day, tz), row.get("added")))
        expected = datetime.fromisoformat(item["estimated_departure"]) if item["estimated_departure"] else at
        if at >= when or (expected >= when and not item["canceled"]):  # a passed row only if it is late
            items.append((expected, item))
    items.sort(key=lambda pair: (pair[0], pair[1]["trip_id"]))
    out, kept = [], 0
    for _, item in items:
        if kept >= wanted:
            break
        kept += not item["canceled"]
        out.append(item)
    return out


def _added_rows(feed, stops: dict, realtime, day, base, lo: int, hi: int) -> list[tuple]:
    """Board rows (like `_rows`') of the ADDED trips departing in [lo, hi) s of service day `day`."""
    by_id = {s.stop_id: pk for pk, s in stops.items()}
    rows = realtime.added_rows(set(by_id), day, lo, hi)
    if not rows:
        return []
    routes = dict(Route.objects.filter(feed_id=feed.pk, route_id__in={r["route_id"] for r in rows})
                  .values_list("route_id", "pk"))
    trips = {t["trip_id"]: t for t in Trip.objects.filter(feed_id=feed.pk, trip_id__in={r["of"] for r in rows})
             .values("trip_id", "headsign", "wheelchair_accessible")}
    out = []
    for r in rows:
        if r["route_id"] not in routes:
            continue
        trip = trips.get(r["of"], {})
        out.append((base + timedelta(seconds=r["departure_s"]), day, {
            "departure_s": r["departure_s"], "stop_id": by_id[r["stop_id"]], "stop_sequence": r["stop_sequence"],
            "stop_headsign": "", "trip__trip_id": r["trip_id"], "trip__headsign": trip.get("headsign", ""),
            "trip__wheelchair_accessible": trip.get("wheelchair_accessible", 0),
            "trip__route_id": routes[r["route_id"]], "added": r}))
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
