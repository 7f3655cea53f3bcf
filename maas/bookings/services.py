"""Booking lifecycle writes: create (idempotent), confirm, start, finish, cancel, expire, provider retries.

Every state change goes through transitions.transition (legal moves only, logged). Provider calls
are made with the booking row locked, so two actions on one booking never interleave.
"""
import hashlib
import logging
import math
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, Conflict, ServiceUnavailable, error_body
from maas.bookings import idempotency, payments
from maas.bookings.models import Booking, IdempotencyRecord
from maas.bookings.selectors import locked_booking_for
from maas.bookings.serializers import BookingSerializer
from maas.bookings.states import HOLDING
from maas.bookings.states import BookingState as S
from maas.bookings.transitions import log_event, transition
from maas.outbox import services as outbox
from providers import selectors as provider_selectors
from providers.adapters import ProviderRejected, ProviderUnavailable, adapter_for

logger = logging.getLogger(__name__)

BOOKABLE_MODES = {"city_bike", "scooter", "car", "taxi"}
LEG_MODES = {"walk", "bike", "city_bike", "scooter", "car", "tram", "metro", "bus", "rail", "ferry", "taxi"}
# Holds that lapse, plus NEW bookings a crashed create request left behind.
EXPIRABLE = frozenset({S.NEW, *HOLDING})


def _setting(name, default):
    return type(default)(getattr(settings, name, default))


def hold_seconds():
    """How long a confirmed booking holds the vehicle before it must be started."""
    return _setting("BOOKING_HOLD_SECONDS", 900)


def pending_timeout_seconds():
    """How long a booking may stay PENDING (provider not answering) before it expires."""
    return _setting("BOOKING_PENDING_TIMEOUT_SECONDS", 120)


def retry_seconds(attempt):
    """Back-off before provider attempt number `attempt + 1`."""
    return _setting("BOOKING_RETRY_SECONDS", 10) * 2 ** max(0, attempt - 1)


def idempotency_stale_seconds():
    """After this long an unanswered Idempotency-Key claim is taken for a crashed request and settled."""
    return _setting("BOOKING_IDEMPOTENCY_STALE_SECONDS", 300)


def max_attempts():
    return _setting("BOOKING_MAX_PROVIDER_ATTEMPTS", 5)


# -- helpers --------------------------------------------------------------------------------------
def _provider(provider_id):
    return provider_selectors.provider_by_id(provider_id)


def _not_bookable(message, **details):
    return Conflict(message, code="leg_not_bookable", details=details or None)


def bookable_provider(leg):
    """The provider of a bookable leg; 409 leg_not_bookable when the leg can't be booked, 400 unknown_mode."""
    booking = leg.get("booking")
    if leg.get("mode") not in LEG_MODES:
        raise ApiError(_("Unknown mode."), code="unknown_mode",
                       details={"mode": str(leg.get("mode"))[:32], "modes": sorted(LEG_MODES)})
    if leg.get("transit") or not isinstance(booking, dict):
        raise _not_bookable(_("This leg needs no booking (public transport or walking)."), mode=leg.get("mode"))
    if leg.get("mode") not in BOOKABLE_MODES:
        raise _not_bookable(_("Legs of this mode can't be booked."), mode=leg.get("mode"))
    if leg["mode"] in {"city_bike", "scooter", "car"} and not (booking.get("vehicle_id") or booking.get("station_id")):
        raise _not_bookable(_("The leg names neither a vehicle nor a station."))
    provider = _provider(booking.get("provider_id"))
    if provider is None:
        raise _not_bookable(_("The leg's provider is unknown or inactive."), provider_id=booking.get("provider_id"))
    return provider


def _set_reserved(booking, reserved):
    if booking.vehicle_id:
        from providers.services import mark_vehicle_reserved

        mark_vehicle_reserved(booking.provider_id, booking.vehicle_id, reserved)


def _schedule(task_name, booking_id, countdown):
    """Queue bookings.<task_name> in the current transaction's outbox (sent once it commits)."""
    outbox.enqueue(f"bookings.{task_name}", [booking_id], countdown=countdown)


def _release_money(booking):
    if booking.payment_id:
        payments.release(booking)


def _end(booking, target, *, actor=None, system=None, reason, details=None):
    """Move a booking to a final state that gives everything back (vehicle hold and money)."""
    _release_money(booking)
    booking.expires_at = None
    booking.next_attempt_at = None
    transition(booking, target, actor=actor, system=system, reason=reason, details=details,
               save_fields=["expires_at", "next_attempt_at"])
    _set_reserved(booking, False)


def _apply_provider_result(booking, result, *, actor=None, system=None):
    """Bring a PENDING booking in line with the provider's answer to book/status."""
    now = timezone.now()
    if result.leg_id:
        booking.external_leg_id = result.leg_id
    if result.state in {S.CONFIRMED, S.CONDITIONAL_CONFIRMED}:
        booking.next_attempt_at = None
        booking.expires_at = now + timedelta(seconds=hold_seconds())
        if result.state == S.CONFIRMED:
            booking.confirmed_at = now
        transition(booking, result.state, actor=actor, system=system, reason="provider_confirmed",
                   details={"attempt": booking.provider_attempts, "external_id": booking.external_id},
                   save_fields=["external_leg_id", "next_attempt_at", "expires_at", "confirmed_at"])
        _set_reserved(booking, True)
        _schedule("expire_booking", booking.pk, hold_seconds())
        return "confirmed"
    if result.state in {S.NEW, S.PENDING}:
        delay = retry_seconds(booking.provider_attempts)
        booking.next_attempt_at = now + timedelta(seconds=delay)
        booking.save(update_fields=["external_leg_id", "next_attempt_at", "updated_at"])
        log_event(booking, booking.state, booking.state, actor=actor, system=system, reason="provider_pending",
                  details={"attempt": booking.provider_attempts, "retry_in_s": delay})
        _schedule("retry_pending_booking", booking.pk, delay)
        return "pending"
    _end(booking, S.REJECTED, actor=actor, system=system, reason="provider_rejected",
         details={"provider_state": result.state})
    return "rejected"


def _send_to_provider(booking, provider, *, actor=None, system=None):
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
        _end(booking, S.REJECTED, actor=actor, system=system, reason=exc.reason,
             details={"message": exc.message, "provider_code": exc.provider_code})
        return "rejected", exc
    except ProviderUnavailable as exc:
        delay = retry_seconds(booking.provider_attempts)
        logger.warning("booking %s: provider %s unavailable (attempt %s, retry in %ss): %s",
                       booking.pk, provider.pk, booking.provider_attempts, delay, exc)
        booking.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        booking.save(update_fields=["next_attempt_at", "updated_at"])
        log_event(booking, booking.state, booking.state, actor=actor, system=system, reason="provider_unavailable",
                  details={"error": str(exc), "attempt": booking.provider_attempts, "retry_in_s": delay})
        _schedule("retry_pending_booking", booking.pk, delay)
        return "pending", None
    return _apply_provider_result(booking, result, actor=actor, system=system), None


def _rejection_body(booking, exc):
    reason = exc.reason if exc else "provider_rejected"
    messages = {
        "vehicle_unavailable": _("The vehicle is no longer available."),
        "leg_not_bookable": _("The provider can't book this leg."),
    }
    return error_body(reason, messages.get(reason, _("The provider rejected the booking.")),
                      {"booking_id": booking.pk, "state": booking.state,
                       "provider_message": exc.message if exc else None})


# -- create ---------------------------------------------------------------------------------------
def create_booking(user, leg, idempotency_key):
    """Book an itinerary leg once per Idempotency-Key; returns (http_status, body) to answer with.

    201 confirmed (or conditionally), 202 provider not answering yet (PENDING, retried by Celery),
    409 rejected by the provider / vehicle taken / no bike left at the station, 402 payment declined.
    Replays get the same answer. No transaction is held open across the Stripe and provider calls
    except the new booking's own row lock while its provider is asked.
    """
    key = idempotency.check_key(idempotency_key)
    provider = bookable_provider(leg)
    body_hash = idempotency.request_hash({"leg": leg})
    return idempotency.run_once(user, key, body_hash, lambda record: _create(user, leg, provider, record),
                                on_error=_answer_for_existing_booking, stale_after=idempotency_stale_seconds())


def _answer_for_existing_booking(record):
    """After an unexpected failure: keep answering with the booking if one was made (never book twice)."""
    booking = Booking.objects.filter(pk=record.booking_id).first() if record.booking_id else None
    return None if booking is None else (202, BookingSerializer(booking).data, booking)


def _holds_at_station(provider, booking):
    """Station bookings without a vehicle id on a GBFS-only provider: we hold the bike ourselves."""
    return bool(booking.station_id and not booking.vehicle_id and not provider.booking_api_url)


def _lock_station(provider_id, station_id):
    """Serialize bookings of one station until the transaction ends (PostgreSQL advisory lock)."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"bookings:station:{provider_id}:{station_id}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def station_bikes_left(provider_id, station_id):
    """Bikes at a station not held by our live bookings: the feed's count minus our holds there and
    minus rides started after that count was reported. Call with the station locked."""
    from providers.selectors import station_bike_count

    count = station_bike_count(provider_id, station_id)
    ours = Booking.objects.filter(provider_id=provider_id, station_id=station_id, vehicle_id="")
    taken = Q(state__in=[S.NEW, *HOLDING])
    if count["as_of"] is not None:
        taken |= Q(state=S.STARTED, started_at__gt=count["as_of"])
    return count["bikes_available"] - ours.filter(taken).count()


def _create(user, leg, provider, record):
    ref = leg["booking"]
    booking = Booking(
        user=user, provider_id=provider.pk, mode=leg["mode"], leg=leg,
        vehicle_id=ref.get("vehicle_id") or "", station_id=ref.get("station_id") or "",
        end_station_id=ref.get("end_station_id") or "",
        # a NEW booking abandoned by a crashed request is expired by the sweep
        expires_at=timezone.now() + timedelta(seconds=pending_timeout_seconds()),
    )
    with transaction.atomic():
        if _holds_at_station(provider, booking):
            _lock_station(provider.pk, booking.station_id)
            left = station_bikes_left(provider.pk, booking.station_id)
            if left <= 0:
                return 409, error_body("vehicle_unavailable", _("No bike is left at this station."),
                                       {"provider_id": provider.pk, "station_id": booking.station_id}), None
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError:
            body = error_body("vehicle_unavailable", _("The vehicle is already booked."),
                              {"provider_id": provider.pk, "vehicle_id": booking.vehicle_id})
            return 409, body, None
        log_event(booking, "", S.NEW, actor=user, reason="created", details={"provider": provider.name})
        record.booking = booking
        record.save(update_fields=["booking"])

    payment = None
    try:
        quote = payments.quote_leg(user, leg)
        booking.currency = quote["currency"]
        booking.quoted_cents, booking.charge_cents, booking.covered = (
            quote["price_cents"], quote["charge_cents"], quote["covered"])
        booking.save(update_fields=["currency", "quoted_cents", "charge_cents", "covered", "updated_at"])
        if booking.charge_cents > 0:
            payment = payments.authorize(booking)  # Stripe, outside any transaction
    except Exception:
        booking.delete()  # still NEW, nothing sent anywhere: the client may simply retry
        raise
    if payment is not None:
        booking.payment_id, booking.authorized_cents = payment.pk, payment.amount_cents
        booking.save(update_fields=["payment_id", "authorized_cents", "updated_at"])  # committed at once

    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.state != S.NEW:  # the sweep expired it while Stripe was slow
            _release_money(booking)
            return 409, error_body("booking_expired", _("The hold on this booking has expired."),
                                   {"booking_id": booking.pk, "state": booking.state}), booking
        if payment is not None and payment.status != "requires_capture":
            booking.authorized_cents = 0
            transition(booking, S.RELEASED, actor=user, reason="payment_declined",
                       details={"payment_status": payment.status}, save_fields=["authorized_cents"])
            body = error_body("payment_declined", _("The payment could not be authorised."),
                              {"booking_id": booking.pk, "state": booking.state})
            return 402, body, booking

        booking.expires_at = timezone.now() + timedelta(seconds=pending_timeout_seconds())
        transition(booking, S.PENDING, actor=user, reason="sent_to_provider", save_fields=["expires_at"])
        outcome, exc = _send_to_provider(booking, provider, actor=user)
    if outcome == "rejected":
        return 409, _rejection_body(booking, exc), booking
    return (201 if outcome == "confirmed" else 202), BookingSerializer(booking).data, booking


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


def _adapter(booking):
    return adapter_for(_provider(booking.provider_id) or _inactive_provider(booking))


def _inactive_provider(booking):
    return provider_selectors.provider_by_id(booking.provider_id, active_only=False)


@transaction.atomic
def confirm_booking(user, booking_id):
    """Accept a CONDITIONAL_CONFIRMED booking's conditions (TOMP COMMIT) -> CONFIRMED."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.CONDITIONAL_CONFIRMED)
    _adapter_call(_adapter(booking).confirm, booking.external_id)
    now = timezone.now()
    booking.confirmed_at, booking.expires_at = now, now + timedelta(seconds=hold_seconds())
    transition(booking, S.CONFIRMED, actor=user, reason="conditions_accepted",
               save_fields=["confirmed_at", "expires_at"])
    _schedule("expire_booking", booking.pk, hold_seconds())
    return booking


def start_booking(user, booking_id):
    """Unlock / board: CONFIRMED -> STARTED. A lapsed hold is expired instead (409 booking_expired)."""
    with transaction.atomic():
        booking = locked_booking_for(user, booking_id)
        _require(booking, S.CONFIRMED)
        if not (booking.expires_at and booking.expires_at <= timezone.now()):
            _adapter_call(_adapter(booking).start, booking.external_id, booking.external_leg_id)
            booking.started_at, booking.expires_at = timezone.now(), None
            transition(booking, S.STARTED, actor=user, reason="started", save_fields=["started_at", "expires_at"])
            return booking
        _expire_locked(booking, system="expiry")
    raise Conflict(_("The hold on this booking has expired."), code="booking_expired",
                   details={"booking_id": booking.pk, "state": booking.state})


@transaction.atomic
def finish_booking(user, booking_id):
    """End the ride: STARTED -> FINISHED; capture the final price or write the plan's ledger entry."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.STARTED)
    result = _adapter_call(_adapter(booking).finish, booking.external_id, booking.external_leg_id)
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
    _set_reserved(booking, False)
    return booking


@transaction.atomic
def decline_booking(user, booking_id):
    """Refuse a CONDITIONAL_CONFIRMED booking's conditions (TOMP DENY) -> RELEASED, money released."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.CONDITIONAL_CONFIRMED)
    _adapter_call(_adapter(booking).decline, booking.external_id)
    _end(booking, S.RELEASED, actor=user, reason="conditions_declined")
    return booking


@transaction.atomic
def cancel_booking(user, booking_id, reason=""):
    """Cancel before the ride: free (authorisation released) within the free window, else a fee."""
    booking = locked_booking_for(user, booking_id)
    _require(booking, S.PENDING, S.CONDITIONAL_CONFIRMED, S.CONFIRMED)
    details = {"note": reason[:200]} if reason else {}
    if booking.external_id:
        try:
            _adapter_call(_adapter(booking).cancel, booking.external_id)
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
    _set_reserved(booking, False)
    return booking


# -- system: expiry and retries --------------------------------------------------------------------
def _expire_locked(booking, *, system, reason="hold_expired"):
    details = {}
    if booking.external_id:
        try:
            _adapter(booking).cancel(booking.external_id)
        except (ProviderRejected, ProviderUnavailable) as exc:
            details["provider_cancel"] = f"{exc.__class__.__name__}: {exc}"
    _end(booking, S.EXPIRED, system=system, reason=reason, details=details)
    logger.info("booking %s expired (%s)", booking.pk, reason)


def expire_booking(booking_id, *, now=None, system="expiry"):
    """Expire a booking whose hold has lapsed; a no-op (None) if it hasn't or was already settled."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.state not in EXPIRABLE or not booking.expires_at or booking.expires_at > now:
            return None
        _expire_locked(booking, system=system)
        return booking


def retry_pending_booking(booking_id, *, now=None):
    """Try a PENDING booking's provider again when due; expire it once out of time or attempts."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.state != S.PENDING:
            return None
        if (booking.expires_at and booking.expires_at <= now) or booking.provider_attempts >= max_attempts():
            _expire_locked(booking, system="retry", reason="provider_never_answered")
            return booking
        if booking.next_attempt_at and booking.next_attempt_at > now:
            return None
        provider = _provider(booking.provider_id)
        if provider is None:
            _end(booking, S.REJECTED, system="retry", reason="provider_inactive")
            return booking
        _send_to_provider(booking, provider, system="retry")
        return booking


def sweep(now=None):
    """Beat safety net: expire lapsed holds, retry due PENDING bookings, drop old idempotency keys."""
    now = now or timezone.now()
    lapsed = list(Booking.objects.filter(state__in=EXPIRABLE, expires_at__lte=now).values_list("pk", flat=True))
    expired = sum(1 for pk in lapsed if (retry_pending_booking(pk, now=now) if _is_pending(pk)
                                          else expire_booking(pk, now=now)) is not None)
    due = list(Booking.objects.filter(state=S.PENDING, next_attempt_at__lte=now).values_list("pk", flat=True))
    retried = sum(1 for pk in due if retry_pending_booking(pk, now=now) is not None)
    ttl = timedelta(hours=_setting("BOOKING_IDEMPOTENCY_TTL_HOURS", 24))
    purged, _ = IdempotencyRecord.objects.filter(created_at__lt=now - ttl).delete()
    return {"expired": expired, "retried": retried, "idempotency_keys_purged": purged}


def _is_pending(pk):
    return Booking.objects.filter(pk=pk, state=S.PENDING).exists()
