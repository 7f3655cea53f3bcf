"""Shared-vehicle trips as leg chains: city bike station to station, free-floating scooter within geofencing.

Each builder returns (chain, None) or (None, reason): the reason is a routing_errors code
(`no_vehicles_nearby`, `no_free_docks_near_destination`, `destination_in_no_parking_zone`,
`no_route_outside_restricted_zones`, `no_vehicle_with_enough_range`). Chains are
[(mode, a, b, booking, extra_s[, {"path", "ride_s"}])] as street.chain takes them.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from planner import street
from planner.osm import street_legs
from providers import selectors as provider_selectors

SHARED_RADIUS_M = 500
END_SEARCH_M = 400  # how far from a no-parking destination a scooter may be left (then walk)
MAX_VEHICLES_TRIED = 5


def city_bike_chain(origin, destination, o, d):
    """Walk to the nearest fresh station with a bike, ride to the station nearest the destination with a free
    dock (same provider), walk on."""
    pick = [s for s in provider_selectors.stations_near(*origin, SHARED_RADIUS_M, kind="bike_share", min_bikes=1)
            if s["fresh"]]
    if not pick:
        return None, _nothing_fresh("bike_share")
    drops = [s for s in provider_selectors.stations_near(*destination, SHARED_RADIUS_M, kind="bike_share",
                                                         min_docks=1) if s["fresh"]]
    for a in pick:
        b = next((s for s in drops if s["provider_id"] == a["provider_id"] and s["station_id"] != a["station_id"]),
                 None)
        if b is None:
            continue
        sa, sb = street.point(a["name"], a["lat"], a["lon"]), street.point(b["name"], b["lat"], b["lon"])
        booking = {"provider_id": a["provider_id"], "vehicle_id": None, "station_id": a["station_id"],
                   "end_station_id": b["station_id"]}
        return [("walk", o, sa, None, 0), ("city_bike", sa, sb, booking, 0), ("walk", sb, d, None, 0)], None
    return None, "no_free_docks_near_destination"


def _nothing_fresh(kind):
    """stale_provider_data when a provider of the kind is stale (its vehicles are not offered), else
    no_vehicles_nearby."""
    return "stale_provider_data" if provider_selectors.stale_providers(kind) else "no_vehicles_nearby"


def end_point(allowed, d, g):
    """Where a ride may end: point d, else the nearest street point within END_SEARCH_M (on street graph
    `g`, None without one) where `allowed(lat, lon)` (a provider geofence's parking_allowed); None when there
    is none."""
    if allowed(d["lat"], d["lon"]):
        return d
    candidates = g.nodes_near("bike", d["lat"], d["lon"], END_SEARCH_M, k=256) if g is not None else []
    for lat, lon, _metres in candidates[::4]:
        if allowed(lat, lon):
            return street.point(_("Scooter parking"), lat, lon)
    return None


class _RidesTo:
    """Scooter paths from any vehicle to one end point: one reversed street search shared by every vehicle
    tried, bounded as street_legs.routed bounds a path: near the straight line from the farthest of them
    first, wide (as from any vehicle near the origin) only when a vehicle is not reached that way."""

    def __init__(self, g, end, zones, vehicles, origin):
        self.g, self.end, self.zones = g, end, zones
        near = max(street.crow_m((v["lat"], v["lon"]), (end["lat"], end["lon"])) for v in vehicles)
        far = street.crow_m(origin, (end["lat"], end["lon"])) + SHARED_RADIUS_M  # any vehicle near the origin
        self.bounds = [street_legs.first_bound(near)]
        if self.bounds[0] < street_legs.wide_bound(far):
            self.bounds.append(street_legs.wide_bound(far))
        self.trees = []

    def path(self, v):
        """routed()'s answer for a ride from vehicle v to the end, or None when no street path avoids the zones."""
        for i, bound in enumerate(self.bounds):
            if i == len(self.trees):
                self.trees.append(street_legs.tree("bike", (self.end["lat"], self.end["lon"]), bound,
                                                   avoid=self.zones, reverse=True))
            if self.trees[i] is None:
                return None
            found = self.trees[i].path(v["lat"], v["lon"])
            if found is not None:
                return street_legs.drawn("scooter", found, self.g)
        return None


def scooter_chain(origin, destination, o, d):
    """Walk to a fresh scooter, ride on streets outside no-ride-through zones (slowed in max-speed zones) to
    the destination or, when that is a no-parking zone, to the nearest allowed point, then walk."""
    vehicles = provider_selectors.vehicles_near(*origin, SHARED_RADIUS_M, kind="scooter")
    if not vehicles:
        return None, _nothing_fresh("scooter")
    reason = "no_vehicles_nearby"
    speed = street.PROFILES["scooter"][1]
    g = street_legs.graph()
    ends, rides = {}, {}  # (provider, vehicle type) -> where its rides may end near the destination, paths there
    tried = vehicles[:MAX_VEHICLES_TRIED]
    for v in tried:
        pid, vtype = v["provider_id"], v.get("vehicle_type")
        if (pid, vtype) not in ends:
            fence = provider_selectors.geofence(pid, vtype)
            ends[pid, vtype] = end_point(fence.parking_allowed, d, g)
            if g is not None and ends[pid, vtype] is not None:
                rides[pid, vtype] = (_RidesTo(g, ends[pid, vtype], fence.no_ride_through, tried, origin), fence)
        end = ends[pid, vtype]
        if end is None:
            reason = "destination_in_no_parking_zone"
            continue
        sv = street.point(_("Scooter"), v["lat"], v["lon"])
        routing = {}
        if g is not None:
            to_end, fence = rides[pid, vtype]
            path = to_end.path(sv)
            if path is None:
                reason = "no_route_outside_restricted_zones"
                continue
            check = fence.ride_check(path["geometry"]["coordinates"])
            routing = {"path": path, "ride_s": check.duration_s(path["distance_m"], speed)}
            needed = path["distance_m"]
        else:
            needed = street.crow_m((sv["lat"], sv["lon"]), (end["lat"], end["lon"])) * street.PROFILES["scooter"][0]
        if v.get("range_m") is not None and v["range_m"] < needed:
            reason = "no_vehicle_with_enough_range"
            continue
        booking = {"provider_id": pid, "vehicle_id": v["vehicle_id"], "station_id": None, "end_station_id": None}
        chain = [("walk", o, sv, None, 0), ("scooter", sv, end, booking, 0, routing)]
        if end is not d:
            chain.append(("walk", end, d, None, 0))
        return chain, None
    return None, reason
