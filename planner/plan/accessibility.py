"""POST /api/v1/accessibility: which destinations are reachable from a point within N minutes."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError
from planner.engines.base import EngineUnavailable, get_engine
from planner.plan.validate import check_coverage, check_modes, check_time, local_instant, resolve_point, unavailable

CATEGORIES = ["stops", "schools", "health", "shops"]


def destinations(params) -> list[dict]:
    """The request's own destinations, or those of a category near the origin."""
    from planner.selectors import pois

    if params.get("destinations"):
        return [{"id": str(d.get("id") or i), "name": d.get("name") or str(d.get("id") or i),
                 "lat": float(d["lat"]), "lon": float(d["lon"]), "category": d.get("category")}
                for i, d in enumerate(params["destinations"])]
    category = params.get("category") or "stops"
    found = pois(category, params["origin"], radius_m=params.get("radius_m") or 3000)
    if found is None:
        raise ApiError(_("Unknown destination category."), code="unknown_category", details={"allowed": CATEGORIES})
    return found


def accessibility(user, params: dict) -> dict:
    """Which destinations are reachable from `origin` within `minutes`: JSON rows and GeoJSON."""
    modes = list(params.get("modes") or ["walk", "transit"])
    check_modes(modes)
    unsupported = sorted(set(modes) - {"walk", "transit"})
    if unsupported:
        raise ApiError(_("Accessibility supports walk and transit only."), code="unsupported_mode",
                       details={"unsupported": unsupported})
    origin, _stop = resolve_point(params["origin"], "origin")
    departure = params.get("departure") or timezone.now()
    check_time(departure, "departure")
    departure = local_instant(departure)
    max_time_s = int(params["minutes"]) * 60
    try:
        engine = get_engine()
        check_coverage(engine.coverage(), {"origin": origin}, departure)
        found = destinations({**params, "origin": origin})
        rows = engine.travel_time_matrix([{"id": "origin", "lat": origin[0], "lon": origin[1]}], found,
                                         departure=departure, modes=frozenset(modes), max_time_s=max_time_s,
                                         wheelchair=bool(params.get("wheelchair")))
    except EngineUnavailable as exc:
        raise unavailable(exc)
    times = {r["to_id"]: r["travel_time_s"] for r in rows}
    results = []
    for dest in found:
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
