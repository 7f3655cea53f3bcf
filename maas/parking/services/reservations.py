"""Park-and-ride reservations: one space for a day, under a lock on the facility row."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, Conflict
from maas.parking import selectors
from maas.parking.models import Facility, ParkAndRideReservation
from maas.parking.services.checks import check_not_too_far, normalize_plate
from maas.parking.services.waitlist import areas_at, schedule_promotions


def reserve_park_and_ride(resident, facility_id, *, day, plate, capacity_type="CAR"):
    """Reserve one P+R space for a day, under a lock on the facility row; Conflict if full."""
    plate = normalize_plate(plate)
    if day < timezone.localdate():
        raise ApiError(_("Reservations can only be made for today or later."), code="invalid_day",
                       details={"day": str(day)})
    check_not_too_far(day, "day", _("Reservations can be made at most %(days)s days ahead."))
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
    sharing = areas_at(reservation.facility_id)  # permits count the busiest reserved day
    with transaction.atomic():
        reservation = ParkAndRideReservation.objects.select_for_update().get(pk=reservation.pk)
        if reservation.status != ParkAndRideReservation.RESERVED:
            raise Conflict(_("This reservation is already cancelled."), code="reservation_not_active")
        reservation.status = ParkAndRideReservation.CANCELLED
        reservation.save(update_fields=["status"])
        schedule_promotions(sharing)
    return reservation
