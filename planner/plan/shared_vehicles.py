"""Candidates: shared vehicles near the origin (city bike station to station, free-floating scooter)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from maas.geo import distance_m
from planner import street
from planner.plan.direct import add_chains, endpoints
from planner.plan.plan import Plan
from providers import selectors as provider_selectors

SHARED_RADIUS_M = 500


def city_bike_chain(plan: Plan, o, d):
    """Walk to the nearest fresh station with a bike, ride to a station of the same provider with a free
    dock near the destination, walk on; None when there is no such pair."""
    req = plan.request
    pick = provider_selectors.stations_near(*req.origin, SHARED_RADIUS_M, kind="bike_share", min_bikes=1)
    drop = provider_selectors.stations_near(*req.destination, SHARED_RADIUS_M, kind="bike_share", min_docks=1)
    pick = [s for s in pick if s["fresh"]]
    if not (pick and drop):
        return None
    a, b = pick[0], next((s for s in drop if s["provider_id"] == pick[0]["provider_id"]), None)
    if not b or b["station_id"] == a["station_id"]:
        return None
    sa, sb = (street.point(a["name"], a["lat"], a["lon"]), street.point(b["name"], b["lat"], b["lon"]))
    booking = {"provider_id": a["provider_id"], "vehicle_id": None, "station_id": a["station_id"],
               "end_station_id": b["station_id"]}
    return [("walk", o, sa, None, 0), ("city_bike", sa, sb, booking, 0), ("walk", sb, d, None, 0)]


def scooter_chain(plan: Plan, o, d):
    """Walk to the nearest scooter with the range for the trip that may be parked at the destination."""
    req = plan.request
    distance = distance_m(*req.origin, *req.destination)
    for v in provider_selectors.vehicles_near(*req.origin, SHARED_RADIUS_M, kind="scooter"):
        if v.get("range_m") is not None and v["range_m"] < distance * street.PROFILES["scooter"][0]:
            continue
        if not provider_selectors.parking_allowed_at(v["provider_id"], *req.destination,
                                                     vehicle_type_id=v.get("vehicle_type")):
            continue
        sv = street.point(_("Scooter"), v["lat"], v["lon"])
        booking = {"provider_id": v["provider_id"], "vehicle_id": v["vehicle_id"], "station_id": None,
                   "end_station_id": None}
        return [("walk", o, sv, None, 0), ("scooter", sv, d, booking, 0)]
    return None


def add_shared_vehicles(plan: Plan) -> None:
    o, d = endpoints(plan)
    chains = []
    if "city_bike" in plan.request.modes:
        chains.append(city_bike_chain(plan, o, d))
    if "scooter" in plan.request.modes:
        chains.append(scooter_chain(plan, o, d))
    add_chains(plan, [c for c in chains if c])
