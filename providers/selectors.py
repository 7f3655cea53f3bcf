"""Read-side queries over providers' current snapshots (see docs/interfaces.md)."""
from django.utils import timezone

from maas.geo import covers
from providers.freshness import is_stale
from providers.geofencing import Geofence, end_allowed, rule_applies, zone_active
from providers.models import GeofencingZone, Provider, Station, Vehicle, VehicleHold, VehicleType
from providers.nearest import page_key, stale_providers, stations_near, vehicles_near  # noqa: F401


def provider_freshness(provider, now=None) -> dict:
    """{"provider_id", "name", "kind", "last_updated", "stale"} for API responses."""
    return {"provider_id": provider.pk, "name": provider.name, "kind": provider.kind,
            "last_updated": provider.last_updated.isoformat() if provider.last_updated else None,
            "stale": is_stale(provider, now)}


def providers_freshness(provider_ids, now=None) -> dict:
    """{provider_id: provider_freshness(...)} for these providers, in one query."""
    return {p.pk: provider_freshness(p, now) for p in Provider.objects.filter(pk__in=set(provider_ids))}


def parking_allowed_at(provider_id, lat, lon, *, vehicle_type_id=None, now=None) -> bool:
    """False when the provider's geofencing forbids ending a ride at (lat, lon).

    The first active zone (feed order) containing the point with a rule for the vehicle type decides;
    outside every zone, GBFS 3.0 global_rules apply; otherwise parking is allowed. Without a
    vehicle_type_id every rule applies (the conservative answer).
    """
    provider = Provider.objects.filter(pk=provider_id).select_related("current_snapshot").first()
    if provider is None or provider.current_snapshot_id is None:
        return True
    now = now or timezone.now()
    zones = GeofencingZone.objects.filter(
        snapshot_id=provider.current_snapshot_id, min_lat__lte=lat, max_lat__gte=lat,
        min_lon__lte=lon, max_lon__gte=lon,
    ).order_by("position")
    for zone in zones:
        if not zone_active(zone, now):
            continue
        if not covers(zone.geometry, lat, lon):
            continue
        rules = [r for r in zone.rules if rule_applies(r, vehicle_type_id)]
        if rules:
            return all(end_allowed(r) for r in rules)
    rules = [r for r in provider.current_snapshot.global_rules or [] if rule_applies(r, vehicle_type_id)]
    return all(end_allowed(r) for r in rules) if rules else True


def geofence(provider_id, vehicle_type_id=None, now=None) -> Geofence:
    """The provider's current geofencing for a vehicle type, read once: `parking_allowed(lat, lon)`,
    `no_ride_through` (geometries a ride may not enter), `ride_check(coordinates)` (providers.geofencing)."""
    return Geofence(provider_id, vehicle_type_id, now)


def parking_checker(provider_id, *, vehicle_type_id=None, now=None):
    """parking_allowed_at for many points: a function (lat, lon) -> bool over the provider's zones read once."""
    return Geofence(provider_id, vehicle_type_id, now).parking_allowed


def vehicle_available(provider_id, vehicle_id) -> bool:
    """True when the vehicle is in the provider's current snapshot, free and not held by a booking."""
    provider = Provider.objects.filter(pk=provider_id, active=True).first()
    if provider is None or provider.current_snapshot_id is None or is_stale(provider):
        return False
    if VehicleHold.objects.filter(provider_id=provider_id, vehicle_id=vehicle_id).exists():
        return False
    return Vehicle.objects.filter(snapshot_id=provider.current_snapshot_id, vehicle_id=vehicle_id,
                                  is_reserved=False, is_disabled=False).exists()


def provider_by_id(provider_id, *, active_only=True):
    """The provider with this id (None when unknown, or inactive and `active_only`)."""
    providers = Provider.objects.filter(pk=provider_id)
    return (providers.filter(active=True) if active_only else providers).first()


def bookable_taxi_provider():
    """The active taxi provider with a booking (TOMP) API, lowest id first; None when none is configured."""
    return Provider.objects.filter(kind=Provider.Kind.TAXI, active=True).exclude(booking_api_url="") \
        .order_by("pk").first()


def _installed_station(provider_id, station_id):
    """The station in an active provider's current snapshot, as a queryset (empty when there is none)."""
    snapshot_id = (Provider.objects.filter(pk=provider_id, active=True)
                   .values_list("current_snapshot_id", flat=True).first())
    if snapshot_id is None:
        return Station.objects.none()
    return Station.objects.filter(snapshot_id=snapshot_id, station_id=station_id, is_installed=True)


def station_has_bike(provider_id, station_id) -> bool:
    """True when the station (current snapshot) is renting and has at least one bike available."""
    return _installed_station(provider_id, station_id).filter(is_renting=True, bikes_available__gt=0).exists()


def station_bike_count(provider_id, station_id) -> dict:
    """{"bikes_available": int, "as_of": datetime | None} of a station in the provider's current snapshot
    (0 when it is unknown, not installed or not renting); `as_of` is when that count was reported.

    Bookings subtract their own live holds at the station from this count so two people can't book the
    last bike.
    """
    provider = Provider.objects.filter(pk=provider_id, active=True).select_related("current_snapshot").first()
    if provider is None or provider.current_snapshot is None:
        return {"bikes_available": 0, "as_of": None}
    row = Station.objects.filter(snapshot_id=provider.current_snapshot_id, station_id=station_id,
                                 is_installed=True, is_renting=True).values("bikes_available", "last_reported").first()
    if row is None:
        return {"bikes_available": 0, "as_of": None}
    return {"bikes_available": max(0, row["bikes_available"]),
            "as_of": row["last_reported"] or provider.current_snapshot.last_updated}


def ride_check(provider_id, coordinates, vehicle_type_id=None, now=None):
    """providers.geofencing.RideCheck of a ride along [(lon, lat)]: through_allowed, blocked_by, slow_m."""
    from providers.geofencing import ride_check as check

    return check(provider_id, coordinates, vehicle_type_id, now)


def no_ride_through_zones(provider_id, vehicle_type_id=None, now=None) -> list:
    """Shapely geometries of the provider's zones a ride of the vehicle type may not enter (GBFS ride_through)."""
    from providers.geofencing import no_ride_through_zones as zones

    return zones(provider_id, vehicle_type_id, now)


KIND_MODES = {"bike_share": "city_bike", "scooter": "scooter", "car_share": "car", "taxi": "taxi"}
FORM_FACTOR_MODES = {"bicycle": "city_bike", "cargo_bicycle": "city_bike", "scooter": "scooter",
                     "scooter_standing": "scooter", "scooter_seated": "scooter", "moped": "scooter", "car": "car"}


def booking_mode(provider, *, vehicle_id=None, station_id=None):
    """The itinerary mode a booking of this vehicle (or, without one, this station) really is, which is
    what it is priced as: the vehicle type's GBFS form factor when the current snapshot knows it, else
    the provider's kind; docked station bikes are city bikes (car-share stations: cars). None: unknown."""
    if vehicle_id:
        vehicle_type = Vehicle.objects.filter(snapshot_id=provider.current_snapshot_id, vehicle_id=vehicle_id) \
            .values_list("vehicle_type_id", flat=True).first() if provider.current_snapshot_id else None
        form_factor = VehicleType.objects.filter(
            snapshot_id=provider.current_snapshot_id, vehicle_type_id=vehicle_type,
        ).values_list("form_factor", flat=True).first() if vehicle_type else None
        return FORM_FACTOR_MODES.get(form_factor) or KIND_MODES.get(provider.kind)
    if station_id:
        return "car" if provider.kind == "car_share" else "city_bike"
    return KIND_MODES.get(provider.kind)
