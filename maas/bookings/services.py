"""Booking lifecycle writes: create (creation.py), confirm, start, finish, cancel, expire, provider retries.

Every state change goes through transitions.transition (legal moves only, logged). Provider calls
are made with the booking row locked, so two actions on one booking never interleave.
"""
import logging
import math
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import Conflict, ServiceUnavailable
from maas.bookings import config, payments, provider_flow
from maas.bookings.creation import (  # noqa: F401 - the creation half of the services
    BookingRefused,
    bookable_provider,
    create_booking,
    station_bikes_left,
)
from maas.bookings.models import Booking, IdempotencyRecord
from maas.bookings.selectors import locked_booking_for
from maas.bookings.states import HOLDING
from maas.bookings.states import BookingState as S
from maas.bookings.transitions import transition
from providers.adapters import ProviderRejected, ProviderUnavailable

logger = logging.getLogger(__name__)

# Holds that lapse, plus NEW bookings a crashed create request left behind.
EXPIRABLE = frozenset({S.NEW, *HOLDING})


# -- actions --------------------------------------------------------------------------------------
def _require(booking, *states):
    if booking.state not in states:
        raise Conflict(_("This action isn't possible while the booking is %(state)s.") % {"state": booking.state},
                       code="illegal_transition", details={"state": booking.state})


def _adapter_call(fn, *args):
    """Call the provider for a user action: unreachable -> 503, refused -> 409 (state unchanged)."""
    try:
        return fn(*args)
    except ProviderUnavailable as exc:
        raise ServiceUnavailable(_("The provider is not answering; try again shortly."),
                                 code="provider_unavailable", details={"error": str(exc)}) from exc
    except ProviderRejected as exc:
        raise Conflict(exc.message, code=exc.reason, details={"provider_code": exc.provider_code}) from exc


@transaction.atomic
def confirm_booking(user, booking_id):
    """Accept a CONDITIONAL_CONFIRMED booking's conditions (TOMP COMMIT) -> CONFIRMED."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.CONDITIONAL_CONFIRMED)
    _adapter_call(provider_flow.adapter_of(booking).confirm, booking.external_id)
    now = timezone.now()
    booking.confirmed_at, booking.expires_at = now, now + timedelta(seconds=config.hold_seconds())
    transition(booking, S.CONFIRMED, actor=user, reason="conditions_accepted",
               save_fields=["confirmed_at", "expires_at"])
    provider_flow.schedule("expire_booking", booking.pk, config.hold_seconds())
    return booking


def start_booking(user, booking_id):
    """Unlock / board: CONFIRMED -> STARTED. A lapsed hold is expired instead (409 booking_expired)."""
    with transaction.atomic():
        booking = locked_booking_for(user, booking_id)
        _require(booking, S.CONFIRMED)
        if not (booking.expires_at and booking.expires_at <= timezone.now()):
            _adapter_call(provider_flow.adapter_of(booking).start, booking.external_id, booking.external_leg_id)
            booking.started_at, booking.expires_at = timezone.now(), None
            transition(booking, S.STARTED, actor=user, reason="started", save_fields=["started_at", "expires_at"])
            return booking
        provider_flow.expire_locked(booking, system="expiry")
    raise Conflict(_("The hold on this booking has expired."), code="booking_expired",
                   details={"booking_id": booking.pk, "state": booking.state})


@transaction.atomic
def finish_booking(user, booking_id):
    """End the ride: STARTED -> FINISHED; capture the final price or write the plan's ledger entry."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.STARTED)
    result = _adapter_call(provider_flow.adapter_of(booking).finish, booking.external_id, booking.external_leg_id)
    now = timezone.now()
    seconds = max(1, int((now - (booking.started_at or now)).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    details = {"minutes": minutes}
    if booking.covered:
        # The plan's ledger says what the resident owes: nothing within the cover, the overtime beyond it.
        entry = payments.record_usage(booking, minutes, result.distance_m)
        booking.ledger_ref = booking.leg_ref
        booking.final_cents, charge = entry.price_cents, entry.charge_cents
        details.update(ledger_entry_id=entry.pk, priced_by="plan")
    elif result.final_cents is not None and booking.charge_cents == booking.quoted_cents:
        booking.final_cents, charge = result.final_cents, result.final_cents
        details["priced_by"] = "provider"
    else:
        actual = dict(booking.leg, duration_s=seconds, start_time=booking.started_at.isoformat(),
                      end_time=now.isoformat())
        if result.distance_m is not None:
            actual["distance_m"] = result.distance_m
        quote = payments.quote_leg(booking.user, actual)
        booking.final_cents, charge = quote["price_cents"], quote["charge_cents"]
        details["priced_by"] = "billing"
    details.update(final_cents=booking.final_cents, charge_cents=charge)
    if charge > 0 or booking.payment_id:
        money = payments.collect(booking, charge)
        booking.captured_cents = money["captured_cents"] + money["extra_cents"]
        details["captured_cents"] = booking.captured_cents
        details.update({k: v for k, v in money.items() if k != "captured_cents" and v})
        if money["unpaid_cents"]:
            logger.warning("booking %s: %s cents not charged at finish (%s)", booking.pk,
                           money["unpaid_cents"], money["error"])
    booking.finished_at = now
    transition(booking, S.FINISHED, actor=user, reason="finished", details=details,
               save_fields=["final_cents", "captured_cents", "ledger_ref", "finished_at"])
    provider_flow.set_reserved(booking, False)
    return booking


@transaction.atomic
def decline_booking(user, booking_id):
    """Refuse a CONDITIONAL_CONFIRMED booking's conditions (TOMP DENY) -> RELEASED, money released."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.CONDITIONAL_CONFIRMED)
    _adapter_call(provider_flow.adapter_of(booking).decline, booking.external_id)
    provider_flow.end(booking, S.RELEASED, actor=user, reason="conditions_declined")
    return booking


@transaction.atomic
def cancel_booking(user, booking_id, reason=""):
    """Cancel before the ride: free (authorisation released) within the free window, else a fee."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.PENDING, S.CONDITIONAL_CONFIRMED, S.CONFIRMED)
    details = {"note": reason[:200]} if reason else {}
    if booking.external_id:
        try:
            _adapter_call(provider_flow.adapter_of(booking).cancel, booking.external_id)
        except Conflict as exc:  # the provider never had it / already dropped it: nothing to cancel there
            details["provider"] = exc.error_code
    now = timezone.now()
    free = booking.confirmed_at is None or now <= booking.confirmed_at + timedelta(
        seconds=payments.free_cancel_seconds())
    details["free_window"] = free
    if booking.payment_id:
        if free:
            payments.release(booking)
        else:
            booking.captured_cents = payments.capture(booking, payments.cancel_fee_cents())
            details["fee_cents"] = booking.captured_cents
    booking.expires_at = booking.next_attempt_at = None
    transition(booking, S.CANCELLED, actor=user, reason="cancelled", details=details,
               save_fields=["captured_cents", "expires_at", "next_attempt_at"])
    provider_flow.set_reserved(booking, False)
    return booking


# -- system: expiry and retries --------------------------------------------------------------------
def expire_booking(booking_id, *, now=None, system="expiry"):
    """Expire a booking whose hold has lapsed; a no-op (None) if it hasn't or was already settled."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.state not in EXPIRABLE or not booking.expires_at or booking.expires_at > now:
            return None
        provider_flow.expire_locked(booking, system=system)
        return booking


def retry_pending_booking(booking_id, *, now=None):
    """Try a PENDING booking's provider again when due; expire it once out of time or attempts."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.state != S.PENDING:
            return None
        if (booking.expires_at and booking.expires_at <= now) or booking.provider_attempts >= config.max_attempts():
            provider_flow.expire_locked(booking, system="retry", reason="provider_never_answered")
            return booking
        if booking.next_attempt_at and booking.next_attempt_at > now:
            return None
        provider = provider_flow.active_provider(booking.provider_id)
        if provider is None:
            provider_flow.end(booking, S.REJECTED, system="retry", reason="provider_inactive")
            return booking
        provider_flow.send_to_provider(booking, provider, system="retry")
        return booking


def sweep(now=None):
    """Beat safety net: expire lapsed holds, retry due PENDING bookings, drop old idempotency keys."""
    now = now or timezone.now()
    lapsed = list(Booking.objects.filter(state__in=EXPIRABLE, expires_at__lte=now).values_list("pk", flat=True))
    expired = sum(1 for pk in lapsed if (retry_pending_booking(pk, now=now) if _is_pending(pk)
                                          else expire_booking(pk, now=now)) is not None)
    due = list(Booking.objects.filter(state=S.PENDING, next_attempt_at__lte=now).values_list("pk", flat=True))
    retried = sum(1 for pk in due if retry_pending_booking(pk, now=now) is not None)
    ttl = timedelta(hours=config.idempotency_ttl_hours())
    purged, _ = IdempotencyRecord.objects.filter(created_at__lt=now - ttl).delete()
    return {"expired": expired, "retried": retried, "idempotency_keys_purged": purged}


def _is_pending(pk):
    return Booking.objects.filter(pk=pk, state=S.PENDING).exists()
