"""Candidates: a taxi door to door on the streets, bookable through the taxi provider's TOMP API.

The leg is a car leg on the street network with mode "taxi"; billing prices it (tariff and the plan's
taxi entitlement). Without an active taxi provider with a booking API, routing_errors says so.
"""
from __future__ import annotations

from planner import routing_errors
from planner.plan.direct import add_chains, endpoints
from planner.plan.plan import Plan
from providers import selectors as provider_selectors


def add_taxi(plan: Plan) -> None:
    if "taxi" not in plan.request.modes:
        return
    provider = provider_selectors.bookable_taxi_provider()
    if provider is None:
        routing_errors.note(plan.errors, "taxi", "no_taxi_provider")
        return
    o, d = endpoints(plan)
    booking = {"provider_id": provider.pk, "vehicle_id": None, "station_id": None, "end_station_id": None}
    add_chains(plan, [[("taxi", o, d, booking, 0)]])
