"""Door-to-door street legs (walk, bike, city bike, scooter, car, taxi).

With an active OSM network a leg follows its shortest street path (planner.osm.street_legs: geometry,
polyline, distance along the path, steps for walk/bike) at a typical urban speed per mode. Without one,
distances are crow-fly x a per-mode detour factor and the leg says so (`crow_fly: true`).
Shared-vehicle legs carry the booking reference the bookings app needs.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from maas.geo import distance_m
from planner.emissions import leg_co2_g
from planner.osm import street_legs
from planner.osm.path_legs import encode_polyline

# mode -> (detour factor, metres per second)
PROFILES = {
    "walk": (1.3, 1.2),
    "bike": (1.25, 4.4),  # 16 km/h
    "city_bike": (1.25, 4.2),
    "scooter": (1.25, 4.2),  # 15 km/h
    "car": (1.4, 8.3),  # 30 km/h door to door in the city
    "taxi": (1.4, 8.3),  # a car on the same streets, no parking at the end
}
CAR_PARKING_S = 180  # finding a space at the end of a car leg


def crow_m(a, b):
    """Great-circle metres between (lat, lon) pairs."""
    return distance_m(a[0], a[1], b[0], b[1])


def point(name, lat, lon, stop_id=None):
    return {"name": name, "stop_id": stop_id, "lat": lat, "lon": lon}


def add_s(when: datetime, secs: float) -> datetime:
    """`when` + secs of elapsed time, in `when`'s zone (UTC arithmetic: right across DST changes).

    Plain `aware + timedelta` is wall-clock arithmetic in Python and can land on a local time that
    does not exist (02:59 + 22 min on a spring-forward night gave 03:21+02:00 instead of 04:21+03:00).
    """
    return (when.astimezone(timezone.utc) + timedelta(seconds=secs)).astimezone(when.tzinfo)


def leg(mode, a: dict, b: dict, start: datetime, *, booking=None, extra_s=0, path=None, ride_s=None,
        speed=None) -> dict:
    """One street leg from point a to point b starting at `start` (aware datetime).

    `path`: a street_legs.routed() answer computed by the caller (else routed here); `ride_s`: the
    caller's moving time (e.g. slowed by speed-limit zones) instead of distance / the mode's speed;
    `speed`: metres per second instead of the mode's typical speed (a resident's walking pace)."""
    detour, typical = PROFILES[mode]
    speed = speed or typical
    path = path or street_legs.routed(mode, a, b)
    if path is not None:
        meters = path["distance_m"]
    else:
        meters = crow_m((a["lat"], a["lon"]), (b["lat"], b["lon"])) * detour
        straight = [[round(a["lon"], 6), round(a["lat"], 6)], [round(b["lon"], 6), round(b["lat"], 6)]]
        path = {"geometry": {"type": "LineString", "coordinates": straight},
                "polyline": encode_polyline([tuple(c) for c in straight])}
    secs = (int(round(meters / speed)) if ride_s is None else int(ride_s)) + extra_s
    start = add_s(start, 0)  # normalized: a wall time inside a DST gap moves forward
    out = {
        "mode": mode, "transit": False, "route_id": None, "route_short_name": None, "route_color": None,
        "trip_id": None, "from": a, "to": b, "start_time": start.isoformat(),
        "end_time": add_s(start, secs).isoformat(), "duration_s": secs,
        "distance_m": int(round(meters)), "geometry": path["geometry"], "polyline": path["polyline"],
        "co2_g": leg_co2_g(mode, meters), "crow_fly": "distance_m" not in path, "booking": booking, "zones": None,
    }
    if "steps" in path:
        out["steps"] = path["steps"]
    return out


def itinerary(legs: list[dict]) -> dict:
    """Wrap legs (chained in time) into the itinerary shape of docs/interfaces.md."""
    start = datetime.fromisoformat(legs[0]["start_time"])
    end = datetime.fromisoformat(legs[-1]["end_time"])
    return {
        "start_time": legs[0]["start_time"], "end_time": legs[-1]["end_time"],
        "duration_s": int((end - start).total_seconds()), "transfers": 0,
        "walk_distance_m": sum(x["distance_m"] for x in legs if x["mode"] == "walk"),
        "co2_g": sum(x["co2_g"] for x in legs), "legs": legs,
    }


def chain(specs, start: datetime, walk_mps=None) -> list[dict]:
    """Legs [(mode, a, b, booking, extra_s[, {"path", "ride_s"}])] one after the other from `start`;
    walk legs at `walk_mps` metres per second when given."""
    out, t = [], start
    for mode, a, b, booking, extra_s, *routing in specs:
        item = leg(mode, a, b, t, booking=booking, extra_s=extra_s, speed=walk_mps if mode == "walk" else None,
                   **(routing[0] if routing else {}))
        out.append(item)
        t = add_s(t, item["duration_s"])  # keep start's zone: an ISO string only has a fixed offset
    return out


def shift_to_arrive(legs: list[dict], arrival: datetime) -> list[dict]:
    """Re-time chained legs so the last one ends at `arrival` (offsets in arrival's zone)."""
    delta = arrival.timestamp() - datetime.fromisoformat(legs[-1]["end_time"]).timestamp()
    for x in legs:
        for key in ("start_time", "end_time"):
            x[key] = add_s(datetime.fromisoformat(x[key]).astimezone(arrival.tzinfo), delta).isoformat()
    return legs
