"""Candidates: door to door on foot, by bike or by car (street legs, no transit)."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from maas.geo import distance_m
from planner import routing_errors, street
from planner.osm import street_legs
from planner.plan.plan import Plan

WALK_ONLY_LIMIT_M = 3000


def endpoints(plan: Plan):
    """The request's origin and destination as street points."""
    req = plan.request
    return (street.point(_("Origin"), *req.origin, req.origin_stop_id),
            street.point(_("Destination"), *req.destination, req.destination_stop_id))


def add_chains(plan: Plan, chains) -> None:
    """Itineraries from leg chains [(mode, a, b, booking, extra_s)], timed from the request's departure
    (or re-timed to end at its arrival)."""
    req = plan.request
    for specs in chains:
        legs = street.chain(specs, req.departure or req.arrival, walk_mps=req.walk_speed_mps)
        if req.arrival:
            street.shift_to_arrive(legs, req.arrival)
        plan.itineraries.append(street.itinerary(legs))


def crow_fly_max_m() -> int:
    """Without a street network, walk-only and bike-only trips longer than this (straight line) are not offered."""
    return int(getattr(settings, "PLAN_CROW_FLY_MAX_M", 1500))


def add_direct(plan: Plan) -> None:
    req = plan.request
    o, d = endpoints(plan)
    distance = distance_m(*req.origin, *req.destination)
    on_streets = street_legs.graph() is not None
    chains = []
    for mode in ("walk", "bike"):
        if mode in req.modes and not on_streets and distance > crow_fly_max_m():
            routing_errors.note(plan.errors, mode, "too_far_without_street_network",
                                max_distance_m=crow_fly_max_m())
    if "walk" in req.modes and (distance * street.PROFILES["walk"][0] <= max(req.max_walk_m, WALK_ONLY_LIMIT_M)
                                or req.modes == {"walk"}) and not req.wheelchair and "walk" not in plan.errors:
        chains.append([("walk", o, d, None, 0)])
    if "bike" in req.modes and "bike" not in plan.errors:
        chains.append([("bike", o, d, None, 0)])
    if "car" in req.modes:
        chains.append([("car", o, d, None, street.CAR_PARKING_S)])
    add_chains(plan, chains)
