"""Creating a booking: which legs can be booked, station bike holds, payment, the first provider call.

Returns the Booking, or raises BookingRefused (a final answer about a booking attempt, stored as the
Idempotency-Key's answer by the view) or another ApiError. No transaction is held open across the
Stripe and provider calls except the new booking's own row lock while its provider is asked.
"""
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.advisory import advisory_lock_id
from maas.api.errors import ApiError, Conflict
from maas.bookings import config, payments, provider_flow
from maas.bookings.models import Booking
from maas.bookings.serializers import LEG_MODES
from maas.bookings.states import HOLDING
from maas.bookings.states import BookingState as S
from maas.bookings.transitions import log_event, transition
from providers import selectors as provider_selectors

BOOKABLE_MODES = {"city_bike", "scooter", "car", "taxi"}


class BookingRefused(ApiError):
    """A booking attempt's final answer other than a booking under way: 409 vehicle taken / expired /
    rejected by the provider, 402 payment declined. `booking` is the booking it concerns, if one was made."""

    def __init__(self, message, *, code, details=None, status_code=409, booking=None):
        super().__init__(message, code=code, details=details, status_code=status_code)
        self.booking = booking


def _not_bookable(message, **details):
    return Conflict(message, code="leg_not_bookable", details=details or None)


def bookable_provider(leg):
    """The provider of a bookable leg; 409 leg_not_bookable when the leg can't be booked, 400 unknown_mode,
    400 mode_mismatch when the leg's mode is not what the vehicle (or station) really is."""
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
    provider = provider_flow.active_provider(booking.get("provider_id"))
    if provider is None:
        raise _not_bookable(_("The leg's provider is unknown or inactive."), provider_id=booking.get("provider_id"))
    real = provider_selectors.booking_mode(provider, vehicle_id=booking.get("vehicle_id"),
                                           station_id=booking.get("station_id"))
    if real is not None and real != leg["mode"]:  # the price follows the mode: the vehicle decides it
        raise ApiError(_("The leg's mode does not match the vehicle."), code="mode_mismatch",
                       details={"mode": leg["mode"], "vehicle_mode": real})
    return provider


def _holds_at_station(provider, booking):
    """Station bookings without a vehicle id on a GBFS-only provider: we hold the bike ourselves."""
    return bool(booking.station_id and not booking.vehicle_id and not provider.booking_api_url)


def _lock_station(provider_id, station_id):
    """Serialize bookings of one station until the transaction ends (PostgreSQL advisory lock)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_lock_id("bookings:station", provider_id,
                                                                                station_id)])


def station_bikes_left(provider_id, station_id):
    """Bikes at a station not held by our live bookings: the feed's count minus our holds there and
    minus rides started after that count was reported. Call with the station locked."""
    count = provider_selectors.station_bike_count(provider_id, station_id)
    ours = Booking.objects.filter(provider_id=provider_id, station_id=station_id, vehicle_id="")
    taken = Q(state__in=[S.NEW, *HOLDING])
    if count["as_of"] is not None:
        taken |= Q(state=S.STARTED, started_at__gt=count["as_of"])
    return count["bikes_available"] - ours.filter(taken).count()


def _rejected(booking, exc):
    reason = exc.reason if exc else "provider_rejected"
    messages = {
        "vehicle_unavailable": _("The vehicle is no longer available."),
        "leg_not_bookable": _("The provider can't book this leg."),
    }
    return BookingRefused(messages.get(reason, _("The provider rejected the booking.")), code=reason,
                          details={"booking_id": booking.pk, "state": booking.state,
                                   "provider_message": exc.message if exc else None}, booking=booking)


def _new_booking(user, leg, provider, on_created):
    """Save the NEW booking (with the station's bike held, if we hold it); `on_created` in its transaction."""
    ref = leg["booking"]
    booking = Booking(
        user=user, provider_id=provider.pk, mode=leg["mode"], leg=leg,
        vehicle_id=ref.get("vehicle_id") or "", station_id=ref.get("station_id") or "",
        end_station_id=ref.get("end_station_id") or "",
        # a NEW booking abandoned by a crashed request is expired by the sweep
        expires_at=timezone.now() + timedelta(seconds=config.pending_timeout_seconds()),
    )
    with transaction.atomic():
        if _holds_at_station(provider, booking):
            _lock_station(provider.pk, booking.station_id)
            if station_bikes_left(provider.pk, booking.station_id) <= 0:
                raise BookingRefused(_("No bike is left at this station."), code="vehicle_unavailable",
                                     details={"provider_id": provider.pk, "station_id": booking.station_id})
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError:
            raise BookingRefused(_("The vehicle is already booked."), code="vehicle_unavailable",
                                 details={"provider_id": provider.pk, "vehicle_id": booking.vehicle_id}) from None
        log_event(booking, "", S.NEW, actor=user, reason="created", details={"provider": provider.name})
        if on_created is not None:
            on_created(booking)
    return booking


def _authorize(user, booking, leg):
    """Price the leg and authorise the charge (Stripe, outside any transaction); the Payment or None."""
    try:
        quote = payments.quote_leg(user, leg)
        booking.currency = quote["currency"]
        booking.quoted_cents, booking.charge_cents, booking.covered = (
            quote["price_cents"], quote["charge_cents"], quote["covered"])
        booking.save(update_fields=["currency", "quoted_cents", "charge_cents", "covered", "updated_at"])
        payment = payments.authorize(booking) if booking.charge_cents > 0 else None
    except Exception:
        booking.delete()  # still NEW, nothing sent anywhere: the client may simply retry
        raise
    if payment is not None:
        booking.payment_id, booking.authorized_cents = payment.pk, payment.amount_cents
        booking.save(update_fields=["payment_id", "authorized_cents", "updated_at"])  # committed at once
    return payment


def create_booking(user, leg, provider, *, on_created=None):
    """Book `leg` (already checked by bookable_provider) with `provider`: the Booking, CONFIRMED /
    CONDITIONAL_CONFIRMED, or PENDING when the provider isn't answering yet (retried by Celery).

    `on_created(booking)` runs in the transaction that saves the NEW booking (the view links its
    Idempotency-Key to it there). Raises BookingRefused: 409 vehicle_unavailable / booking_expired /
    the provider's rejection reason, 402 payment_declined.
    """
    booking = _new_booking(user, leg, provider, on_created)
    payment = _authorize(user, booking, leg)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        refusal = _refusal_before_sending(user, booking, payment)
        if refusal is None:
            booking.expires_at = timezone.now() + timedelta(seconds=config.pending_timeout_seconds())
            transition(booking, S.PENDING, actor=user, reason="sent_to_provider", save_fields=["expires_at"])
            outcome, exc = provider_flow.send_to_provider(booking, provider, actor=user)
            if outcome == "rejected":
                refusal = _rejected(booking, exc)
    if refusal is not None:
        raise refusal  # raised after the commit: the state it moved the booking to is kept
    return booking


def _refusal_before_sending(user, booking, payment):
    """With the booking locked: BookingRefused when it lapsed meanwhile or the card was declined, else None."""
    if booking.state != S.NEW:  # the sweep expired it while Stripe was slow
        provider_flow.release_money(booking)
        return BookingRefused(_("The hold on this booking has expired."), code="booking_expired",
                              details={"booking_id": booking.pk, "state": booking.state}, booking=booking)
    if payment is not None and payment.status != "requires_capture":
        booking.authorized_cents = 0
        transition(booking, S.RELEASED, actor=user, reason="payment_declined",
                   details={"payment_status": payment.status}, save_fields=["authorized_cents"])
        return BookingRefused(_("The payment could not be authorised."), code="payment_declined",
                              details={"booking_id": booking.pk, "state": booking.state},
                              status_code=402, booking=booking)
    return None
