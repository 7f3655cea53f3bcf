"""Candidates: door to door on foot, by bike or by car (street legs, no transit)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from maas.geo import distance_m
from planner import street
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
        legs = street.chain(specs, req.departure or req.arrival)
        if req.arrival:
            street.shift_to_arrive(legs, req.arrival)
        plan.itineraries.append(street.itinerary(legs))


def add_direct(plan: Plan) -> None:
    req = plan.request
    o, d = endpoints(plan)
    distance = distance_m(*req.origin, *req.destination)
    chains = []
    if "walk" in req.modes and (distance * street.PROFILES["walk"][0] <= max(req.max_walk_m, WALK_ONLY_LIMIT_M)
                                or req.modes == {"walk"}) and not req.wheelchair:
        chains.append([("walk", o, d, None, 0)])
    if "bike" in req.modes:
        chains.append([("bike", o, d, None, 0)])
    if "car" in req.modes:
        chains.append([("car", o, d, None, street.CAR_PARKING_S)])
    add_chains(plan, chains)
