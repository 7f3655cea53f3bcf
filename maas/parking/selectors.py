"""Reads: area usage vs cap, waitlist positions, facility free spaces, park-and-ride options, charts."""
import math
from datetime import date, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from maas.accounts.models import Household
from maas.parking.models import Facility, ParkAndRideReservation, ParkingArea, Permit, UtilizationSnapshot


def households_in(area):
    """Number of households whose block belongs to the area."""
    blocks = area.block_list()
    return Household.objects.filter(block__in=blocks).count() if blocks else 0


def granted_count(area):
    return Permit.objects.filter(area=area, status=Permit.GRANTED).count()


def waitlist_count(area):
    return Permit.objects.filter(area=area, status=Permit.WAITLISTED).count()


def area_usage(area):
    """{"cap", "used", "waitlist", "households", "over_cap", "free"} for one area, read now."""
    households = households_in(area)
    cap = area.cap_for(households)
    used = granted_count(area)
    return {
        "area_id": area.pk, "code": area.code, "name": area.name, "rule": area.rule_label(),
        "households": households, "cap": cap, "used": used, "waitlist": waitlist_count(area),
        "over_cap": max(0, used - cap), "free": max(0, cap - used),
    }


def waitlist_position(permit):
    """1-based place in the area's queue, or None if the permit is not waitlisted."""
    if permit.status != Permit.WAITLISTED:
        return None
    ahead = Permit.objects.filter(area_id=permit.area_id, status=Permit.WAITLISTED).filter(
        requested_at__lt=permit.requested_at
    ).count() + Permit.objects.filter(
        area_id=permit.area_id, status=Permit.WAITLISTED, requested_at=permit.requested_at, id__lt=permit.id
    ).count()
    return ahead + 1


def next_in_line(area):
    """The first waitlisted permit of an area (request order), or None."""
    return (Permit.objects.filter(area=area, status=Permit.WAITLISTED)
            .order_by("requested_at", "id").first())


def _capacity(facility, capacity_type):
    row = facility.capacities.filter(capacity_type=capacity_type).first()
    return row.capacity if row else 0


def _permits_at(facility, capacity_type, day=None):
    qs = Permit.objects.filter(facility=facility, status=Permit.GRANTED, area__capacity_type=capacity_type)
    if day is not None:
        qs = qs.filter(valid_from__lte=day).exclude(valid_until__lt=day)
    return qs.count()


def _reservations_on(facility, capacity_type, day):
    return ParkAndRideReservation.objects.filter(
        facility=facility, capacity_type=capacity_type, day=day, status=ParkAndRideReservation.RESERVED
    ).count()


def facility_free_for_day(facility, day, capacity_type="CAR"):
    """Spaces of a type left at a facility on a day: capacity - permits valid that day - reservations."""
    free = _capacity(facility, capacity_type) - _permits_at(facility, capacity_type, day) - _reservations_on(
        facility, capacity_type, day
    )
    return max(0, free)


def facility_free_for_permit(facility, capacity_type, from_day):
    """Spaces a new open-ended permit may take: capacity - granted permits - busiest reserved day ahead."""
    busiest = (ParkAndRideReservation.objects
               .filter(facility=facility, capacity_type=capacity_type, day__gte=from_day,
                       status=ParkAndRideReservation.RESERVED)
               .values("day").annotate(n=Count("id")).aggregate(m=Max("n"))["m"]) or 0
    return max(0, _capacity(facility, capacity_type) - _permits_at(facility, capacity_type) - busiest)


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def park_and_ride_options(lat, lon, radius_m, day, capacity_type="CAR"):
    """Park-and-ride facilities within radius_m that have a space free on `day`, nearest first.

    Returns [{"facility_id", "name", "lat", "lon", "free_spaces", "capacity", "distance_m"}],
    free_spaces > 0 only; closed facilities are left out.
    """
    if isinstance(day, str):
        day = date.fromisoformat(day)
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    candidates = (Facility.objects.filter(status="IN_OPERATION", lat__range=(lat - dlat, lat + dlat),
                                          lon__range=(lon - dlon, lon + dlon),
                                          capacities__capacity_type=capacity_type)
                  .prefetch_related("capacities").distinct())
    options = []
    for facility in candidates:
        if not facility.is_park_and_ride:
            continue
        dist = distance_m(lat, lon, facility.lat, facility.lon)
        if dist > radius_m:
            continue
        free = facility_free_for_day(facility, day, capacity_type)
        if free <= 0:
            continue
        options.append({
            "facility_id": facility.pk, "name": facility.name, "lat": facility.lat, "lon": facility.lon,
            "free_spaces": free, "capacity": _capacity(facility, capacity_type), "distance_m": round(dist),
        })
    return sorted(options, key=lambda o: o["distance_m"])


def utilization_series(days=60):
    """Per area: today's live usage plus the recorded daily snapshots (oldest first) of the last `days`."""
    since = timezone.localdate() - timedelta(days=days)
    result = []
    for area in ParkingArea.objects.all():
        snaps = list(UtilizationSnapshot.objects.filter(area=area, day__gte=since).order_by("day"))
        result.append({"area": area, "usage": area_usage(area), "snapshots": snaps})
    return result
