"""Filters over the candidates: the walk limit, then the best few in order."""
from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from maas.api.errors import ApiError
from planner import routing_errors
from planner.plan.plan import Plan

MAX_ITINERARIES = 5


def longest_walk_m(itinerary: dict) -> int:
    return max((leg["distance_m"] for leg in itinerary["legs"] if leg["mode"] == "walk"), default=0)


def main_mode(itinerary: dict) -> str:
    """The requested mode an itinerary answers: transit if it rides, else its vehicle mode, else walk."""
    modes = {leg["mode"] for leg in itinerary["legs"]}
    if any(leg["transit"] for leg in itinerary["legs"]):
        return "transit"
    return next((m for m in ("city_bike", "scooter", "taxi", "car", "bike") if m in modes), "walk")


def within_walk_limit(plan: Plan) -> None:
    """Keep itineraries whose every walk leg is <= max_walk_m, when the client gave one.

    400 `no_itinerary_within_limits` when there were itineraries but the limit rules out every one."""
    limit, itineraries = plan.params.get("max_walk_m"), plan.itineraries
    if limit is None or not itineraries:
        return
    kept = [it for it in itineraries if longest_walk_m(it) <= limit]
    for mode in set(map(main_mode, itineraries)) - set(map(main_mode, kept)):
        routing_errors.note(plan.errors, mode, "walk_limit_excluded_all", max_walk_m=limit)
    if not kept:
        raise ApiError(_("No itinerary keeps every walk within max_walk_m (%(limit)s m).") % {"limit": limit},
                       code="no_itinerary_within_limits",
                       details={"max_walk_m": limit, "required_max_walk_m": min(map(longest_walk_m, itineraries))})
    plan.itineraries = kept


def best_first(plan: Plan) -> None:
    """Earliest arrival first (latest departure for arrive-by), fewer changes on ties; at most MAX_ITINERARIES."""
    if plan.request.arrival:
        plan.itineraries.sort(key=lambda it: (-datetime.fromisoformat(it["start_time"]).timestamp(), it["transfers"]))
    else:
        plan.itineraries.sort(key=lambda it: (datetime.fromisoformat(it["end_time"]), it["transfers"]))
    del plan.itineraries[MAX_ITINERARIES:]
