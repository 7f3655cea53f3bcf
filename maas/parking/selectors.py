"""Reads: area usage vs cap, waitlist positions, facility free spaces, park-and-ride options, charts."""
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from maas.accounts import selectors as accounts
from maas.geo import bbox_around, distance_m
from maas.parking.models import Facility, ParkAndRideReservation, ParkingArea, Permit, UtilizationSnapshot


def households_in(area):
    """Number of households whose block belongs to the area."""
    return accounts.households_in_blocks(area.block_list())


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
    if hasattr(permit, "queue_ahead"):  # annotated by permits_of / permit_of
        return (permit.queue_ahead or 0) + 1
    ahead = Permit.objects.filter(area_id=permit.area_id, status=Permit.WAITLISTED).filter(
        requested_at__lt=permit.requested_at
    ).count() + Permit.objects.filter(
        area_id=permit.area_id, status=Permit.WAITLISTED, requested_at=permit.requested_at, id__lt=permit.id
    ).count()
    return ahead + 1


def _with_queue_position(permits):
    """Annotate `queue_ahead` (waitlisted permits before each one in its area) in the same query."""
    ahead = (Permit.objects.filter(area_id=OuterRef("area_id"), status=Permit.WAITLISTED)
             .filter(Q(requested_at__lt=OuterRef("requested_at"))
                     | Q(requested_at=OuterRef("requested_at"), id__lt=OuterRef("id")))
             .order_by().values("area_id").annotate(n=Count("id")).values("n"))
    return permits.select_related("area").annotate(queue_ahead=Subquery(ahead))


def permits_of(user):
    """The user's permits, newest first, with their waitlist places (one query)."""
    return _with_queue_position(Permit.objects.filter(resident__user=user)).order_by("-requested_at", "-id")


def permit_of(user, pk):
    """The user's permit `pk`, or None (also for other residents' permits)."""
    return _with_queue_position(Permit.objects.filter(pk=pk, resident__user=user)).first()


def reservations_of(user):
    return ParkAndRideReservation.objects.filter(resident__user=user).select_related("facility")


def reservation_of(user, pk):
    """The user's P+R reservation `pk`, or None (also for other residents' reservations)."""
    return ParkAndRideReservation.objects.filter(pk=pk, resident__user=user).first()


def areas_usage():
    """area_usage of every parking area."""
    return [area_usage(area) for area in ParkingArea.objects.all()]


def facilities():
    return Facility.objects.prefetch_related("capacities")


def active_permits_of_household(household_id):
    """Granted or waitlisted permits a household holds."""
    return Permit.objects.filter(household_id=household_id, status__in=[Permit.GRANTED, Permit.WAITLISTED]).count()


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


def utilization_fresh(reported_at, now=None) -> bool:
    """True when a Liipi reading is younger than PARKING_UTILIZATION_STALE_S (default 1800 s)."""
    if reported_at is None:
        return False
    now = now or timezone.now()
    return now - reported_at <= timedelta(seconds=int(getattr(settings, "PARKING_UTILIZATION_STALE_S", 1800)))


def facility_free_for_day(facility, day, capacity_type="CAR"):
    """Spaces of a type left at a facility on a day: capacity - permits valid that day - reservations.

    For today, a fresh Liipi utilization also bounds it (cars parked without a reservation).
    """
    row = facility.capacities.filter(capacity_type=capacity_type).first()
    if row is None:
        return 0
    free = row.capacity - _permits_at(facility, capacity_type, day) - _reservations_on(facility, capacity_type, day)
    today = timezone.localdate()
    if day == today and row.spaces_available is not None and utilization_fresh(row.reported_at):
        free = min(free, row.spaces_available)
    return max(0, free)


def park_and_ride_options(lat, lon, radius_m, day, capacity_type="CAR"):
    """Park-and-ride facilities within radius_m that have a space free on `day`, nearest first.

    Returns [{"facility_id", "name", "lat", "lon", "free_spaces", "capacity", "distance_m",
    "utilization": {"spaces_available", "reported_at", "fresh"}}], free_spaces > 0 only; closed facilities
    are left out.
    """
    if isinstance(day, str):
        day = date.fromisoformat(day)
    box = bbox_around(lat, lon, radius_m)
    candidates = (Facility.objects.filter(status="IN_OPERATION", lat__range=(box.min_lat, box.max_lat),
                                          lon__range=(box.min_lon, box.max_lon),
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
        reading = next((c for c in facility.capacities.all() if c.capacity_type == capacity_type), None)
        options.append({
            "facility_id": facility.pk, "name": facility.name, "lat": facility.lat, "lon": facility.lon,
            "free_spaces": free, "capacity": _capacity(facility, capacity_type), "distance_m": round(dist),
            "utilization": {"spaces_available": reading.spaces_available if reading else None,
                            "reported_at": reading.reported_at.isoformat() if reading and reading.reported_at
                            else None,
                            "fresh": bool(reading) and utilization_fresh(reading.reported_at)},
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


def plate_held_by_household(area_id, household_id, plate) -> bool:
    """Whether this household's own active permit or application in the area is for `plate`."""
    return Permit.objects.filter(area_id=area_id, household_id=household_id, plate=plate,
                                 status__in=(Permit.GRANTED, Permit.WAITLISTED)).exists()


def allocation_state(area, facility_id, household_id, plate, from_day):
    """Everything a permit decision needs, in one query (run it while holding the area/facility locks).

    Returns {"held", "plate_taken", "waiting", "granted", "facility_capacity", "facility_permits",
    "busiest_reserved_day", "households"}; the facility figures are None when the area has no facility.
    """
    from django.db import connection

    permit, area_t = Permit._meta.db_table, ParkingArea._meta.db_table
    capacity_t = Facility.capacities.rel.related_model._meta.db_table
    reservation_t = ParkAndRideReservation._meta.db_table
    household_t = accounts.household_table()
    block_params = {f"b{i}": block for i, block in enumerate(area.block_list())}
    blocks = ", ".join(f"%({key})s" for key in block_params) or "NULL"
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {permit} WHERE area_id = %(a)s AND household_id = %(h)s
             AND status IN ('granted', 'waitlisted')),
          (SELECT COUNT(*) FROM {permit} WHERE area_id = %(a)s AND plate = %(p)s
             AND status IN ('granted', 'waitlisted')),
          (SELECT COUNT(*) FROM {permit} WHERE area_id = %(a)s AND status = 'waitlisted'),
          (SELECT COUNT(*) FROM {permit} WHERE area_id = %(a)s AND status = 'granted'),
          (SELECT capacity FROM {capacity_t} WHERE facility_id = %(f)s AND capacity_type = %(t)s),
          (SELECT COUNT(*) FROM {permit} p JOIN {area_t} pa ON pa.id = p.area_id
             WHERE p.facility_id = %(f)s AND p.status = 'granted' AND pa.capacity_type = %(t)s),
          (SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM {reservation_t} WHERE facility_id = %(f)s
             AND capacity_type = %(t)s AND day >= %(d)s AND status = 'reserved' GROUP BY day) busiest),
          (SELECT COUNT(*) FROM {household_t} WHERE block IN ({blocks}))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"a": area.pk, "h": household_id, "p": plate, "f": facility_id,
                             "t": area.capacity_type, "d": from_day, **block_params})
        row = cursor.fetchone()
    keys = ["held", "plate_taken", "waiting", "granted", "facility_capacity", "facility_permits",
            "busiest_reserved_day", "households"]
    state = dict(zip(keys, row))
    if facility_id is None:
        state.update(facility_capacity=None, facility_permits=None, busiest_reserved_day=None)
    else:
        state["facility_capacity"] = state["facility_capacity"] or 0
        state["busiest_reserved_day"] = state["busiest_reserved_day"] or 0
    return state
