"""Writes: permit allocation under row locks, waitlist promotion, cap changes, P+R reservations.

Every allocation locks the area row, then its facility row (always in that order), with
SELECT ... FOR UPDATE, re-counts under the lock and only then grants. Concurrent requests for
the same area are thereby serialized, so grants never exceed the cap or the facility's capacity.
"""
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, Conflict
from maas.outbox import services as outbox
from maas.parking import selectors
from maas.parking.models import (
    CapChange,
    Facility,
    Notification,
    ParkAndRideReservation,
    ParkingArea,
    Permit,
    UtilizationSnapshot,
)

logger = logging.getLogger(__name__)

PLATE_RE = re.compile(r"^[A-ZÅÄÖ0-9]{1,4}-?[A-ZÅÄÖ0-9]{1,4}$")
# A plate as a resident may type it (any case, a space or hyphen): the API schema's pattern, checked as written
# before normalizing (str.upper() and str.strip() know more characters than the pattern: "ß" → "SS").
PLATE_INPUT_PATTERN = r"^ *[A-Za-zÅÄÖåäö0-9]{1,4}[- ]?[A-Za-zÅÄÖåäö0-9]{1,4} *$"
LETTERS_DIGITS_RE = re.compile(r"^([A-ZÅÄÖ]{1,3})-?([0-9]{1,3})$")  # the common Finnish form, ABC-123


def normalize_plate(plate):
    """Upper-case, trimmed vehicle plate (ABC123 and abc 123 become ABC-123); ApiError if it is not a plate."""
    value = (plate or "").strip().upper().replace(" ", "-")
    if not re.fullmatch(PLATE_INPUT_PATTERN, plate or "") or not PLATE_RE.match(value):
        raise ApiError(_("Enter a vehicle registration plate such as ABC-123."), code="invalid_plate",
                       details={"plate": plate})
    letters_digits = LETTERS_DIGITS_RE.match(value)
    return "-".join(letters_digits.groups()) if letters_digits else value


def max_days_ahead():
    """How many days ahead a P+R reservation or a permit start may lie (setting PARKING_MAX_DAYS_AHEAD, 90)."""
    return int(getattr(settings, "PARKING_MAX_DAYS_AHEAD", 90))


def _check_not_too_far(day, field, message):
    """ApiError day_too_far when `day` lies more than max_days_ahead() days after today."""
    days = max_days_ahead()
    latest = timezone.localdate() + timedelta(days=days)
    if day > latest:
        raise ApiError(message % {"days": days}, code="day_too_far", details={field: str(day), "latest": str(latest)})


def _lock_area(area_id):
    """Lock the area row, then its facility row; returns (area, facility or None)."""
    area = ParkingArea.objects.select_for_update().get(pk=area_id)
    facility = Facility.objects.select_for_update().get(pk=area.facility_id) if area.facility_id else None
    return area, facility


def _end(permit, status):
    permit.status = status
    permit.ended_at = timezone.now()
    permit.save(update_fields=["status", "ended_at"])


def _grant(permit, facility):
    permit.status = Permit.GRANTED
    permit.facility = facility
    permit.granted_at = timezone.now()
    permit.save(update_fields=["status", "facility", "granted_at"])


def apply_for_permit(resident, area_id, *, plate, valid_from=None, valid_until=None):
    """Apply for a permit: granted at once if cap and capacity allow and nobody waits, else waitlisted."""
    plate = normalize_plate(plate)
    today = timezone.localdate()
    valid_from = valid_from or today
    if valid_from < today:
        raise ApiError(_("A permit cannot start in the past."), code="invalid_period",
                       details={"valid_from": str(valid_from)})
    _check_not_too_far(valid_from, "valid_from", _("A permit can start at most %(days)s days from today."))
    if valid_until is not None and valid_until < valid_from:
        raise ApiError(_("The permit must end after it starts."), code="invalid_period",
                       details={"valid_from": str(valid_from), "valid_until": str(valid_until)})
    household = resident.household
    if household is None:
        raise ApiError(_("Only residents with a household can apply for a parking permit."),
                       code="no_household", status_code=403)
    if _use_sql_allocator():
        return _apply_in_database(resident, household, area_id, plate, valid_from, valid_until)
    with transaction.atomic():
        try:
            area, facility = _lock_area(area_id)
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
        room = state["waiting"] == 0 and _has_room(area, facility, state)
        permit = Permit(resident=resident, household=household, area=area, plate=plate,
                        valid_from=valid_from, valid_until=valid_until)
        if room:
            permit.status = Permit.GRANTED
            permit.facility = facility
            permit.granted_at = timezone.now()
        permit.save()
    return permit


def _has_room(area, facility, state):
    """The allocation rule: the area's cap and its facility's capacity of the area's type both leave a space.

    `state` is selectors.allocation_state(), read while holding the area and facility locks.
    """
    if state["granted"] >= area.cap_for(state["households"]):
        return False
    if facility is None:
        return True
    return facility.status == "IN_OPERATION" and (
        state["facility_capacity"] - state["facility_permits"] - state["busiest_reserved_day"] > 0)


def _use_sql_allocator():
    """PostgreSQL runs the locked section as one server-side function (migration 0002); others use the ORM.

    Both are kept on purpose: on PostgreSQL the ORM path (lock, state query, insert, commit: four round trips
    with the locks held) measured 5-6x slower per grant in bench/parking.py --allocator orm. The rules are
    the same in both; tests/parking/test_allocator_parity.py plays one request sequence through each.
    """
    return connection.vendor == "postgresql" and getattr(settings, "PARKING_ALLOCATOR", "sql") == "sql"


def _sql_error(outcome, area_id, household, plate, limit):
    if outcome == "area_not_found":
        return ApiError(_("No such parking area."), code=outcome, status_code=404)
    if outcome == "not_in_area":
        area = ParkingArea.objects.filter(pk=area_id).first()
        return ApiError(_("Your household is not in this parking area."), code=outcome, status_code=403,
                        details={"block": household.block, "area": area.code if area else None})
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
        permit_id, outcome, requested_at, granted_at, facility_id, limit = cursor.fetchone()
    if permit_id is None:
        raise _sql_error(outcome, area_id, household, plate, limit)
    permit = Permit(id=permit_id, resident=resident, household=household, area_id=area_id, facility_id=facility_id,
                    plate=plate, valid_from=valid_from, valid_until=valid_until, status=outcome,
                    granted_at=granted_at)
    permit.requested_at = requested_at  # auto_now_add only applies on save()
    return permit


def cancel_permit(permit):
    """Cancel a granted or waitlisted permit; a released space goes to the next in line (Celery task)."""
    with transaction.atomic():
        _lock_area(permit.area_id)
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        if permit.status not in (Permit.GRANTED, Permit.WAITLISTED):
            raise Conflict(_("This permit is no longer active."), code="permit_not_active",
                           details={"status": permit.status})
        released = permit.status == Permit.GRANTED
        permit.status = Permit.CANCELLED
        permit.ended_at = timezone.now()
        permit.save(update_fields=["status", "ended_at"])
        if released:
            _schedule_promotion(permit.area_id)
    return permit


def _schedule_promotion(area_id):
    """After commit, promote the area's waitlist, then those of the other areas parking at its facility.

    A released space at a shared facility may be the one another area's waitlist is short of.
    """
    facility_id = ParkingArea.objects.filter(pk=area_id).values_list("facility_id", flat=True).first()
    others = _areas_at(facility_id, exclude=area_id) if facility_id else []
    _schedule_promotions([area_id, *others])


def _areas_at(facility_id, exclude=None):
    return list(ParkingArea.objects.filter(facility_id=facility_id).exclude(pk=exclude)
                .order_by("id").values_list("id", flat=True))


def _schedule_promotions(area_ids):
    """Queue waitlist promotion of each area in the current transaction's outbox (sent once it commits)."""
    for area_id in area_ids:
        outbox.enqueue("parking.promote_waitlist", [area_id])


def facility_changed(facility):
    """Call after an admin edits a facility (capacity, status): its areas' waitlists may now fit."""
    _schedule_promotions(_areas_at(facility.pk))


def promote_waitlist(area_id):
    """Grant waitlisted permits in request order while the area has room; notify each. Returns them."""
    promoted = []
    with transaction.atomic():
        area, facility = _lock_area(area_id)
        while True:
            candidate = selectors.next_in_line(area)
            if candidate is None:
                break
            if candidate.valid_until is not None and candidate.valid_until < timezone.localdate():
                _end(candidate, Permit.EXPIRED)  # its period ended while it waited
                continue
            state = selectors.allocation_state(area, area.facility_id, None, None,
                                               max(candidate.valid_from, timezone.localdate()))
            if not _has_room(area, facility, state):
                break
            _grant(candidate, facility)
            with translation.override(candidate.resident.language or "fi"):  # the resident's, not the worker's
                notify(candidate, "permit_granted",
                       _("Your parking permit for %(plate)s in %(area)s has been granted.")
                       % {"plate": candidate.plate, "area": area.name})
            promoted.append(candidate)
    return promoted


def notify(permit, kind, message):
    """Store a Notification for the permit's resident and email it (Django's mail backend)."""
    note = Notification.objects.create(resident=permit.resident, permit=permit, kind=kind, message=message)
    email = permit.resident.user.email
    subject = _("Kalasatama parking")  # now, in the caller's language (send() runs after the commit)
    if email:
        def send():
            try:
                send_mail(subject, message,
                          getattr(settings, "DEFAULT_FROM_EMAIL", "noreply@example.org"), [email])
                Notification.objects.filter(pk=note.pk).update(emailed=True)
            except Exception:  # mail is best-effort; the Notification row is the record
                logger.exception("Could not email parking notification %s", note.pk)
        transaction.on_commit(send)
    return note


def save_area(area, *, user=None):
    """Save an area (e.g. from the admin) and audit any change of its cap rule.

    Lowering a cap below current use is allowed: nothing is revoked, nothing new is granted
    until use drops below the cap. Raising it promotes the waitlist. Returns the area's usage.
    """
    with transaction.atomic():
        old = ParkingArea.objects.select_for_update().filter(pk=area.pk).first() if area.pk else None
        area.save()
        if old is not None:
            households = selectors.households_in(area)
            old_cap, new_cap = old.cap_for(selectors.households_in(old)), area.cap_for(households)
            if old.rule_label() != area.rule_label() or old_cap != new_cap:
                CapChange.objects.create(
                    area=area, changed_by=user if user and user.is_authenticated else None,
                    old_rule=old.rule_label(), new_rule=area.rule_label(), old_cap=old_cap, new_cap=new_cap,
                    used_at_change=selectors.granted_count(area),
                )
        _schedule_promotion(area.pk)
    return selectors.area_usage(area)


def reserve_park_and_ride(resident, facility_id, *, day, plate, capacity_type="CAR"):
    """Reserve one P+R space for a day, under a lock on the facility row; Conflict if full."""
    plate = normalize_plate(plate)
    if day < timezone.localdate():
        raise ApiError(_("Reservations can only be made for today or later."), code="invalid_day",
                       details={"day": str(day)})
    _check_not_too_far(day, "day", _("Reservations can be made at most %(days)s days ahead."))
    with transaction.atomic():
        try:
            facility = Facility.objects.select_for_update().get(pk=facility_id)
        except Facility.DoesNotExist:
            raise ApiError(_("No such parking facility."), code="facility_not_found", status_code=404)
        if not facility.is_park_and_ride or facility.status != "IN_OPERATION":
            raise Conflict(_("This facility does not take park-and-ride reservations now."),
                           code="facility_unavailable", details={"status": facility.status})
        if ParkAndRideReservation.objects.filter(resident=resident, facility=facility, day=day,
                                                 status=ParkAndRideReservation.RESERVED).exists():
            raise Conflict(_("You already have a reservation here for that day."), code="already_reserved")
        if selectors.facility_free_for_day(facility, day, capacity_type) <= 0:
            raise Conflict(_("The facility is full on that day."), code="facility_full",
                           details={"facility_id": facility.pk, "day": str(day)})
        return ParkAndRideReservation.objects.create(resident=resident, facility=facility, day=day,
                                                     plate=plate, capacity_type=capacity_type)


def cancel_reservation(reservation):
    """Cancel a P+R reservation (frees the space for that day)."""
    with transaction.atomic():
        reservation = ParkAndRideReservation.objects.select_for_update().get(pk=reservation.pk)
        if reservation.status != ParkAndRideReservation.RESERVED:
            raise Conflict(_("This reservation is already cancelled."), code="reservation_not_active")
        reservation.status = ParkAndRideReservation.CANCELLED
        reservation.save(update_fields=["status"])
        _schedule_promotions(_areas_at(reservation.facility_id))  # permits count the busiest reserved day
    return reservation


def expire_permits(today=None):
    """End granted permits and waitlisted applications whose period is over; promote the waitlists they free.

    Returns the number of permits and applications expired.
    """
    today = today or timezone.localdate()
    area_ids = set()
    count = 0
    active = [Permit.GRANTED, Permit.WAITLISTED]
    for permit in Permit.objects.filter(status__in=active, valid_until__lt=today):
        with transaction.atomic():
            _lock_area(permit.area_id)
            n = Permit.objects.filter(pk=permit.pk, status__in=active).update(
                status=Permit.EXPIRED, ended_at=timezone.now())
        count += n
        area_ids.add(permit.area_id)
    facility_ids = set(ParkingArea.objects.filter(pk__in=area_ids).values_list("facility_id", flat=True))
    for area_id in area_ids | set(ParkingArea.objects.filter(facility_id__in=facility_ids - {None})
                                  .values_list("id", flat=True)):
        promote_waitlist(area_id)
    return count


def record_utilization_snapshots(day=None):
    """Write (or refresh) today's UtilizationSnapshot for every area; returns the rows."""
    day = day or timezone.localdate()
    rows = []
    for area in ParkingArea.objects.all():
        usage = selectors.area_usage(area)
        snap, _created = UtilizationSnapshot.objects.update_or_create(
            area=area, day=day, defaults={"cap": usage["cap"], "used": usage["used"],
                                          "waitlist": usage["waitlist"]})
        rows.append(snap)
    return rows

