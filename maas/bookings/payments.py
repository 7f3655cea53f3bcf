"""Money for bookings, only through billing's services (never billing's tables).

Covered by the resident's plan -> a ledger entry (billing.record_usage) when the ride finishes.
Otherwise an authorisation (manual-capture PaymentIntent) at booking, captured at finish with the
final price, released at cancel within the free window (a cancellation fee is captured after it).
"""
import math

from django.conf import settings

from billing import selectors as billing_selectors


def _billing():
    from billing import services

    return services


def auth_buffer_percent():
    """Extra authorised on top of the quote, so a longer ride's final price can still be captured."""
    return int(getattr(settings, "BOOKING_AUTH_BUFFER_PERCENT", 50))


def free_cancel_seconds():
    return int(getattr(settings, "BOOKING_FREE_CANCEL_SECONDS", 300))


def cancel_fee_cents():
    return int(getattr(settings, "BOOKING_CANCEL_FEE_CENTS", 100))


def quote_leg(user, leg):
    """billing's price for one leg: {"price_cents", "charge_cents", "covered", "reason"}."""
    itinerary = {"start_time": leg.get("start_time"), "end_time": leg.get("end_time"),
                 "duration_s": leg.get("duration_s", 0), "legs": [leg]}
    price = billing_selectors.price_itinerary(user, itinerary)
    entry = (price.get("legs") or [{}])[0]
    return {
        "currency": price.get("currency", "EUR"),
        "price_cents": int(entry.get("price_cents") or 0),
        "charge_cents": int(entry.get("charge_cents") or 0),
        "covered": bool(entry.get("covered")),
        "reason": entry.get("reason", ""),
    }


def authorization_amount(charge_cents):
    """The amount to hold for a quoted charge: quote plus the buffer, rounded up to whole cents."""
    return math.ceil(charge_cents * (100 + auth_buffer_percent()) / 100)


def authorize(booking):
    """Authorise the booking's charge; returns billing's Payment (its status tells if it was declined)."""
    return _billing().authorize_payment(
        booking.user, amount_cents=authorization_amount(booking.charge_cents),
        idempotency_key=f"bookings:{booking.pk}:authorize",
        description=f"Kalasatama MaaS {booking.mode} booking {booking.pk}",
    )


def _payment(booking):
    return billing_selectors.payment_by_id(booking.payment_id)


def capture(booking, amount_cents):
    """Capture `amount_cents` (capped at what was authorised) or release the hold when it's 0."""
    payment = _payment(booking)
    amount = min(int(amount_cents), payment.amount_cents)
    if amount <= 0:
        _billing().cancel_payment(payment)
        return 0
    _billing().capture_payment(payment, amount)
    return amount


def collect(booking, amount_cents):
    """Take `amount_cents` for a finished ride: capture the booking's authorisation (released when
    nothing is owed) and charge any rest -- overtime beyond the plan's cover, or a final price above
    the authorisation -- as a separate pay-as-you-go payment on the resident's card.

    Returns {"captured_cents", "extra_cents", "extra_payment_id", "unpaid_cents", "error"}; a failed
    extra charge (no card, declined, Stripe down) is reported in "unpaid_cents"/"error", not raised:
    the ride is over either way.
    """
    from maas.api.errors import ApiError

    amount = max(0, int(amount_cents))
    out = {"captured_cents": 0, "extra_cents": 0, "extra_payment_id": None, "unpaid_cents": 0, "error": None}
    if booking.payment_id:
        out["captured_cents"] = capture(booking, amount)
    rest = amount - out["captured_cents"]
    if rest <= 0:
        return out
    try:
        payment = _billing().authorize_payment(
            booking.user, amount_cents=rest, idempotency_key=f"bookings:{booking.pk}:extra",
            description=f"Kalasatama MaaS {booking.mode} booking {booking.pk}: extra",
        )
        out["extra_payment_id"] = payment.pk
        if payment.status != "requires_capture":
            raise ApiError("The extra payment was not authorised.", code="payment_declined",
                           details={"payment_status": payment.status})
        _billing().capture_payment(payment, rest)
        out["extra_cents"] = rest
    except ApiError as exc:
        out["unpaid_cents"], out["error"] = rest, exc.error_code
    return out


def release(booking):
    """Give the resident's money back: cancel an open authorisation, refund a captured payment."""
    payment = _payment(booking)
    if payment.status == "requires_capture":
        _billing().cancel_payment(payment)
    elif payment.captured_cents > payment.refunded_cents:
        _billing().refund_payment(payment)


def record_usage(booking, minutes, distance_m=None):
    """The plan-covered ride's ledger entry (idempotent on the booking's leg_ref); its charge_cents
    is what the plan doesn't cover (e.g. city-bike overtime)."""
    distance = distance_m if distance_m is not None else int(booking.leg.get("distance_m") or 0)
    return _billing().record_usage(booking.user, mode=booking.mode, leg_ref=booking.leg_ref,
                                   minutes=minutes, rides=1, distance_m=max(0, int(distance)))
