"""Stripe webhook processing: signature check, exactly-once per event id, stale updates ignored."""
import logging
import time

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from billing import services, stripe_api
from billing.models import Payment, WebhookEvent

logger = logging.getLogger(__name__)

TERMINAL_PAYMENT = {"succeeded", "canceled"}
TOLERANCE_S = stripe.Webhook.DEFAULT_TOLERANCE  # how far a signature's timestamp may be from now, either way


class MalformedEvent(Exception):
    """A signed event whose object isn't what its type promises; `field` names the part."""

    def __init__(self, field):
        super().__init__(field)
        self.field = field


def _signed_at(signature_header):
    for part in signature_header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return None


def verify(payload: bytes, signature_header: str | None):
    """The verified Stripe event; raises ValueError or stripe.SignatureVerificationError.

    Stripe's check refuses timestamps older than the tolerance; one further ahead than that is refused
    here too (a replay window must not open into the future).
    """
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret or not signature_header:
        raise stripe.SignatureVerificationError("Missing signature or secret", signature_header or "")
    event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=TOLERANCE_S)
    signed_at = _signed_at(signature_header)
    if signed_at is not None and signed_at > time.time() + TOLERANCE_S:
        raise stripe.SignatureVerificationError("Timestamp in the future", signature_header)
    return event


def _subscription(event):
    version = int(stripe_api.get(event, "created", 0))
    return services.apply_subscription_state(event["data"]["object"], version) is not None


def _invoice(event):
    return services.apply_invoice(event["data"]["object"]) is not None


def _payment_intent(event):
    obj = event["data"]["object"]
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=obj["id"]).first()
    if payment is None or payment.status in TERMINAL_PAYMENT:
        return False
    status = {"payment_intent.succeeded": "succeeded", "payment_intent.canceled": "canceled",
              "payment_intent.payment_failed": "failed"}[event["type"]]
    payment.status = status
    if status == "succeeded" and not payment.captured_cents:
        payment.captured_cents = int(stripe_api.get(obj, "amount_received", 0) or payment.amount_cents)
    payment.save(update_fields=["status", "captured_cents", "updated_at"])
    return True


HANDLERS = {
    "customer.subscription.created": _subscription,
    "customer.subscription.updated": _subscription,
    "customer.subscription.deleted": _subscription,
    "invoice.created": _invoice,
    "invoice.finalized": _invoice,
    "invoice.paid": _invoice,
    "invoice.payment_succeeded": _invoice,
    "invoice.payment_failed": _invoice,
    "invoice.voided": _invoice,
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.canceled": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
}


def _apply(handler, event):
    """Run a handler on a signed event; a missing or mistyped field is MalformedEvent (rolled back)."""
    obj = event["data"]["object"]
    object_id = stripe_api.get(obj, "id")
    if not isinstance(object_id, str) or not 0 < len(object_id) <= 255:
        raise MalformedEvent("data.object.id")
    try:
        return handler(event)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise MalformedEvent("data.object") from exc


def process_event(event):
    """Apply a verified event once. Returns "applied", "ignored" (stale/unknown/unmatched) or "duplicate";
    raises MalformedEvent (nothing recorded) when a handled type's object is malformed."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(event_id=event["id"], type=event["type"],
                                                     created=int(stripe_api.get(event, "created", 0)), applied=False)
        except IntegrityError:
            return "duplicate"
        handler = HANDLERS.get(event["type"])
        applied = bool(handler and _apply(handler, event))
        if applied:
            record.applied = True
            record.save(update_fields=["applied"])
    logger.info("stripe event %s %s %s", event["id"], event["type"], "applied" if applied else "ignored")
    return "applied" if applied else "ignored"
