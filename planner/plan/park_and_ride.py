"""Candidates: drive to a park-and-ride facility with a free space, then transit (departures only)."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from maas.parking import selectors as parking_selectors
from planner import street
from planner.engines.base import EngineUnavailable, PlanRequest
from planner.plan.plan import Plan
from planner.plan.validate import unavailable

PARK_AND_RIDE_RADIUS_M = 5000
MAX_FACILITIES = 2


def add_park_and_ride(plan: Plan) -> None:
    req = plan.request
    if "car" not in req.modes or "transit" not in req.modes or req.arrival or plan.engine is None:
        return
    day = timezone.localtime(req.departure).date()
    facilities = parking_selectors.park_and_ride_options(*req.origin, PARK_AND_RIDE_RADIUS_M, day)
    for facility in facilities[:MAX_FACILITIES]:
        p = street.point(facility["name"], facility["lat"], facility["lon"])
        o = street.point(_("Origin"), *req.origin)
        drive = street.chain([("car", o, p, None, street.CAR_PARKING_S)], req.departure)
        transit_req = PlanRequest(origin=(facility["lat"], facility["lon"]), destination=req.destination,
                                  departure=datetime.fromisoformat(drive[-1]["end_time"]),
                                  modes=frozenset({"walk", "transit"}), wheelchair=req.wheelchair,
                                  max_walk_m=req.max_walk_m, walk_speed_mps=req.walk_speed_mps,
                                  language=req.language, num_itineraries=1,
                                  destination_stop_id=req.destination_stop_id)
        try:
            found = plan.engine.plan(transit_req)[:1]
        except EngineUnavailable as exc:
            raise unavailable(exc)
        for it in found:
            merged = street.itinerary(drive + it["legs"])
            merged["transfers"] = it["transfers"]
            merged["park_and_ride"] = {"facility_id": facility["facility_id"], "free_spaces": facility["free_spaces"]}
            plan.itineraries.append(merged)
