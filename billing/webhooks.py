"""Stripe webhook processing: signature check, exactly-once per event id, stale updates ignored."""
import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from billing import services, stripe_api
from billing.models import Payment, WebhookEvent

logger = logging.getLogger(__name__)

TERMINAL_PAYMENT = {"succeeded", "canceled"}


def verify(payload: bytes, signature_header: str | None):
    """The verified Stripe event; raises ValueError or stripe.SignatureVerificationError."""
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret or not signature_header:
        raise stripe.SignatureVerificationError("Missing signature or secret", signature_header or "")
    return stripe.Webhook.construct_event(payload, signature_header, secret)


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


def process_event(event):
    """Apply a verified event once. Returns "applied", "ignored" (stale/unknown/unmatched) or "duplicate"."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(event_id=event["id"], type=event["type"],
                                                     created=int(stripe_api.get(event, "created", 0)), applied=False)
        except IntegrityError:
            return "duplicate"
        handler = HANDLERS.get(event["type"])
        applied = bool(handler and handler(event))
        if applied:
            record.applied = True
            record.save(update_fields=["applied"])
    logger.info("stripe event %s %s %s", event["id"], event["type"], "applied" if applied else "ignored")
    return "applied" if applied else "ignored"
