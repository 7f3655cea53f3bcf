"""Step 0 of a plan: the request, validated once (modes, times, points, area and service dates).

Every failure is an ApiError with a specific code and a message in the request's language.
"""
from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, ServiceUnavailable
from maas.geo import distance_m
from planner.engines.base import MODES, WALK_SPEEDS_MPS, EngineUnavailable, PlanRequest, get_engine
from planner.plan.plan import Plan

AREA_MARGIN_DEG = (0.02, 0.04)  # ~2 km around the network's stops
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def unavailable(exc: EngineUnavailable) -> ServiceUnavailable:
    """The 503 for an engine that cannot answer, naming what is missing."""
    return ServiceUnavailable(exc.reason, code=exc.code, details={"engine": getattr(exc, "engine", None)})


def check_modes(modes):
    unknown = sorted(set(modes) - MODES)
    if unknown:
        raise ApiError(_("Unknown mode(s): %(modes)s.") % {"modes": ", ".join(unknown)}, code="unknown_mode",
                       details={"unknown": unknown, "allowed": sorted(MODES)})
    if not modes:
        raise ApiError(_("Choose at least one mode."), code="no_modes", details={"allowed": sorted(MODES)})


def check_time(when: datetime, field: str):
    """Times must be plausible calendar times (far-off years would overflow the leg arithmetic)."""
    if not (EARLIEST_YEAR <= when.year <= LATEST_YEAR):
        raise ApiError(_("%(field)s must be between the years %(a)s and %(b)s.")
                       % {"field": field, "a": EARLIEST_YEAR, "b": LATEST_YEAR}, code="time_out_of_range",
                       details={"field": field, "value": when.isoformat()})


def local_instant(when: datetime) -> datetime:
    """`when` as a real instant in its zone: a naive wall time inside a spring-forward gap (DRF attaches
    Europe/Helsinki without checking, e.g. 03:30 on 2022-03-27) moves forward by the gap (04:30+03:00);
    an ambiguous autumn wall time means its first occurrence (EEST). Instants are compared in UTC."""
    if when.tzinfo is None:
        return when
    return when.astimezone(dt_timezone.utc).astimezone(when.tzinfo)


def resolve_point(value, field):
    """{"lat","lon"} or {"stop_id"} -> ((lat, lon), feed-qualified stop_id|None).

    A stop id is `FEED:ID` or, where only one active feed has it, the bare GTFS id
    (400 `ambiguous_stop_id` naming the candidates otherwise, 400 `unknown_stop` when no feed has it)."""
    from planner.timetable.feeds import qualify, require_active_feeds, resolve_stop

    if value.get("stop_id"):
        try:
            stop = resolve_stop(value["stop_id"], require_active_feeds())
        except ApiError as exc:
            if exc.error_code != "stop_not_found":
                raise
            stop = None
        if stop is None or stop.lat is None:
            raise ApiError(_("Unknown stop id in %(field)s.") % {"field": field}, code="unknown_stop",
                           details={field: value["stop_id"]})
        return (stop.lat, stop.lon), qualify(stop.feed.name, stop.stop_id)
    return (float(value["lat"]), float(value["lon"])), None


def check_coverage(coverage, points, when: datetime, dates=True):
    """400 when a point is outside the network's area, or (with `dates`) the day has no service."""
    if not coverage:
        return
    lat0, lon0, lat1, lon1 = coverage["bbox"]
    for field, (lat, lon) in points.items():
        if not (lat0 - AREA_MARGIN_DEG[0] <= lat <= lat1 + AREA_MARGIN_DEG[0]
                and lon0 - AREA_MARGIN_DEG[1] <= lon <= lon1 + AREA_MARGIN_DEG[1]):
            raise ApiError(_("%(field)s is outside the area the routing network covers.") % {"field": field},
                           code="outside_network_area",
                           details={"field": field, "lat": lat, "lon": lon,
                                    "bbox": [lon0, lat0, lon1, lat1]})
    if not dates:
        return
    local_day = timezone.localtime(when).date()
    start, end = coverage["service_start"], coverage["service_end"]
    if not (start <= local_day <= end):
        raise ApiError(_("The date is outside the timetable's service dates."), code="outside_service_dates",
                       details={"date": local_day.isoformat(), "service_start": start.isoformat(),
                                "service_end": end.isoformat()})
    if not coverage["has_service"](local_day):
        raise ApiError(_("No public transport runs on that date in this timetable."), code="no_service_on_date",
                       details={"date": local_day.isoformat()})


def build_request(params: dict) -> PlanRequest:
    """A validated PlanRequest from serializer data (raises ApiError with a specific code)."""
    modes = list(params.get("modes") or ["walk", "transit"])
    check_modes(modes)
    departure, arrival = params.get("departure"), params.get("arrival")
    if departure and arrival:
        raise ApiError(_("Give exactly one of departure and arrival."), code="time_required")
    if not (departure or arrival):
        departure = timezone.now()  # leave now
    check_time(departure or arrival, "departure" if departure else "arrival")
    departure = local_instant(departure) if departure else None
    arrival = local_instant(arrival) if arrival else None
    origin, origin_stop = resolve_point(params["from"], "from")
    destination, destination_stop = resolve_point(params["to"], "to")
    if (origin_stop and origin_stop == destination_stop) or distance_m(*origin, *destination) < 1.0:
        raise ApiError(_("Origin and destination are the same place."), code="same_origin_destination")
    return PlanRequest(
        origin=origin, destination=destination, departure=departure, arrival=arrival, modes=frozenset(modes),
        wheelchair=bool(params.get("wheelchair", False)),
        max_walk_m=int(1500 if params.get("max_walk_m") is None else params["max_walk_m"]),
        walk_speed_mps=WALK_SPEEDS_MPS[params.get("walk_speed") or "normal"],
        language=params.get("language") or "fi", num_itineraries=int(params.get("num_itineraries") or 3),
        origin_stop_id=origin_stop, destination_stop_id=destination_stop,
    )


def check_network(plan: Plan) -> None:
    """The engine, and the request inside what its network covers (area; service dates for transit).

    Street-only trips do not need the transit network: without it they go on with `plan.engine = None`.
    """
    req = plan.request
    try:
        plan.engine = get_engine()
        plan.feeds = plan.engine.feeds()
        check_coverage(plan.engine.coverage(), {"from": req.origin, "to": req.destination},
                       req.departure or req.arrival, dates="transit" in req.modes)
    except EngineUnavailable as exc:
        if "transit" in req.modes:
            raise unavailable(exc)
        plan.engine = None
