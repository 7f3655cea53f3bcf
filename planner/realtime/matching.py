"""Matching a GTFS-Realtime TripDescriptor to a static trip, and a trip's estimated times from its updates.

Matching: by trip_id; a frequency-based trip by trip_id + start_time (its expanded `-freq-` trip); without
trip_id (HSL) by (route_id, direction_id, start_date, start_time). Stop updates: SCHEDULED (a time or
delay), SKIPPED, NO_DATA; a delay carries on to later stops without updates, and no estimated time is
earlier than the previous stop's.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from google.transit import gtfs_realtime_pb2 as rt

TD = rt.TripDescriptor
STU = rt.TripUpdate.StopTimeUpdate
NO_DATA, SKIPPED = STU.NO_DATA, STU.SKIPPED


def hms(text: str) -> int | None:
    try:
        h, m, s = (int(x) for x in text.split(":"))
    except ValueError:
        return None
    return h * 3600 + m * 60 + s


@lru_cache(maxsize=64)
def _yyyymmdd(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def service_day(index, trip_desc, trip=None, now_ts: int | None = None) -> date | None:
    """The service date of a trip descriptor: start_date, else the day (today or yesterday, in the
    feed's time zone) on which the matched trip runs and is nearest to now."""
    if trip_desc.start_date:
        return _yyyymmdd(trip_desc.start_date)
    today = datetime.fromtimestamp(now_ts, index.tz).date()
    days = [today, today - timedelta(days=1)]
    if trip is not None:
        days = [d for d in days if index.runs_on(trip.service_id, d)]
    return days[0] if days else None


def match(index, desc, now_ts):
    """(static trip or None, service day or None, reason when unmatched)."""
    start = hms(desc.start_time) if desc.start_time else None
    if desc.trip_id:
        trip = index.trips.get(desc.trip_id)
        if start is not None and (trip is None or int(trip.dep[0]) != start):
            freq = index.by_template.get((desc.trip_id, start))
            trip = index.trips.get(freq) if freq else trip
        if trip is None:
            return None, None, "unknown_trip_id"
        return trip, service_day(index, desc, trip, now_ts), None
    if not desc.route_id or start is None:
        return None, None, "no_trip_id_and_no_route_start"
    direction = desc.direction_id if desc.HasField("direction_id") else None
    day = service_day(index, desc, None, now_ts)
    candidates = [index.trips[t] for t in index.by_start.get((desc.route_id, direction, start), ())]
    if day is not None:
        candidates = [t for t in candidates if index.runs_on(t.service_id, day)]
    if len(candidates) != 1:
        return None, None, "no_matching_trip" if not candidates else "ambiguous_trip"
    return candidates[0], day or service_day(index, desc, candidates[0], now_ts), None


def _event_time(event, scheduled, base):
    """Estimated seconds (service-day frame) of a StopTimeEvent, or None when it carries nothing."""
    if event.HasField("time") and event.time:
        return int(event.time) - base
    if event.HasField("delay"):
        return int(scheduled) + int(event.delay)
    return None


def estimate(trip, base: int, updates, trip_delay=None):
    """(est_arr list, est_dep list, skipped positions, positions with real-time data) for one trip.

    `updates`: StopTimeUpdates; positions found by stop_sequence, else by stop_id after the previous one.
    """
    n = len(trip.stops)
    pos_of_seq = {s: i for i, s in enumerate(trip.seqs)}
    at: dict = {}
    last = -1
    for u in updates:
        i = pos_of_seq.get(u.stop_sequence) if u.HasField("stop_sequence") else None
        if i is None and u.stop_id:
            i = next((k for k in range(last + 1, n) if trip.stops[k] == u.stop_id), None)
        if i is None:
            continue
        at[i] = u
        last = i
    arr = trip.arr.tolist()
    dep = trip.dep.tolist()
    skipped, known = [], []
    carry = trip_delay if not at else None  # TripUpdate.delay applies where no stop update says otherwise
    for i in range(n):
        u = at.get(i)
        if u is not None:
            rel = u.schedule_relationship
            if rel == NO_DATA:
                carry = None
            else:
                a = _event_time(u.arrival, arr[i], base) if u.HasField("arrival") else None
                d = _event_time(u.departure, dep[i], base) if u.HasField("departure") else None
                if a is None and d is None and carry is not None:
                    a, d = arr[i] + carry, dep[i] + carry
                if a is not None or d is not None:
                    a_delay = (a - arr[i]) if a is not None else (d - dep[i])
                    d_delay = (d - dep[i]) if d is not None else a_delay
                    arr[i] += a_delay
                    dep[i] += d_delay
                    carry = d_delay
                    known.append(i)
                if rel == SKIPPED:
                    skipped.append(i)
        elif carry is not None:
            arr[i] += carry
            dep[i] += carry
            known.append(i)
        if i and arr[i] < dep[i - 1]:
            arr[i] = dep[i - 1]  # never before the previous stop
        if dep[i] < arr[i]:
            dep[i] = arr[i]
    return arr, dep, skipped, known
