"""Holds expire and release the vehicle; provider timeouts leave bookings PENDING, retried then expired."""
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings

from billing.models import Payment
from maas.bookings import services, tasks
from maas.bookings.models import Booking, BookingEvent
from providers.models import VehicleHold
from tests.bookings.conftest import add_card, book, client_for, make_leg

pytestmark = pytest.mark.django_db


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_lapsed_hold_is_expired_by_the_sweep_and_everything_released(payg_resident, tomp_provider, tomp):
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    booking = Booking.objects.get(pk=created["id"])
    assert VehicleHold.objects.filter(vehicle_id="SC-101").exists()
    # not yet due: the countdown task is a no-op
    assert tasks.expire_booking(booking.pk) is None
    result = services.sweep(now=booking.expires_at + timedelta(seconds=1))
    assert result["expired"] == 1
    booking.refresh_from_db()
    assert booking.state == "EXPIRED"
    assert Payment.objects.get(pk=booking.payment_id).status == "canceled"
    assert not VehicleHold.objects.filter(vehicle_id="SC-101").exists()
    assert tomp.state.bookings[booking.external_id]["state"] == "CANCELLED"
    last = booking.events.last()
    assert (last.from_state, last.to_state, last.actor_label, last.reason) == (
        "CONFIRMED", "EXPIRED", "system:expiry", "hold_expired")


def test_starting_after_the_hold_lapsed_is_409_and_expires_it(payg_resident, tomp_provider):
    created = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    Booking.objects.filter(pk=created["id"]).update(expires_at=Booking.objects.get(pk=created["id"]).created_at)
    response = payg_resident.api.post(f"/api/v1/bookings/{created['id']}/start")
    assert response.status_code == 409 and response.json()["error"]["code"] == "booking_expired"
    assert Booking.objects.get(pk=created["id"]).state == "EXPIRED"


def test_provider_timeout_leaves_booking_pending_then_retry_confirms(payg_resident, tomp_provider, tomp, settings):
    settings.BOOKING_PROVIDER_TIMEOUT_S = 0.3
    tomp.state.delays["POST /bookings"] = 1.0  # the operator books it, but answers too late
    response = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101"))
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "PENDING" and body["provider_attempts"] == 1
    booking = Booking.objects.get(pk=body["id"])
    event = booking.events.last()
    assert (event.to_state, event.reason, event.details["attempt"]) == ("PENDING", "provider_unavailable", 1)
    assert Payment.objects.get(pk=booking.payment_id).status == "requires_capture"  # money held, not lost
    assert _wait_for(lambda: booking.external_id in tomp.state.bookings)
    tomp.state.delays.clear()
    # before the back-off is over the retry task does nothing
    assert services.retry_pending_booking(booking.pk, now=booking.next_attempt_at - timedelta(seconds=1)) is None
    services.retry_pending_booking(booking.pk, now=booking.next_attempt_at + timedelta(seconds=1))
    booking.refresh_from_db()
    assert booking.state == "CONFIRMED" and booking.provider_attempts == 2
    last = booking.events.last()
    assert (last.from_state, last.to_state, last.actor_label) == ("PENDING", "CONFIRMED", "system:retry")
    # the retry asked for the booking's status instead of booking twice
    assert [p for m, p, _ in tomp.state.requests if m == "POST"] == ["/plannings", "/bookings"]


def test_provider_that_never_answers_expires_the_pending_booking(payg_resident, tomp_provider, tomp, settings):
    settings.BOOKING_PROVIDER_TIMEOUT_S = 0.2
    tomp.state.delays.update({"POST /plannings": 0.6, "GET /bookings": 0.6, "POST /bookings": 0.6})
    body = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
    booking = Booking.objects.get(pk=body["id"])
    assert booking.state == "PENDING" and booking.external_id == ""
    services.sweep(now=booking.next_attempt_at + timedelta(seconds=1))  # the beat retries: still silent
    booking.refresh_from_db()
    assert (booking.state, booking.provider_attempts) == ("PENDING", 2)
    services.sweep(now=booking.expires_at + timedelta(seconds=1))
    booking.refresh_from_db()
    assert booking.state == "EXPIRED"
    assert Payment.objects.get(pk=booking.payment_id).status == "canceled"
    reasons = list(booking.events.values_list("to_state", "reason"))
    assert reasons == [("NEW", "created"), ("PENDING", "sent_to_provider"), ("PENDING", "provider_unavailable"),
                       ("PENDING", "provider_unavailable"), ("EXPIRED", "provider_never_answered")]


@pytest.mark.django_db(transaction=True)
def test_countdown_task_on_a_real_worker_expires_the_hold(make_resident, localstripe, billing_plans,
                                                          tomp_provider, tomp, settings):
    """Through Redis to a real Celery worker: the hold's countdown fires and releases the vehicle."""
    from maas.celery import app

    settings.BOOKING_HOLD_SECONDS = 1
    resident = make_resident()
    add_card(resident.user)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            created = book(client_for(resident.user), make_leg(tomp_provider.pk, vehicle_id="SC-101")).json()
            assert created["state"] == "CONFIRMED"
            assert _wait_for(lambda: Booking.objects.get(pk=created["id"]).state == "EXPIRED", timeout=20)
    finally:
        app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER
    assert not VehicleHold.objects.filter(vehicle_id="SC-101").exists()
    event = BookingEvent.objects.filter(booking_id=created["id"]).last()
    assert (event.to_state, event.actor_label) == ("EXPIRED", "system:expiry")


def test_operator_confirming_later_is_polled_until_confirmed(payg_resident, tomp_provider, tomp):
    tomp.state.book_state = "PENDING"
    response = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-102"))
    assert response.status_code == 202 and response.json()["state"] == "PENDING"
    booking = Booking.objects.get(pk=response.json()["id"])
    assert booking.events.last().reason == "provider_pending"
    services.retry_pending_booking(booking.pk, now=booking.next_attempt_at + timedelta(seconds=1))
    booking.refresh_from_db()
    assert (booking.state, booking.provider_attempts) == ("PENDING", 2)
    tomp.state.bookings[booking.external_id]["state"] = "CONFIRMED"  # the operator decides
    services.retry_pending_booking(booking.pk, now=booking.next_attempt_at + timedelta(seconds=1))
    booking.refresh_from_db()
    assert booking.state == "CONFIRMED" and booking.expires_at is not None
    assert [m for m, _, _ in tomp.state.requests].count("POST") == 2  # planning + one booking; then GETs
