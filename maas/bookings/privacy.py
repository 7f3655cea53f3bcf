"""GDPR part of bookings: export, ending live bookings at erasure, and location-data retention.

A booking's money fields and provider references are bookkeeping and stay; the leg's places, times of day at
a place and geometry are location data: erased with the account, and purged after the retention period (or
once the booking is over, for residents without location consent).
"""
from django.db import transaction
from django.db.models import Q

from maas.accounts.privacy.rows import rows
from maas.bookings import services
from maas.bookings.models import Booking, BookingEvent, IdempotencyRecord
from maas.bookings.states import TERMINAL, BookingState

CANCELLABLE = (BookingState.PENDING, BookingState.CONDITIONAL_CONFIRMED, BookingState.CONFIRMED)
IN_PROGRESS = (BookingState.NEW, BookingState.STARTED)
LOCATION_KEYS = ("from", "to", "geometry")
SCRUBBED = {"location_removed": True}


def export_for(user):
    """Bookings with their legs and state history, the events the user caused, and idempotency keys used."""
    bookings = list(Booking.objects.filter(user=user).prefetch_related("events"))
    booking_rows = rows(bookings)
    for data, booking in zip(booking_rows, bookings):
        data["events"] = rows(booking.events.all())
    return {
        "bookings.Booking": booking_rows,
        "bookings.BookingEvent": rows(BookingEvent.objects.filter(actor=user)),
        "bookings.IdempotencyRecord": rows(IdempotencyRecord.objects.filter(user=user),
                                           exclude=("response_body",)),
    }


def trips_in_progress(user):
    """Ids of the user's bookings being made or ridden (erasure waits for them)."""
    return list(Booking.objects.filter(user=user, state__in=IN_PROGRESS).values_list("id", flat=True))


def end_live_bookings(user):
    """Cancel the user's bookings not yet started, the way the resident would (fees as in cancel_booking)."""
    ended = []
    for booking_id in Booking.objects.filter(user=user, state__in=CANCELLABLE).values_list("id", flat=True):
        services.cancel_booking(user, booking_id, reason="account erased")
        ended.append(booking_id)
    return ended


def _scrub_leg(leg):
    if not isinstance(leg, dict):
        return SCRUBBED
    kept = {k: v for k, v in leg.items() if k not in LOCATION_KEYS}
    return kept | SCRUBBED


@transaction.atomic
def scrub_locations(queryset):
    """Remove location data from these bookings' legs and event details; returns how many bookings changed."""
    changed = 0
    for booking in queryset.select_for_update():
        if isinstance(booking.leg, dict) and booking.leg.get("location_removed"):
            continue
        booking.leg = _scrub_leg(booking.leg)
        booking.save(update_fields=["leg"])
        BookingEvent.objects.filter(booking=booking).exclude(details={}).update(details={})
        changed += 1
    return changed


def erase_for(user):
    """Erasure: locations gone from every booking; idempotency records (stored answers) deleted."""
    scrub_locations(Booking.objects.filter(user=user))
    IdempotencyRecord.objects.filter(user=user).delete()


def purge_locations(*, older_than, without_consent_user_ids):
    """Retention: scrub ended bookings created before `older_than`, and every ended booking of the users
    without location consent. Returns the number of bookings scrubbed."""
    ended = Booking.objects.filter(state__in=list(TERMINAL))
    return scrub_locations(ended.filter(Q(created_at__lt=older_than) | Q(user_id__in=without_consent_user_ids)))
