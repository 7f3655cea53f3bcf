"""ADDED trips of a trip-updates feed: vehicles that are not a static trip of their own.

Two kinds, one shape in the document's "added" map ({"<entity id>|<YYYYMMDD>": entry}):
- an extra vehicle on a static trip (HSL: same route, direction and start time, or the static trip_id): the
  static trip's stops and its own estimates (`of`: the static trip_id);
- a new trip (other feeds: a new trip_id with stop_time_updates): its stops and times from the updates, which
  must carry stop_id and absolute times (a delay means nothing without a schedule).
Entry: {"of", "trip_id", "route_id", "direction_id", "stops", "seqs", "arr", "dep", "skipped"}; times in seconds of
the service day, like the scheduled trips' estimates.
"""
from __future__ import annotations

from planner.realtime import matching


def added_trip(index, desc, updates, now_ts: int, trip_delay=None):
    """(entry, service day, None) or (None, day or None, reason) for one ADDED TripUpdate."""
    base = index.trips.get(desc.trip_id) if desc.trip_id else None
    if base is None and desc.trip_id:  # a new trip_id: its own stop times, else an extra vehicle of route+start
        day = matching.service_day(index, desc, None, now_ts)
        entry = new_trip(desc, updates, index.epoch_base(day)) if day is not None and desc.route_id else None
        if entry is not None:
            return entry, day, None
    if base is None:
        base, _, reason = matching.match(index, _without_trip_id(desc), now_ts)
        if base is None:
            return None, None, "added_" + reason
    day = matching.service_day(index, desc, base, now_ts)
    if day is None:
        return None, None, "no_service_day"
    arr, dep, skipped, _ = matching.estimate(base, index.epoch_base(day), updates, trip_delay)
    return {"of": base.trip_id, "trip_id": base.trip_id, "route_id": base.route_id,
            "direction_id": base.direction_id, "stops": list(base.stops), "seqs": list(base.seqs),
            "arr": arr, "dep": dep, "skipped": skipped, "sdep": base.dep.tolist()}, day, None


def _without_trip_id(desc):
    copy = type(desc)()
    copy.CopyFrom(desc)
    copy.ClearField("trip_id")
    return copy


def new_trip(desc, updates, base: int) -> dict | None:
    """The entry of a trip the static feed does not have, from updates with stop_id and absolute times."""
    stops, seqs, arr, dep, skipped = [], [], [], [], []
    for u in updates:
        a = int(u.arrival.time) - base if u.HasField("arrival") and u.arrival.time else None
        d = int(u.departure.time) - base if u.HasField("departure") and u.departure.time else None
        if not u.stop_id or (a is None and d is None):
            continue
        a = d if a is None else a
        d = a if d is None else max(a, d)
        if arr and a < dep[-1]:
            a = dep[-1]  # never before the previous stop
            d = max(a, d)
        if u.schedule_relationship == matching.SKIPPED:
            skipped.append(len(stops))
        stops.append(u.stop_id)
        seqs.append(int(u.stop_sequence) if u.HasField("stop_sequence") else len(seqs) + 1)
        arr.append(a)
        dep.append(d)
    if len(stops) < 2:
        return None
    return {"of": None, "trip_id": desc.trip_id, "route_id": desc.route_id,
            "direction_id": desc.direction_id if desc.HasField("direction_id") else None,
            "stops": stops, "seqs": seqs, "arr": arr, "dep": dep, "skipped": skipped}
