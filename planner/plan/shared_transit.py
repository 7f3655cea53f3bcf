"""Candidates: a shared vehicle or a taxi as the first or last leg to transit (scooter -> metro, metro -> city bike).

For each requested vehicle mode and side, planner.shared_access builds the engine's access (or egress) table
from one street search, the engine answers one search seeded with it, and the walk to (from) the chosen stop
is replaced by the ride's legs. Offered when it arrives earlier (arrive-by: leaves later) than plain transit.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from planner import shared_access, street
from planner.engines.base import EngineUnavailable
from planner.osm import street_legs
from planner.plan.direct import endpoints
from planner.plan.plan import Plan
from planner.plan.validate import unavailable

LINKS = {  # (mode, side) -> builder(request, point, engine, street graph) -> shared_access.Link | None
    ("scooter", "access"): shared_access.scooter_access, ("scooter", "egress"): shared_access.scooter_egress,
    ("city_bike", "access"): shared_access.city_bike_access, ("city_bike", "egress"): shared_access.city_bike_egress,
    ("taxi", "access"): shared_access.taxi_access, ("taxi", "egress"): shared_access.taxi_egress,
}


def add_shared_transit(plan: Plan) -> None:
    req = plan.request
    modes = [m for m in ("scooter", "city_bike", "taxi") if m in req.modes]
    if "transit" not in req.modes or plan.engine is None or not modes:
        return
    o, d = endpoints(plan)
    g = street_legs.graph()
    best = _plain_transit_best(plan)
    for mode in modes:
        for side, point, at_stop in (("access", o, req.origin_stop_id), ("egress", d, req.destination_stop_id)):
            link = None if at_stop else LINKS[mode, side](req, point, plan.engine, g)
            if link is None or not link.table:
                continue
            sub = replace(req, modes=frozenset({"walk", "transit"}), num_itineraries=1, **{side: link.table})
            try:
                found = plan.engine.plan(sub)[:1]
            except EngineUnavailable as exc:
                raise unavailable(exc)
            for it in found:
                merged = splice(it, link, side, req.walk_speed_mps)
                if merged is not None and _better(merged, best, req):
                    plan.itineraries.append(merged)


def splice(it: dict, link, side: str, walk_mps=None) -> dict | None:
    """The engine's itinerary with its walk to the first (from the last) stop replaced by the link's legs."""
    legs = it["legs"]
    edge = legs[0] if side == "access" else legs[-1]
    stop = edge["to"] if side == "access" else edge["from"]
    if edge["transit"] or edge["mode"] != "walk" or not stop.get("stop_id"):
        return None
    if side == "access":
        ride = street.chain(link.specs(stop), datetime.fromisoformat(edge["end_time"]), walk_mps=walk_mps)
        legs = street.shift_to_arrive(ride, datetime.fromisoformat(edge["end_time"])) + legs[1:]
    else:
        legs = legs[:-1] + street.chain(link.specs(stop), datetime.fromisoformat(edge["start_time"]), walk_mps)
    out = {**it, **street.itinerary(legs)}
    out["transfers"] = it["transfers"]
    return out


def _plain_transit_best(plan: Plan):
    """The earliest arrival (arrive-by: latest departure) of the plan's walk-and-transit itineraries, or None."""
    plain = [it for it in plan.itineraries
             if any(leg["transit"] for leg in it["legs"]) and all(leg["transit"] or leg["mode"] == "walk"
                                                                  for leg in it["legs"])]
    if not plain:
        return None
    key = "start_time" if plan.request.arrival else "end_time"
    times = [datetime.fromisoformat(it[key]) for it in plain]
    return max(times) if plan.request.arrival else min(times)


def _better(it: dict, best, req) -> bool:
    if req.arrival:
        end = datetime.fromisoformat(it["end_time"])
        return end <= req.arrival and (best is None or datetime.fromisoformat(it["start_time"]) > best)
    return best is None or datetime.fromisoformat(it["end_time"]) < best
