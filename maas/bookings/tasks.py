"""Celery tasks: per-booking countdowns (hold expiry, provider retries) and the beat sweep."""
from celery import shared_task

from maas.bookings import services


@shared_task(name="bookings.expire_booking")
def expire_booking(booking_id):
    """Countdown task queued when a hold starts; a no-op if the booking moved on or the hold was extended."""
    booking = services.expire_booking(booking_id)
    return booking.state if booking else None


@shared_task(name="bookings.retry_pending_booking")
def retry_pending_booking(booking_id):
    """Countdown task queued after a provider timeout: ask again, or expire when out of time."""
    booking = services.retry_pending_booking(booking_id)
    return booking.state if booking else None


@shared_task(name="bookings.sweep")
def sweep():
    """Periodic (beat) safety net for lost countdowns: expire lapsed holds, retry due PENDING bookings."""
    return services.sweep()
