"""One-off payments (manual capture), capture, cancel, refund on localstripe."""
import pytest

from billing import services
from billing.models import Payment
from billing.stripe_api import client
from maas.api.errors import ApiError
from tests.billing.conftest import add_card


def test_authorize_capture_refund(carded_client):
    user = carded_client.resident.user
    payment = services.authorize_payment(user, amount_cents=600, idempotency_key="booking-1", description="City bike")
    assert (payment.status, payment.amount_cents) == ("requires_capture", 600)
    intent = client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert (intent.status, intent.amount, intent.capture_method) == ("requires_capture", 600, "manual")

    # retried with the same key: the same payment, no second PaymentIntent
    again = services.authorize_payment(user, amount_cents=600, idempotency_key="booking-1", description="City bike")
    assert again.pk == payment.pk
    assert Payment.objects.filter(user=user).count() == 1

    with pytest.raises(ApiError) as exc:
        services.capture_payment(payment, 700)
    assert exc.value.error_code == "capture_exceeds_authorization"

    payment = services.capture_payment(payment, 500)
    assert (payment.status, payment.captured_cents) == ("succeeded", 500)
    assert client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "succeeded"

    payment = services.refund_payment(payment, 200)
    assert payment.refunded_cents == 200
    with pytest.raises(ApiError) as exc:
        services.refund_payment(payment, 301)
    assert exc.value.error_code == "refund_exceeds_capture"
    payment = services.refund_payment(payment)
    assert payment.refunded_cents == 500
    refunds = client().v1.refunds.list(params={"payment_intent": payment.stripe_payment_intent_id})
    assert sorted(r.amount for r in refunds.data) == [100, 200, 300]   # 100 = the released part of the hold
    with pytest.raises(ApiError) as exc:
        services.refund_payment(payment)
    assert exc.value.error_code == "payment_not_refundable"


def test_cancel_releases_the_hold(carded_client):
    payment = services.authorize_payment(carded_client.resident.user, amount_cents=295,
                                         idempotency_key="booking-2", description="Ticket")
    payment = services.cancel_payment(payment)
    assert payment.status == "canceled"
    assert client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"
    assert services.cancel_payment(payment).status == "canceled"       # idempotent
    with pytest.raises(ApiError) as exc:
        services.capture_payment(payment, 295)
    assert exc.value.error_code == "payment_not_capturable"


@pytest.mark.parametrize("amount", [0, -5, 2.95, "295", True])
def test_amounts_must_be_positive_integer_cents(carded_client, amount):
    with pytest.raises(ApiError) as exc:
        services.authorize_payment(carded_client.resident.user, amount_cents=amount, idempotency_key="x",
                                   description="bad")
    assert exc.value.error_code == "invalid_amount"
    assert not Payment.objects.exists()


def test_declined_card(localstripe, billing_plans, resident_client):
    add_card(resident_client, "pm_card_chargeCustomerFail")
    with pytest.raises(ApiError) as exc:
        services.authorize_payment(resident_client.resident.user, amount_cents=295, idempotency_key="d-1",
                                   description="Ticket")
    assert (exc.value.error_code, exc.value.status_code) == ("card_declined", 402)
    assert not Payment.objects.exists()


def test_no_card_no_payment(localstripe, billing_plans, resident):
    with pytest.raises(ApiError) as exc:
        services.authorize_payment(resident.user, amount_cents=295, idempotency_key="n-1", description="Ticket")
    assert exc.value.error_code == "payment_method_required"


def test_concurrent_authorizations_with_one_key_make_one_payment(transactional_db, carded_client):
    import threading

    from django.db import connection

    user = carded_client.resident.user
    barrier, results, errors = threading.Barrier(5), [], []

    def authorize():
        try:
            barrier.wait(timeout=10)
            results.append(services.authorize_payment(user, amount_cents=380, idempotency_key="same-key",
                                                      description="Scooter").pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=authorize) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == 5 and len(set(results)) == 1
    payment = Payment.objects.get()
    assert payment.amount_cents == 380
    customer = user.billing_account.stripe_customer_id
    intents = [pi for pi in client().v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
               if pi.customer == customer]
    assert [pi.id for pi in intents] == [payment.stripe_payment_intent_id]
