"""Permit applications: granted at once if the area's cap and its facility's capacity allow, else waitlisted.

Every allocation locks the area row, then its facility row (always in that order), with
SELECT ... FOR UPDATE, re-counts under the lock and only then grants. Concurrent requests for
the same area are thereby serialized, so grants never exceed the cap or the facility's capacity.
On PostgreSQL the locked section is one server-side function (migrations 0002, 0005): one round trip.
"""
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, Conflict
from maas.parking import selectors
from maas.parking.models import Facility, ParkingArea, Permit
from maas.parking.services.checks import check_not_too_far, normalize_plate


def lock_area(area_id):
    """Lock the area row, then its facility row; returns (area, facility or None)."""
    area = ParkingArea.objects.select_for_update().get(pk=area_id)
    facility = Facility.objects.select_for_update().get(pk=area.facility_id) if area.facility_id else None
    return area, facility


def grant(permit, facility):
    """Mark a waitlisted permit granted at `facility` (call it holding the area lock)."""
    permit.status = Permit.GRANTED
    permit.facility = facility
    permit.granted_at = timezone.now()
    permit.save(update_fields=["status", "facility", "granted_at"])


def end_permit(permit, status):
    permit.status = status
    permit.ended_at = timezone.now()
    permit.save(update_fields=["status", "ended_at"])


def apply_for_permit(resident, area_id, *, plate, valid_from=None, valid_until=None):
    """Apply for a permit: granted at once if cap and capacity allow and nobody waits, else waitlisted.

    The permit returned knows its area's code and, when waitlisted, how many waited ahead of it when it
    applied (`queue_ahead_at_application`, counted under the lock): answering the request needs no query.
    """
    plate = normalize_plate(plate)
    today = timezone.localdate()
    valid_from = valid_from or today
    if valid_from < today:
        raise ApiError(_("A permit cannot start in the past."), code="invalid_period",
                       details={"valid_from": str(valid_from)})
    check_not_too_far(valid_from, "valid_from", _("A permit can start at most %(days)s days from today."))
    if valid_until is not None and valid_until < valid_from:
        raise ApiError(_("The permit must end after it starts."), code="invalid_period",
                       details={"valid_from": str(valid_from), "valid_until": str(valid_until)})
    household = resident.household
    if household is None:
        raise ApiError(_("Only residents with a household can apply for a parking permit."),
                       code="no_household", status_code=403)
    if use_sql_allocator():
        return _apply_in_database(resident, household, area_id, plate, valid_from, valid_until)
    with transaction.atomic():
        try:
            area, facility = lock_area(area_id)
        except ParkingArea.DoesNotExist:
            raise ApiError(_("No such parking area."), code="area_not_found", status_code=404)
        if household.block not in area.block_list():
            raise ApiError(_("Your household is not in this parking area."), code="not_in_area",
                           details={"block": household.block, "area": area.code}, status_code=403)
        state = selectors.allocation_state(area, area.facility_id, household.pk, plate, valid_from)
        if state["held"] >= area.max_permits_per_household:
            raise Conflict(_("Your household already holds or awaits the permits it may have in this area."),
                           code="household_limit", details={"limit": area.max_permits_per_household})
        if state["plate_taken"]:
            raise _plate_conflict(area.pk, household, plate)
        room = state["waiting"] == 0 and has_room(area, facility, state)
        permit = Permit(resident=resident, household=household, area=area, plate=plate,
                        valid_from=valid_from, valid_until=valid_until)
        if room:
            permit.status = Permit.GRANTED
            permit.facility = facility
            permit.granted_at = timezone.now()
        else:
            permit.queue_ahead_at_application = state["waiting"]
        permit.save()
    return permit


def has_room(area, facility, state):
    """The allocation rule: the area's cap and its facility's capacity of the area's type both leave a space.

    `state` is selectors.allocation_state(), read while holding the area and facility locks.
    """
    if state["granted"] >= area.cap_for(state["households"]):
        return False
    if facility is None:
        return True
    return facility.status == "IN_OPERATION" and (
        state["facility_capacity"] - state["facility_permits"] - state["busiest_reserved_day"] > 0)


def use_sql_allocator():
    """PostgreSQL runs the locked section as one server-side function (migration 0002); others use the ORM.

    Both are kept on purpose: on PostgreSQL the ORM path (lock, state query, insert, commit: four round trips
    with the locks held) measured 5-6x slower per grant in bench/parking.py --allocator orm. The rules are
    the same in both; tests/parking/test_allocator_parity.py plays one request sequence through each.
    """
    return connection.vendor == "postgresql" and getattr(settings, "PARKING_ALLOCATOR", "sql") == "sql"


def _sql_error(outcome, household, plate, limit, area_id, area_code):
    if outcome == "area_not_found":
        return ApiError(_("No such parking area."), code=outcome, status_code=404)
    if outcome == "not_in_area":
        return ApiError(_("Your household is not in this parking area."), code=outcome, status_code=403,
                        details={"block": household.block, "area": area_code})
    if outcome == "household_limit":
        return Conflict(_("Your household already holds or awaits the permits it may have in this area."),
                        code=outcome, details={"limit": limit})
    return _plate_conflict(area_id, household, plate)


def _plate_conflict(area_id, household, plate):
    """The plate is already in use in the area. Only its own household learns that it holds the permit;
    another household is told the plate can't be had here, without a word about someone else's permit."""
    if selectors.plate_held_by_household(area_id, household.pk, plate):
        return Conflict(_("This vehicle already has a permit or application in this area."), code="plate_taken",
                        details={"plate": plate})
    return Conflict(_("This vehicle cannot get a permit in this area through your household. If it is yours, "
                      "contact parking services."), code="plate_unavailable", details={"plate": plate})


def _apply_in_database(resident, household, area_id, plate, valid_from, valid_until):
    """Same checks and decision as the ORM path, made by parking_apply_permit() in one round trip."""
    sql = "SELECT r.* FROM parking_apply_permit(%s, %s, %s, %s, %s, %s, %s) r"
    if getattr(settings, "PARKING_ASYNC_COMMIT", False):
        # Opt-in: don't wait for the WAL flush while the row locks are held. Allocation stays exact; a
        # server crash may lose the last fraction of a second of applications (never corrupts counts).
        sql = "SELECT r.* FROM set_config('synchronous_commit', 'off', true) s, " + sql[len("SELECT r.* FROM "):]
    with connection.cursor() as cursor:
        cursor.execute(sql, [area_id, resident.pk, household.pk, household.block, plate, valid_from, valid_until])
        permit_id, outcome, requested_at, granted_at, facility_id, limit, area_code, queue_ahead = cursor.fetchone()
    if permit_id is None:
        raise _sql_error(outcome, household, plate, limit, area_id, area_code)
    permit = Permit(id=permit_id, resident=resident, household=household, area_id=area_id, facility_id=facility_id,
                    plate=plate, valid_from=valid_from, valid_until=valid_until, status=outcome,
                    granted_at=granted_at)
    permit.requested_at = requested_at  # auto_now_add only applies on save()
    permit.area_code = area_code
    permit.queue_ahead_at_application = queue_ahead
    return permit
