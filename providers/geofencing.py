"""What a provider's GBFS geofencing says about a ride along a path (GBFS 2.x and 3.0 rules).

`Geofence(provider_id, vehicle_type_id)` holds the current snapshot's zones for one vehicle type (parsed
once per snapshot and process, one query per Geofence) and answers where a ride may end, which zones a
ride may not enter, and, for a ride drawn as [(lon, lat)] (`ride_check`): may it pass every zone it crosses
(`ride_through_allowed`), and how many metres of it lie in each zone with a `maximum_speed_kph`, so the
planner can time it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from maas.geo import distances_m
from providers.models import GeofencingZone, Provider, Snapshot


def rule_applies(rule, vehicle_type_id):
    """Whether a GBFS zone/global rule covers the vehicle type (every rule applies without a type)."""
    types = rule.get("vehicle_type_ids") or rule.get("vehicle_type_id")
    if not types or vehicle_type_id is None:
        return True
    return vehicle_type_id in (types if isinstance(types, list) else [types])


def zone_active(zone, now) -> bool:
    """Whether a geofencing zone's optional start/end period contains `now`."""
    return not ((zone.start and now < zone.start) or (zone.end and now > zone.end))


@dataclass
class RideCheck:
    through_allowed: bool = True
    blocked_by: list = field(default_factory=list)    # names of zones the ride may not cross
    slow_m: list = field(default_factory=list)        # [(metres inside, maximum_speed_kph)]

    def duration_s(self, total_m, speed_mps):
        """Ride time at speed_mps, slower where a zone's maximum_speed_kph is lower."""
        slow_total = sum(m for m, _ in self.slow_m)
        secs = max(0.0, total_m - slow_total) / speed_mps
        for metres, kph in self.slow_m:
            secs += metres / min(speed_mps, kph / 3.6)
        return int(round(secs))


_SNAPSHOT_ZONES: dict = {}  # (snapshot id, created_at) -> (global rules, [(zone, geometry)]): a snapshot never changes


def current_zones(provider_id):
    """(global_rules, [(zone, shapely geometry)] in feed order) of a provider's current snapshot, None without one;
    read and parsed once per snapshot and process (a sync writes a new snapshot, never changes one)."""
    import shapely
    from shapely.geometry import shape

    key = Provider.objects.filter(pk=provider_id, current_snapshot__isnull=False).values_list(
        "current_snapshot_id", "current_snapshot__created_at").first()
    if key is None:
        return None
    if key not in _SNAPSHOT_ZONES:
        if len(_SNAPSHOT_ZONES) >= 32:
            _SNAPSHOT_ZONES.clear()
        rules = Snapshot.objects.filter(pk=key[0]).values_list("global_rules", flat=True).first()
        zones = [(z, shape(z.geometry)) for z in GeofencingZone.objects.filter(snapshot_id=key[0]).order_by("position")]
        for _, geometry in zones:
            shapely.prepare(geometry)  # faster intersects / covers, kept with the cached geometry
        _SNAPSHOT_ZONES[key] = (rules or [], zones)
    return _SNAPSHOT_ZONES[key]


def end_allowed(rule):
    """Whether a GBFS rule lets a ride end in its zone (3.0 ride_end_allowed, 2.x ride_allowed)."""
    if "ride_end_allowed" in rule:  # GBFS 3.0
        return bool(rule["ride_end_allowed"])
    if "ride_allowed" in rule:  # GBFS 2.x: ride_allowed = may start/end a ride here
        return bool(rule["ride_allowed"])
    return True


class Geofence:
    """A provider's current zones for one vehicle type, read once (one query): where a ride may end
    (`parking_allowed`), the zones a ride may not enter (`no_ride_through`) and `ride_check` of a path."""

    def __init__(self, provider_id, vehicle_type_id=None, now=None):
        self.now = now or timezone.now()
        found = current_zones(provider_id)
        global_rules, zones = found or ((), ())
        self.zones = []  # (zone, geometry, rules for the type), active ones in feed order
        for zone, geometry in zones:
            rules = [r for r in zone.rules if rule_applies(r, vehicle_type_id)]
            if rules and zone_active(zone, self.now):
                self.zones.append((zone, geometry, rules))
        rules = [r for r in global_rules if rule_applies(r, vehicle_type_id)]
        self.default_end = all(end_allowed(r) for r in rules) if rules else True
        self.no_ride_through = [g for _, g, rules in self.zones if any(r.get("ride_through_allowed") is False
                                                                       for r in rules)]

    def parking_allowed(self, lat, lon) -> bool:
        """The first zone covering the point decides; outside every zone the global rules."""
        from shapely import intersects_xy  # for a point: inside or on the boundary, as covers

        for zone, geometry, rules in self.zones:
            if zone.min_lat <= lat <= zone.max_lat and zone.min_lon <= lon <= zone.max_lon \
                    and intersects_xy(geometry, lon, lat):
                return all(end_allowed(r) for r in rules)
        return self.default_end

    def ride_check(self, coordinates) -> RideCheck:
        """A ride along [(lon, lat)] against the zones (the first zone with a rule for the type wins)."""
        from shapely.geometry import LineString

        check = RideCheck()
        if len(coordinates) < 2 or not self.zones:
            return check
        line = LineString(coordinates)
        total_deg, total_m, claimed = line.length, None, None  # claimed: parts decided by an earlier zone
        for zone, area, rules in self.zones:
            if not area.intersects(line):
                continue
            inside = area.intersection(line)
            if claimed is not None:
                inside = inside.difference(claimed)
            if inside.is_empty:
                continue
            claimed = inside if claimed is None else claimed.union(inside)
            if any(r.get("ride_through_allowed") is False for r in rules):
                check.through_allowed = False
                check.blocked_by.append(zone.name)
            speeds = [r["maximum_speed_kph"] for r in rules if isinstance(r.get("maximum_speed_kph"), (int, float))]
            if speeds and total_deg > 0:
                total_m = _length_m(coordinates) if total_m is None else total_m
                check.slow_m.append((total_m * inside.length / total_deg, min(speeds)))
        return check


def ride_check(provider_id, coordinates, vehicle_type_id=None, now=None) -> RideCheck:
    """Check a ride along [(lon, lat)] against the provider's zones (first zone with a rule for the type wins)."""
    return Geofence(provider_id, vehicle_type_id, now).ride_check(coordinates)


def _length_m(coordinates):
    c = np.asarray(coordinates, dtype=float)
    return float(distances_m(c[:-1, 1], c[:-1, 0], c[1:, 1], c[1:, 0]).sum())


def no_ride_through_zones(provider_id, vehicle_type_id=None, now=None) -> list:
    """Shapely geometries of the provider's active zones a ride of this vehicle type may not enter."""
    return Geofence(provider_id, vehicle_type_id, now).no_ride_through
