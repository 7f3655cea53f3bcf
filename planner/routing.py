"""Trip planning and accessibility services behind POST /api/v1/plans and /api/v1/accessibility.

Validates the request against what the active network serves (area, service dates, modes), asks the
configured engine for transit itineraries, adds street / shared-vehicle / car options, and asks
billing to price each itinerary. Engine unavailability becomes a 503 naming what is missing.
"""
from __future__ import annotations

import logging
from datetime import datetime
from datetime import timezone as dt_timezone

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import services as billing_services
from maas.api.errors import ApiError, ServiceUnavailable
from maas.parking import selectors as parking_selectors
from planner.engines import street
from planner.engines.base import MODES, EngineUnavailable, PlanRequest, get_engine
from providers import selectors as provider_selectors

logger = logging.getLogger(__name__)

AREA_MARGIN_DEG = (0.02, 0.04)  # ~2 km around the network's stops
SHARED_RADIUS_M = 500
PARK_AND_RIDE_RADIUS_M = 5000
MAX_ITINERARIES = 5
WALK_ONLY_LIMIT_M = 3000
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _unavailable(exc: EngineUnavailable):
    return ServiceUnavailable(exc.reason, code=exc.code, details={"engine": getattr(exc, "engine", None)})


def _check_modes(modes):
    unknown = sorted(set(modes) - MODES)
    if unknown:
        raise ApiError(_("Unknown mode(s): %(modes)s.") % {"modes": ", ".join(unknown)}, code="unknown_mode",
                       details={"unknown": unknown, "allowed": sorted(MODES)})
    if not modes:
        raise ApiError(_("Choose at least one mode."), code="no_modes", details={"allowed": sorted(MODES)})


def _check_time(when: datetime, field: str):
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


def _longest_walk_m(itinerary: dict) -> int:
    return max((leg["distance_m"] for leg in itinerary["legs"] if leg["mode"] == "walk"), default=0)


def _within_walk_limit(itineraries: list[dict], limit: int | None) -> list[dict]:
    """Itineraries whose every walk leg is <= `limit` metres (all of them when no limit was given).

    400 `no_itinerary_within_limits` when there were itineraries but the limit rules out every one."""
    if limit is None or not itineraries:
        return itineraries
    kept = [it for it in itineraries if _longest_walk_m(it) <= limit]
    if not kept:
        raise ApiError(_("No itinerary keeps every walk within max_walk_m (%(limit)s m).") % {"limit": limit},
                       code="no_itinerary_within_limits",
                       details={"max_walk_m": limit, "required_max_walk_m": min(map(_longest_walk_m, itineraries))})
    return kept


def _resolve_point(value, field):
    """{"lat","lon"} or {"stop_id"} -> ((lat, lon), stop_id|None)."""
    from planner.selectors import active_feed, stop_location

    if value.get("stop_id"):
        feed = active_feed()
        if feed is None:
            raise ServiceUnavailable(_("No active GTFS feed."), code="no_active_feed")
        location = stop_location(feed, value["stop_id"])
        if location is None:
            raise ApiError(_("Unknown stop id in %(field)s.") % {"field": field}, code="unknown_stop",
                           details={field: value["stop_id"]})
        return location, value["stop_id"]
    return (float(value["lat"]), float(value["lon"])), None


def _check_coverage(coverage, points, when: datetime, dates=True):
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


def _prices(user, itineraries, language):
    """billing's prices for the itineraries, labelled in the request's language, or a null price with the reason."""
    try:
        with translation.override(language):
            return billing_services.price_itineraries(user, itineraries)
    except Exception as exc:  # pricing must not take planning down; the reason is shown instead
        logger.exception("pricing failed")
        return [{"total_cents": None, "reason": f"pricing failed: {exc.__class__.__name__}"} for _ in itineraries]


def build_request(params: dict) -> PlanRequest:
    """A validated PlanRequest from serializer data (raises ApiError with a specific code)."""
    modes = list(params.get("modes") or ["walk", "transit"])
    _check_modes(modes)
    departure, arrival = params.get("departure"), params.get("arrival")
    if departure and arrival:
        raise ApiError(_("Give exactly one of departure and arrival."), code="time_required")
    if not (departure or arrival):
        departure = timezone.now()  # leave now
    _check_time(departure or arrival, "departure" if departure else "arrival")
    departure = local_instant(departure) if departure else None
    arrival = local_instant(arrival) if arrival else None
    origin, origin_stop = _resolve_point(params["from"], "from")
    destination, destination_stop = _resolve_point(params["to"], "to")
    if (origin_stop and origin_stop == destination_stop) or street.crow_m(origin, destination) < 1.0:
        raise ApiError(_("Origin and destination are the same place."), code="same_origin_destination")
    return PlanRequest(
        origin=origin, destination=destination, departure=departure, arrival=arrival, modes=frozenset(modes),
        wheelchair=bool(params.get("wheelchair", False)),
        max_walk_m=int(1500 if params.get("max_walk_m") is None else params["max_walk_m"]),
        language=params.get("language") or "fi", num_itineraries=int(params.get("num_itineraries") or 3),
        origin_stop_id=origin_stop, destination_stop_id=destination_stop,
    )


def _direct_options(req: PlanRequest) -> list[list[dict]]:
    """Leg chains for the non-transit modes requested (departure order; re-timed for arrive-by)."""
    start = req.departure or req.arrival
    o = street.point(_("Origin"), *req.origin, req.origin_stop_id)
    d = street.point(_("Destination"), *req.destination, req.destination_stop_id)
    distance = street.crow_m(req.origin, req.destination)
    chains = []
    if "walk" in req.modes and (distance * street.PROFILES["walk"][0] <= max(req.max_walk_m, WALK_ONLY_LIMIT_M)
                                or req.modes == {"walk"}) and not req.wheelchair:
        chains.append([("walk", o, d, None, 0)])
    if "bike" in req.modes:
        chains.append([("bike", o, d, None, 0)])
    if "car" in req.modes:
        chains.append([("car", o, d, None, street.CAR_PARKING_S)])
    if "city_bike" in req.modes:
        pick = provider_selectors.stations_near(*req.origin, SHARED_RADIUS_M, kind="bike_share", min_bikes=1)
        drop = provider_selectors.stations_near(*req.destination, SHARED_RADIUS_M, kind="bike_share", min_docks=1)
        pick = [s for s in pick if s["fresh"]]
        if pick and drop:
            a, b = pick[0], next((s for s in drop if s["provider_id"] == pick[0]["provider_id"]), None)
            if b and b["station_id"] != a["station_id"]:
                sa, sb = (street.point(a["name"], a["lat"], a["lon"]), street.point(b["name"], b["lat"], b["lon"]))
                booking = {"provider_id": a["provider_id"], "vehicle_id": None, "station_id": a["station_id"],
                           "end_station_id": b["station_id"]}
                chains.append([("walk", o, sa, None, 0), ("city_bike", sa, sb, booking, 0), ("walk", sb, d, None, 0)])
    if "scooter" in req.modes:
        for v in provider_selectors.vehicles_near(*req.origin, SHARED_RADIUS_M, kind="scooter"):
            if v.get("range_m") is not None and v["range_m"] < distance * street.PROFILES["scooter"][0]:
                continue
            if not provider_selectors.parking_allowed_at(v["provider_id"], *req.destination,
                                                         vehicle_type_id=v.get("vehicle_type")):
                continue
            sv = street.point(_("Scooter"), v["lat"], v["lon"])
            booking = {"provider_id": v["provider_id"], "vehicle_id": v["vehicle_id"], "station_id": None,
                       "end_station_id": None}
            chains.append([("walk", o, sv, None, 0), ("scooter", sv, d, booking, 0)])
            break
    out = []
    for specs in chains:
        legs = street.chain(specs, start)
        if req.arrival:
            street.shift_to_arrive(legs, req.arrival)
        out.append(legs)
    return out


def _park_and_ride(engine, req: PlanRequest) -> list[dict]:
    if "car" not in req.modes or "transit" not in req.modes or req.arrival:
        return []
    day = timezone.localtime(req.departure).date()
    facilities = parking_selectors.park_and_ride_options(*req.origin, PARK_AND_RIDE_RADIUS_M, day)
    out = []
    for facility in facilities[:2]:
        p = street.point(facility["name"], facility["lat"], facility["lon"])
        o = street.point(_("Origin"), *req.origin)
        drive = street.chain([("car", o, p, None, street.CAR_PARKING_S)], req.departure)
        transit_req = PlanRequest(origin=(facility["lat"], facility["lon"]), destination=req.destination,
                                  departure=datetime.fromisoformat(drive[-1]["end_time"]),
                                  modes=frozenset({"walk", "transit"}), wheelchair=req.wheelchair,
                                  max_walk_m=req.max_walk_m, language=req.language, num_itineraries=1,
                                  destination_stop_id=req.destination_stop_id)
        for it in engine.plan(transit_req)[:1]:
            legs = drive + it["legs"]
            merged = street.itinerary(legs)
            merged["transfers"] = it["transfers"]
            merged["park_and_ride"] = {"facility_id": facility["facility_id"], "free_spaces": facility["free_spaces"]}
            out.append(merged)
    return out


def plan_trip(user, params: dict) -> list[dict]:
    """Itineraries for a resident's trip request (serializer data), priced, best first."""
    req = build_request(params)
    engine_name = params.get("engine")
    itineraries = []
    try:
        engine = get_engine(engine_name)
        _check_coverage(engine.coverage(), {"from": req.origin, "to": req.destination}, req.departure or req.arrival,
                        dates="transit" in req.modes)
        if "transit" in req.modes:
            itineraries = engine.plan(req)
        itineraries += _park_and_ride(engine, req)
    except EngineUnavailable as exc:
        if "transit" in req.modes:
            raise _unavailable(exc)
        # Street-only trips do not need the transit network.
    itineraries += [street.itinerary(legs) for legs in _direct_options(req)]
    itineraries = _within_walk_limit(itineraries, params.get("max_walk_m"))
    if req.arrival:
        itineraries.sort(key=lambda it: (-datetime.fromisoformat(it["start_time"]).timestamp(), it["transfers"]))
    else:
        itineraries.sort(key=lambda it: (datetime.fromisoformat(it["end_time"]), it["transfers"]))
    itineraries = itineraries[:MAX_ITINERARIES]
    for it, price in zip(itineraries, _prices(user, itineraries, req.language)):
        it["price"] = price
    return itineraries


# --- accessibility ------------------------------------------------------------------------

def _destinations(params) -> list[dict]:
    from planner.selectors import pois

    if params.get("destinations"):
        return [{"id": str(d.get("id") or i), "name": d.get("name") or str(d.get("id") or i),
                 "lat": float(d["lat"]), "lon": float(d["lon"]), "category": d.get("category")}
                for i, d in enumerate(params["destinations"])]
    category = params.get("category") or "stops"
    found = pois(category, params["origin"], radius_m=params.get("radius_m") or 3000)
    if found is None:
        raise ApiError(_("Unknown destination category."), code="unknown_category",
                       details={"allowed": ["stops", "schools", "health", "shops"]})
    return found


def accessibility(user, params: dict) -> dict:
    """Which destinations are reachable from `origin` within `minutes`: JSON rows and GeoJSON."""
    modes = list(params.get("modes") or ["walk", "transit"])
    _check_modes(modes)
    unsupported = sorted(set(modes) - {"walk", "transit"})
    if unsupported:
        raise ApiError(_("Accessibility supports walk and transit only."), code="unsupported_mode",
                       details={"unsupported": unsupported})
    origin, _stop = _resolve_point(params["origin"], "origin")
    departure = params.get("departure") or timezone.now()
    _check_time(departure, "departure")
    departure = local_instant(departure)
    max_time_s = int(params["minutes"]) * 60
    try:
        engine = get_engine(params.get("engine"))
        _check_coverage(engine.coverage(), {"origin": origin}, departure)
        destinations = _destinations({**params, "origin": origin})
        rows = engine.travel_time_matrix([{"id": "origin", "lat": origin[0], "lon": origin[1]}], destinations,
                                         departure=departure, modes=frozenset(modes), max_time_s=max_time_s,
                                         wheelchair=bool(params.get("wheelchair")))
    except EngineUnavailable as exc:
        raise _unavailable(exc)
    times = {r["to_id"]: r["travel_time_s"] for r in rows}
    results = []
    for dest in destinations:
        t = times.get(dest["id"])
        results.append({**dest, "reachable": t is not None, "travel_time_s": t,
                        "travel_time_min": None if t is None else round(t / 60, 1)})
    results.sort(key=lambda r: (not r["reachable"], r["travel_time_s"] or 0))
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")}} for r in results]
    return {
        "origin": {"lat": origin[0], "lon": origin[1]}, "minutes": int(params["minutes"]), "modes": sorted(modes),
        "departure": timezone.localtime(departure).isoformat(),
        "reachable_count": sum(1 for r in results if r["reachable"]), "total": len(results),
        "destinations": results,
        "geojson": {"type": "FeatureCollection", "features": features},
    }


