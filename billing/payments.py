"""Billing writes for one-off payments: manual-capture PaymentIntents, captures, releases and refunds."""
from django.db import transaction
from django.utils.translation import gettext as _

from billing.customers import account_with_card, lock_user
from billing.models import Payment
from billing.stripe_api import CURRENCY, client, idem, stripe_errors
from maas.api.errors import ApiError, Conflict


def _check_amount(amount_cents):
    if type(amount_cents) is not int or amount_cents <= 0:
        raise ApiError(_("The amount must be a positive number of cents."), code="invalid_amount",
                       details={"amount_cents": amount_cents})


def authorize_payment(user, *, amount_cents, idempotency_key, description):
    """Authorize (hold) `amount_cents` on the user's default card: a manual-capture PaymentIntent."""
    _check_amount(amount_cents)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        if existing.user_id != user.pk or existing.amount_cents != amount_cents:
            raise Conflict(_("This idempotency key was used for another payment."), code="idempotency_key_reused")
        return existing
    account = account_with_card(user)
    with transaction.atomic():
        lock_user(user)  # concurrent calls with one key: one PaymentIntent (localstripe ignores Idempotency-Key)
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
        return _create_payment(user, account, amount_cents, idempotency_key, description)


def _create_payment(user, account, amount_cents, idempotency_key, description):
    with stripe_errors():
        intent = client().v1.payment_intents.create(
            params={"amount": amount_cents, "currency": CURRENCY, "customer": account.stripe_customer_id,
                    "payment_method": account.default_payment_method, "capture_method": "manual",
                    "confirm": True, "off_session": True,
                    "metadata": {"user_id": str(user.pk), "description": description[:450]}},
            options=idem(f"authorize:{idempotency_key}"),
        )
    status = intent.status if intent.status in dict(Payment.STATUSES) else "failed"
    return Payment.objects.create(
        user=user, idempotency_key=idempotency_key, stripe_payment_intent_id=intent.id,
        description=description[:200], amount_cents=amount_cents, status=status,
    )


def capture_payment(payment, amount_cents):
    """Capture up to the authorized amount; the rest of the hold is released."""
    _check_amount(amount_cents)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == "succeeded" and payment.captured_cents == amount_cents:
            return payment
        if payment.status != "requires_capture":
            raise Conflict(_("The payment cannot be captured."), code="payment_not_capturable",
                           details={"status": payment.status})
        if amount_cents > payment.amount_cents:
            raise ApiError(_("Cannot capture more than was authorized."), code="capture_exceeds_authorization",
                           details={"authorized_cents": payment.amount_cents})
        with stripe_errors():
            intent = client().v1.payment_intents.capture(
                payment.stripe_payment_intent_id, params={"amount_to_capture": amount_cents},
                options=idem(f"capture:{payment.stripe_payment_intent_id}"),
            )
        payment.status = intent.status if intent.status in dict(Payment.STATUSES) else payment.status
        payment.captured_cents = amount_cents
        payment.save(update_fields=["status", "captured_cents", "updated_at"])
        return payment


def cancel_payment(payment):
    """Release an uncaptured authorization (idempotent)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == "canceled":
            return payment
        if payment.status != "requires_capture":
            raise Conflict(_("Only an uncaptured payment can be canceled."), code="payment_not_cancelable",
                           details={"status": payment.status})
        with stripe_errors():
            client().v1.payment_intents.cancel(payment.stripe_payment_intent_id,
                                               options=idem(f"cancel:{payment.stripe_payment_intent_id}"))
        payment.status = "canceled"
        payment.save(update_fields=["status", "updated_at"])
        return payment


def refund_payment(payment, amount_cents=None):
    """Refund `amount_cents` (default: all not yet refunded) of a captured payment."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refundable = payment.captured_cents - payment.refunded_cents
        if payment.status != "succeeded" or refundable <= 0:
            raise Conflict(_("Nothing to refund."), code="payment_not_refundable",
                           details={"status": payment.status, "refundable_cents": max(refundable, 0)})
        amount_cents = refundable if amount_cents is None else amount_cents
        _check_amount(amount_cents)
        if amount_cents > refundable:
            raise ApiError(_("Cannot refund more than was captured."), code="refund_exceeds_capture",
                           details={"refundable_cents": refundable})
        with stripe_errors():
            client().v1.refunds.create(
                params={"payment_intent": payment.stripe_payment_intent_id, "amount": amount_cents},
                options=idem(f"refund:{payment.stripe_payment_intent_id}:{payment.refunded_cents}:{amount_cents}"),
            )
        payment.refunded_cents += amount_cents
        payment.save(update_fields=["refunded_cents", "updated_at"])
        return payment
