"""GTFS-Realtime trip updates -> the trip-updates document: estimated times per static trip and service day.

Matching and estimates: `matching`. Trip relationships: SCHEDULED, CANCELED (also DELETED), ADDED (`added`:
extra vehicles and new trips), DUPLICATED. What cannot be matched is counted (and a few samples kept), never
fatal.
"""
from __future__ import annotations

from planner.realtime import added as added_trips
from planner.realtime.matching import TD, estimate, match

MAX_SAMPLES = 20


def apply(index, message, now_ts: int) -> dict:
    """The trip-updates document of one FeedMessage: {"trips": {"<trip_id>|<YYYYMMDD>": {...}}, "added":
    {"<entity id>|<YYYYMMDD>": {...}} (`added`), counts, unmatched samples}. A trip's "late_s" is its largest
    delay at any stop (how far back a board or a search must look for it)."""
    trips: dict = {}
    extra: dict = {}
    counts = {"entities": 0, "trip_updates": 0, "matched": 0, "unmatched": 0, "canceled": 0, "added": 0,
              "duplicated": 0, "stop_time_updates": 0}
    unmatched = []

    def missed(entity, desc, reason):
        counts["unmatched"] += 1
        if len(unmatched) < MAX_SAMPLES:
            unmatched.append({"entity": entity.id, "trip_id": desc.trip_id, "route_id": desc.route_id,
                              "start_date": desc.start_date, "start_time": desc.start_time, "reason": reason})

    for entity in message.entity:
        counts["entities"] += 1
        if not entity.HasField("trip_update"):
            continue
        tu = entity.trip_update
        counts["trip_updates"] += 1
        counts["stop_time_updates"] += len(tu.stop_time_update)
        desc = tu.trip
        rel = desc.schedule_relationship
        delay = int(tu.delay) if tu.HasField("delay") else None
        if rel in (TD.ADDED, getattr(TD, "NEW", -1)):
            counts["added"] += 1  # an extra vehicle (HSL) or an unscheduled trip: not in the static network
            entry, day, reason = added_trips.added_trip(index, desc, tu.stop_time_update, now_ts, delay)
            if entry is None:
                missed(entity, desc, reason)
            else:
                extra[f"{entity.id}|{day:%Y%m%d}"] = entry
            continue
        if rel == getattr(TD, "DUPLICATED", -1):
            counts["duplicated"] += 1
            continue
        trip, day, reason = match(index, desc, now_ts)
        if trip is None or day is None:
            missed(entity, desc, reason or "no_service_day")
            continue
        counts["matched"] += 1
        key = f"{trip.trip_id}|{day:%Y%m%d}"
        if rel in (TD.CANCELED, getattr(TD, "DELETED", -1)):
            counts["canceled"] += 1
            trips[key] = {"canceled": True}
            continue
        arr, dep, skipped, known = estimate(trip, index.epoch_base(day), tu.stop_time_update, delay)
        late = max(0, max(d - s for d, s in zip(dep, trip.dep.tolist())))
        trips[key] = {"arr": arr, "dep": dep, "skipped": skipped, "known": known, "seqs": list(trip.seqs),
                      "late_s": late}
    return {"trips": trips, "added": extra, "counts": counts, "unmatched": unmatched}
