"""Reads of bookings: residents see their own, staff see everyone's."""
from django.http import Http404

from maas.bookings.models import Booking


def bookings_visible_to(user, *, state=None):
    """Bookings `user` may see (optionally in one state), newest first."""
    qs = Booking.objects.select_related("user")
    if state:
        qs = qs.filter(state=state)
    return qs if user.is_staff else qs.filter(user=user)


def booking_for(user, booking_id):
    """One booking with its event log, or 404 (also for another resident's booking)."""
    try:
        return bookings_visible_to(user).prefetch_related("events").get(pk=booking_id)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def locked_booking_for(user, booking_id):
    """The booking row locked FOR UPDATE (inside a transaction), or 404 when `user` may not see it."""
    qs = Booking.objects.select_for_update()
    if not user.is_staff:
        qs = qs.filter(user=user)
    try:
        return qs.get(pk=booking_id)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def booking_by_id(booking_id):
    """The booking with this id, or None (no access check: for the system's own bookkeeping)."""
    return Booking.objects.filter(pk=booking_id).first() if booking_id else None
