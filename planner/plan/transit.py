"""Candidates: public transport itineraries from the routing engine."""
from __future__ import annotations

from planner import routing_errors
from planner.engines.base import EngineUnavailable
from planner.plan.plan import Plan
from planner.plan.validate import unavailable


def add_transit(plan: Plan) -> None:
    if "transit" not in plan.request.modes or plan.engine is None:
        return
    try:
        found = plan.engine.plan(plan.request)
    except EngineUnavailable as exc:
        raise unavailable(exc)
    if not found:
        routing_errors.note(plan.errors, "transit", "no_transit_connection")
    plan.itineraries += found
