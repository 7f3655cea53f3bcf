"""Why a requested mode gave no itinerary: `routing_errors` of a plan answer (like OpenTripPlanner's routingErrors).

Candidate steps call `note(errors, mode, code, **details)`; `answer(errors, itineraries)` keeps the reasons
of the modes that ended with no itinerary at all, each with its message in the active (request's) language:
[{"mode", "code", "message", "details"}]. Codes are stable; messages are for people.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "no_vehicles_nearby": _("No shared vehicle is available near the origin."),
    "no_free_docks_near_destination": _("No city-bike station near the destination has a free dock."),
    "destination_in_no_parking_zone": _("The destination is in a no-parking zone and no allowed parking spot is "
                                        "near it."),
    "no_route_outside_restricted_zones": _("Every route crosses a zone where riding is not allowed."),
    "no_vehicle_with_enough_range": _("No vehicle nearby has enough range for this trip."),
    "no_transit_connection": _("No public transport connection was found for this time."),
    "outside_service_hours": _("No public transport leaves near the origin at this time (outside service hours)."),
    "no_stops_within_walk_limit": _("No public transport stop is within walking distance of the origin or the "
                                    "destination."),
    "walk_limit_excluded_all": _("Every itinerary of this mode needs a longer walk than max_walk_m."),
    "too_far_without_street_network": _("Too far for this mode without a street network to route on."),
    "stale_provider_data": _("The provider's availability data is out of date, so its vehicles are not offered."),
    "no_taxi_provider": _("No taxi provider is configured, so taxi trips can't be offered or booked."),
    "no_street_route": _("No route on the street network connects the origin and the destination."),
}


def note(errors: dict, mode: str, code: str, **details) -> None:
    """Remember why `mode` found nothing (the first reason per mode wins)."""
    if code not in MESSAGES:
        raise ValueError(f"unknown routing error code {code!r}")
    errors.setdefault(mode, (code, details))


def answer(errors: dict, itineraries: list, requested_modes) -> list:
    """The routing_errors of the requested modes no itinerary uses, in the active language."""
    used = {leg["mode"] for it in itineraries for leg in it["legs"]}
    if any(leg.get("transit") for it in itineraries for leg in it["legs"]):
        used.add("transit")
    return [{"mode": mode, "code": code, "message": str(MESSAGES[code]), "details": details}
            for mode, (code, details) in sorted(errors.items())
            if mode in requested_modes and mode not in used]
