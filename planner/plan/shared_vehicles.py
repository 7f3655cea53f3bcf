"""Candidates: shared vehicles near the origin (city bike station to station, free-floating scooter).

The chains come from planner.shared_rides (streets, geofencing, docks); a mode that finds nothing says
why in the plan's routing_errors.
"""
from __future__ import annotations

from planner import routing_errors, shared_rides
from planner.plan.direct import add_chains, endpoints
from planner.plan.plan import Plan

BUILDERS = {"city_bike": shared_rides.city_bike_chain, "scooter": shared_rides.scooter_chain}


def add_shared_vehicles(plan: Plan) -> None:
    req = plan.request
    o, d = endpoints(plan)
    chains = []
    for mode, build in BUILDERS.items():
        if mode not in req.modes:
            continue
        chain, reason = build(req.origin, req.destination, o, d)
        if chain:
            chains.append(chain)
        else:
            routing_errors.note(plan.errors, mode, reason)
    add_chains(plan, chains)
