"""Journeys (leg tuples of the search) as itineraries: walk and ride legs with names in the request's
language, geometry (cafein's street/shape geometry, else straight lines between stops) and CO2."""
from __future__ import annotations

import numpy as np

from maas.geo import distances_m
from planner.emissions import leg_co2_g
from planner.engines.base import PlanRequest
from planner.engines.embedded.feedmeta import WALK_SPEED_MPS

ORIGIN_LABEL = {"fi": "Lähtöpaikka", "sv": "Startpunkt", "en": "Origin"}
DESTINATION_LABEL = {"fi": "Määränpää", "sv": "Destination", "en": "Destination"}


def _line(coords):
    return {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in coords]}


def _wkb_geojson(wkb):
    if not wkb:
        return None
    import shapely
    from shapely.geometry import mapping

    geom = mapping(shapely.from_wkb(bytes(wkb)))
    return {"type": geom["type"], "coordinates": [[round(x, 6), round(y, 6)] for x, y in geom["coordinates"]]}


class LegBuilder:
    """The itinerary half of EmbeddedNetwork (mixed in; uses its meta and clock)."""

    def _point(self, stop_id, language):
        s = self.meta.stops[stop_id]
        return {"name": self.meta.stop_name(stop_id, language), "stop_id": stop_id, "lat": s["lat"], "lon": s["lon"]}

    def walk_leg(self, day, start_s, end_s, a, b, meters, crow_fly, geometry=None):
        return {
            "mode": "walk", "transit": False, "route_id": None, "route_short_name": None, "route_color": None,
            "trip_id": None, "from": a, "to": b, "start_time": self.iso(day, start_s),
            "end_time": self.iso(day, end_s), "duration_s": int(end_s - start_s), "distance_m": int(round(meters)),
            "geometry": _wkb_geojson(geometry) or _line([(a["lat"], a["lon"]), (b["lat"], b["lon"])]),
            "co2_g": 0, "crow_fly": bool(crow_fly), "booking": None, "zones": None,
        }

    def ride_leg(self, day, leg, language):
        _, trip_id, board, board_s, alight, alight_s, extra = leg
        trip = self.meta.trips[trip_id]
        route = self.meta.routes[trip["route_id"]]
        stops, arr, dep = self.meta.trip_stops[trip_id]
        offset = (extra or {}).get("offset") or 0  # a previous service day's trip, in this day's frame
        arr, dep = arr.astype("int64") - offset, dep.astype("int64") - offset
        i = next(k for k in range(len(stops)) if stops[k] == board and int(dep[k]) == int(board_s))
        j = next(k for k in range(i + 1, len(stops)) if stops[k] == alight and int(arr[k]) == int(alight_s))
        coords = [(self.meta.stops[s]["lat"], self.meta.stops[s]["lon"]) for s in stops[i:j + 1]]
        distance = (extra or {}).get("distance_m") or float(
            distances_m(np.array([c[0] for c in coords[:-1]]), np.array([c[1] for c in coords[:-1]]),
                        np.array([c[0] for c in coords[1:]]), np.array([c[1] for c in coords[1:]])).sum())
        zones = sorted({self.meta.stops[s]["zone"] for s in stops[i:j + 1] if self.meta.stops[s]["zone"]})
        return {
            "mode": route["mode"], "transit": True, "route_id": trip["route_id"],
            "route_short_name": route["short_name"], "route_color": route["color"], "trip_id": trip_id,
            "headsign": trip["headsign"],
            "from": self._point(board, language), "to": self._point(alight, language),
            "start_time": self.iso(day, int(dep[i])), "end_time": self.iso(day, int(arr[j])),
            "duration_s": int(arr[j]) - int(dep[i]), "distance_m": int(round(distance)),
            "geometry": _wkb_geojson((extra or {}).get("geometry")) or _line(coords),
            "co2_g": leg_co2_g(route["mode"], distance), "crow_fly": False, "booking": None,
            "zones": zones or None,
        }

    def itinerary(self, req: PlanRequest, day, legs, acc, egr) -> dict:
        lang = req.language
        first = next(leg for leg in legs if leg[0] == "ride")
        o = first[2]
        d, end_s = self._end(legs)
        a_s, a_m, a_cf = acc[o]
        e_s, e_m, e_cf = egr[d]
        out = []
        origin = ({"name": ORIGIN_LABEL.get(lang, "Origin"), "stop_id": None, "lat": req.origin[0],
                   "lon": req.origin[1]} if not req.origin_stop_id else self._point(o, lang))
        dest = ({"name": DESTINATION_LABEL.get(lang, "Destination"), "stop_id": None, "lat": req.destination[0],
                 "lon": req.destination[1]} if not req.destination_stop_id else self._point(d, lang))
        start_s = first[3] - a_s
        if not req.origin_stop_id and (a_s or a_m):
            out.append(self.walk_leg(day, start_s, first[3], origin, self._point(o, lang), a_m, a_cf))
        for leg in legs:
            if leg[0] == "ride":
                out.append(self.ride_leg(day, leg, lang))
            else:
                _, s1, s2, t1, t2, meters, geometry = leg
                walk_s = int(meters / WALK_SPEED_MPS + 0.5)
                out.append(self.walk_leg(day, t1, t1 + walk_s, self._point(s1, lang), self._point(s2, lang),
                                         meters, geometry is None, geometry))
        end_door = end_s + e_s
        if not req.destination_stop_id and (e_s or e_m):
            out.append(self.walk_leg(day, end_s, end_door, self._point(d, lang), dest, e_m, e_cf))
        return {
            "start_time": self.iso(day, start_s), "end_time": self.iso(day, end_door),
            "duration_s": int(end_door - start_s), "transfers": max(0, sum(1 for x in legs if x[0] == "ride") - 1),
            "walk_distance_m": sum(leg["distance_m"] for leg in out if leg["mode"] == "walk"),
            "co2_g": sum(leg["co2_g"] for leg in out), "legs": out,
        }

