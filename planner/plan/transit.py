"""Candidates: public transport itineraries from the routing engine."""
from __future__ import annotations

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
        _explain(plan)
    plan.itineraries += found


def _explain(plan: Plan) -> None:
    """Why transit found nothing (planner.timetable.diagnosis: walk limit, service hours, else no
    connection), into the plan's routing_errors."""
    from planner.timetable.diagnosis import note_transit

    req = plan.request
    note_transit(plan.errors, req.origin, req.destination, req.departure or req.arrival,
                 arrive_by=req.departure is None, max_walk_m=req.max_walk_m, origin_stop=req.origin_stop_id,
                 destination_stop=req.destination_stop_id)
