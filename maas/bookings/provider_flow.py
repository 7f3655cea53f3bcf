"""The provider side of a booking: ask the provider, apply its answer, end a booking (vehicle and money
given back), queue the follow-up tasks. Used by creation and by the lifecycle services."""
import logging
from datetime import timedelta

from django.utils import timezone

from maas.bookings import config, payments
from maas.bookings.states import BookingState as S
from maas.bookings.transitions import log_event, transition
from maas.outbox import services as outbox
from providers import selectors as provider_selectors
from providers.adapters import ProviderRejected, ProviderUnavailable, adapter_for

logger = logging.getLogger(__name__)


def active_provider(provider_id):
    """The active provider with this id, or None."""
    return provider_selectors.provider_by_id(provider_id)


def adapter_of(booking):
    return adapter_for(active_provider(booking.provider_id) or inactive_provider(booking))


def inactive_provider(booking):
    return provider_selectors.provider_by_id(booking.provider_id, active_only=False)


def set_reserved(booking, reserved):
    if booking.vehicle_id:
        from providers.services import mark_vehicle_reserved

        mark_vehicle_reserved(booking.provider_id, booking.vehicle_id, reserved)


def schedule(task_name, booking_id, countdown):
    """Queue bookings.<task_name> in the current transaction's outbox (sent once it commits)."""
    outbox.enqueue(f"bookings.{task_name}", [booking_id], countdown=countdown)


def release_money(booking):
    if booking.payment_id:
        payments.release(booking)


def end(booking, target, *, actor=None, system=None, reason, details=None):
    """Move a booking to a final state that gives everything back (vehicle hold and money)."""
    release_money(booking)
    booking.expires_at = None
    booking.next_attempt_at = None
    transition(booking, target, actor=actor, system=system, reason=reason, details=details,
               save_fields=["expires_at", "next_attempt_at"])
    set_reserved(booking, False)


def apply_provider_result(booking, result, *, actor=None, system=None):
    """Bring a PENDING booking in line with the provider's answer to book/status."""
    now = timezone.now()
    if result.leg_id:
        booking.external_leg_id = result.leg_id
    if result.state in {S.CONFIRMED, S.CONDITIONAL_CONFIRMED}:
        booking.next_attempt_at = None
        booking.expires_at = now + timedelta(seconds=config.hold_seconds())
        if result.state == S.CONFIRMED:
            booking.confirmed_at = now
        transition(booking, result.state, actor=actor, system=system, reason="provider_confirmed",
                   details={"attempt": booking.provider_attempts, "external_id": booking.external_id},
                   save_fields=["external_leg_id", "next_attempt_at", "expires_at", "confirmed_at"])
        set_reserved(booking, True)
        schedule("expire_booking", booking.pk, config.hold_seconds())
        return "confirmed"
    if result.state in {S.NEW, S.PENDING}:
        delay = config.retry_seconds(booking.provider_attempts)
        booking.next_attempt_at = now + timedelta(seconds=delay)
        booking.save(update_fields=["external_leg_id", "next_attempt_at", "updated_at"])
        log_event(booking, booking.state, booking.state, actor=actor, system=system, reason="provider_pending",
                  details={"attempt": booking.provider_attempts, "retry_in_s": delay})
        schedule("retry_pending_booking", booking.pk, delay)
        return "pending"
    end(booking, S.REJECTED, actor=actor, system=system, reason="provider_rejected",
        details={"provider_state": result.state})
    return "rejected"


def send_to_provider(booking, provider, *, actor=None, system=None):
    """Ask the provider to book (or, after a lost answer, what became of our booking).

    Returns ("confirmed" | "pending" | "rejected", ProviderRejected | None). A timeout leaves the
    booking PENDING with a retry scheduled.
    """
    adapter = adapter_for(provider)
    booking.provider_attempts += 1
    booking.save(update_fields=["provider_attempts", "updated_at"])
    try:
        result = adapter.status(booking.external_id) if booking.external_id else None
        if result is None:
            if not booking.external_id:
                booking.external_id = adapter.offer(booking.leg).offer_id
                booking.save(update_fields=["external_id", "updated_at"])
            result = adapter.book(booking.external_id, booking.leg, booking.leg_ref)
    except ProviderRejected as exc:
        end(booking, S.REJECTED, actor=actor, system=system, reason=exc.reason,
            details={"message": exc.message, "provider_code": exc.provider_code})
        return "rejected", exc
    except ProviderUnavailable as exc:
        delay = config.retry_seconds(booking.provider_attempts)
        logger.warning("booking %s: provider %s unavailable (attempt %s, retry in %ss): %s",
                       booking.pk, provider.pk, booking.provider_attempts, delay, exc)
        booking.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        booking.save(update_fields=["next_attempt_at", "updated_at"])
        log_event(booking, booking.state, booking.state, actor=actor, system=system, reason="provider_unavailable",
                  details={"error": str(exc), "attempt": booking.provider_attempts, "retry_in_s": delay})
        schedule("retry_pending_booking", booking.pk, delay)
        return "pending", None
    return apply_provider_result(booking, result, actor=actor, system=system), None


def expire_locked(booking, *, system, reason="hold_expired"):
    details = {}
    if booking.external_id:
        try:
            adapter_of(booking).cancel(booking.external_id)
        except (ProviderRejected, ProviderUnavailable) as exc:
            details["provider_cancel"] = f"{exc.__class__.__name__}: {exc}"
    end(booking, S.EXPIRED, system=system, reason=reason, details=details)
    logger.info("booking %s expired (%s)", booking.pk, reason)
