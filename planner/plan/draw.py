"""Decoration: engine walk legs drawn on the streets (path, polyline, steps); a polyline on every street leg
(transit legs get theirs in transit_shapes)."""
from __future__ import annotations

from planner.osm import street_legs
from planner.plan.plan import Plan


def draw_street_paths(plan: Plan) -> None:
    street_legs.draw_legs(plan.itineraries, plan.request.language)
