"""GTFS-Realtime vehicle positions -> plain dicts (trip matched to the static timetable when possible)."""
from __future__ import annotations

from google.transit import gtfs_realtime_pb2 as rt

from planner.realtime import matching

VP = rt.VehiclePosition
OCCUPANCY = {v.number: v.name for v in VP.DESCRIPTOR.enum_types_by_name["OccupancyStatus"].values}
STATUS = {v.number: v.name for v in VP.DESCRIPTOR.enum_types_by_name["VehicleStopStatus"].values}


def parse(message, index, now_ts: int) -> tuple[list[dict], dict]:
    out, counts = [], {"entities": 0, "vehicles": 0, "matched": 0, "unmatched": 0, "without_position": 0}
    header_ts = int(message.header.timestamp or now_ts)
    for entity in message.entity:
        counts["entities"] += 1
        if not entity.HasField("vehicle"):
            continue
        v = entity.vehicle
        counts["vehicles"] += 1
        if not v.HasField("position"):
            counts["without_position"] += 1
            continue
        trip_id = None
        if v.HasField("trip") and index is not None:
            trip, _, _ = matching.match(index, v.trip, now_ts)
            trip_id = trip.trip_id if trip else None
        counts["matched" if trip_id else "unmatched"] += 1
        p = v.position
        out.append({
            "vehicle_id": v.vehicle.id or entity.id, "label": v.vehicle.label or None, "trip_id": trip_id,
            "route_id": v.trip.route_id or (index.trips[trip_id].route_id if trip_id else None),
            "lat": round(p.latitude, 6), "lon": round(p.longitude, 6),
            "bearing": round(p.bearing, 1) if p.HasField("bearing") else None,
            "speed_mps": round(p.speed, 1) if p.HasField("speed") else None,
            "occupancy": OCCUPANCY.get(v.occupancy_status) if v.HasField("occupancy_status") else None,
            "current_status": STATUS.get(v.current_status) if v.HasField("current_status") else None,
            "stop_id": v.stop_id or None,
            "timestamp": int(v.timestamp or header_ts),
        })
    return out, counts
