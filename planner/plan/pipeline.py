"""POST /api/v1/plans as a fixed sequence of steps over one Plan (planner.plan.plan.Plan).

`plan_trip` validates the request once, then runs STEPS in order; each step reads and changes the
Plan (its engine and itineraries) and may raise ApiError / ServiceUnavailable. To add a step, write a
function `step(plan: Plan) -> None` in a module named for what it does and put it in STEPS where it
belongs: candidates add itineraries, filters drop or reorder them, decorations and pricing annotate
the ones that are left.
"""
from __future__ import annotations

from collections.abc import Callable

from planner import routing_errors
from planner.osm import street_legs
from planner.plan import (
    direct,
    draw,
    filters,
    park_and_ride,
    price,
    shared_transit,
    shared_vehicles,
    taxi,
    transit,
    transit_shapes,
    validate,
)
from planner.plan.plan import Plan

STEPS: tuple[Callable[[Plan], None], ...] = (
    validate.check_network,                # the engine; the request inside its area (and service dates)
    transit.add_transit,                   # candidates: public transport
    park_and_ride.add_park_and_ride,       # candidates: car to a P+R facility, then public transport
    direct.add_direct,                     # candidates: walk, bike, car door to door
    shared_vehicles.add_shared_vehicles,   # candidates: city bike, scooter
    taxi.add_taxi,                         # candidates: taxi door to door (bookable)
    shared_transit.add_shared_transit,     # candidates: scooter / city bike / taxi to or from transit
    draw.draw_street_paths,                # decoration: engine walk legs on the streets, street polylines
    filters.within_walk_limit,             # filter: max_walk_m
    filters.best_first,                    # filter: order, at most MAX_ITINERARIES
    transit_shapes.draw_transit_legs,      # decoration: transit legs along shapes.txt, stops passed, polylines
    price.add_prices,                      # pricing through billing
)


def plan_trip(user, params: dict) -> dict:
    """{"itineraries": priced, best first, "routing_errors": why requested modes found nothing, "feeds": the
    feed versions of the network that answered} for a resident's trip request (serializer data)."""
    plan = Plan(user=user, params=params, request=validate.build_request(params))
    with street_legs.one_lookup():  # the active street network read once per request
        for step in STEPS:
            step(plan)
    return {"itineraries": plan.itineraries,
            "routing_errors": routing_errors.answer(plan.errors, plan.itineraries, plan.request.modes),
            "feeds": plan.feeds}
