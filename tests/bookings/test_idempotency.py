"""Idempotency-Key on POST /api/v1/bookings, including 20 truly concurrent requests on PostgreSQL."""
import json
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import override_settings

from billing.models import Payment
from maas.bookings.models import Booking, BookingEvent, IdempotencyRecord
from tests.bookings.conftest import add_card, book, client_for, make_leg
from tests.support.threads import run_concurrently

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_20_concurrent_requests_with_one_key_create_one_booking_and_agree(
        make_resident, localstripe, billing_plans, tomp_provider, tomp):
    assert connection.vendor == "postgresql"
    resident = make_resident()
    add_card(resident.user)
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    tomp.state.delays["POST /bookings"] = 0.3  # keep the first request in flight while the others arrive
    apis = [client_for(resident.user) for _ in range(THREADS)]  # each thread: its own client and DB connection

    def request(api):
        response = book(api, leg, key="same-key-20")
        return response.status_code, response.content

    results = run_concurrently([lambda api=api: request(api) for api in apis])

    assert all(isinstance(r, tuple) for r in results), results
    statuses = {status for status, _ in results}
    bodies = {body for _, body in results}
    assert statuses == {201}
    assert len(bodies) == 1  # byte-identical answers
    booking = Booking.objects.get()
    assert json.loads(results[0][1])["id"] == booking.pk and booking.state == "CONFIRMED"
    assert IdempotencyRecord.objects.filter(user=resident.user, key="same-key-20").count() == 1
    assert Payment.objects.filter(user=resident.user).count() == 1
    assert [p for m, p, _ in tomp.state.requests if m == "POST"] == ["/plannings", "/bookings"]
    assert BookingEvent.objects.filter(booking=booking).count() == 3  # created, PENDING, CONFIRMED


@pytest.mark.django_db
def test_replay_returns_stored_answer_and_other_body_is_409(payg_resident, tomp_provider, tomp):
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    first = book(payg_resident.api, leg, key="k-1")
    assert first.status_code == 201
    replay = book(payg_resident.api, leg, key="k-1")
    assert (replay.status_code, replay.json()) == (201, first.json())
    other = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-102"), key="k-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1
    assert [p for m, p, _ in tomp.state.requests if m == "POST"] == ["/plannings", "/bookings"]


@pytest.mark.django_db
def test_rejections_are_replayed_too_and_keys_are_per_user(payg_resident, make_resident, tomp_provider, tomp):
    tomp.state.available["SC-101"] = False
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    first = book(payg_resident.api, leg, key="k-2")
    assert first.status_code == 409
    assert book(payg_resident.api, leg, key="k-2").json() == first.json()
    assert Booking.objects.count() == 1  # the REJECTED booking, not a second attempt
    # another resident's identical key is a different request
    other = make_resident()
    add_card(other.user)
    tomp.state.available["SC-101"] = True
    assert book(client_for(other.user), leg, key="k-2").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_10_concurrent_bookings_of_one_vehicle_with_different_keys_one_wins(
        make_resident, localstripe, billing_plans, gbfs_provider):
    from providers.models import VehicleHold

    resident = make_resident()
    add_card(resident.user)
    leg = make_leg(gbfs_provider.pk, vehicle_id="G-2")
    apis = [client_for(resident.user) for _ in range(10)]

    def request(i):
        response = book(apis[i], leg, key=f"race-{i}")
        return response.status_code, response.json()

    results = run_concurrently([lambda i=i: request(i) for i in range(10)])

    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(status for status, _ in results) == [201] + [409] * 9
    assert {body["error"]["code"] for status, body in results if status == 409} == {"vehicle_unavailable"}
    live = Booking.objects.exclude(state__in=["REJECTED", "RELEASED", "CANCELLED", "EXPIRED"])
    assert live.count() == 1 and live.get().state == "CONFIRMED"
    assert VehicleHold.objects.filter(provider_id=gbfs_provider.pk, vehicle_id="G-2").count() == 1
    # losers that got as far as an authorisation had it released
    assert not Payment.objects.filter(user=resident.user, status="requires_capture").exclude(
        pk=live.get().payment_id).exists()


@pytest.mark.django_db(transaction=True)
def test_key_is_claimed_before_external_calls_and_a_waiting_repeat_gets_409_in_progress(
        make_resident, localstripe, billing_plans, tomp_provider, tomp, settings):
    settings.BOOKING_IDEMPOTENCY_WAIT_SECONDS = 0.3
    resident = make_resident()
    add_card(resident.user)
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    tomp.state.delays["POST /bookings"] = 1.5
    first = {}

    def request():
        try:
            first["response"] = book(client_for(resident.user), leg, key="slow-key")
        finally:
            connection.close()

    thread = threading.Thread(target=request)
    thread.start()
    deadline = time.monotonic() + 10
    while not any(r[:2] == ("POST", "/bookings") for r in tomp.state.requests) and time.monotonic() < deadline:
        time.sleep(0.02)
    # the provider is being asked right now: the key and the booking are already committed (seen from
    # this thread's own connection), i.e. no transaction spans the Stripe and provider calls
    record = IdempotencyRecord.objects.get(user=resident.user, key="slow-key")
    assert record.response_status is None and record.booking_id is not None
    assert Booking.objects.get(pk=record.booking_id).state == "NEW"  # PENDING is under the row lock
    assert Payment.objects.get(user=resident.user).status == "requires_capture"
    waiting = book(client_for(resident.user), leg, key="slow-key")
    assert waiting.status_code == 409 and waiting["Retry-After"] == "1"
    assert waiting.json()["error"] == {
        "code": "idempotency_in_progress", "details": {"retry_after_s": 1},
        "message": "A request with this Idempotency-Key is still being processed; retry shortly."}
    thread.join(timeout=30)
    assert first["response"].status_code == 201
    replay = book(client_for(resident.user), leg, key="slow-key")
    assert (replay.status_code, replay.content) == (201, first["response"].content)
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_crash_after_the_booking_exists_keeps_the_key_and_the_sweep_expires_it(
        payg_resident, tomp_provider, tomp, monkeypatch):
    from datetime import timedelta

    from maas.bookings import provider_flow, services

    def crash(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(provider_flow, "send_to_provider", crash)
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    assert book(payg_resident.api, leg, key="crash-key").status_code == 500
    booking = Booking.objects.get()
    assert booking.state == "NEW" and booking.payment_id is not None
    monkeypatch.undo()
    # the same key never books twice: it answers with the booking that exists
    replay = book(payg_resident.api, leg, key="crash-key")
    assert replay.status_code == 202 and replay.json()["id"] == booking.pk and replay.json()["state"] == "NEW"
    assert tomp.state.requests == []
    # the abandoned NEW booking lapses: expired, authorisation released
    assert services.sweep(now=booking.expires_at + timedelta(seconds=1))["expired"] == 1
    booking.refresh_from_db()
    assert booking.state == "EXPIRED"
    assert Payment.objects.get(pk=booking.payment_id).status == "canceled"


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_request_is_settled_after_the_stale_time(payg_resident, tomp_provider, tomp):
    from datetime import timedelta

    from django.utils import timezone

    from maas.bookings import idempotency

    user = payg_resident.user
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    body_hash = idempotency.request_hash({"leg": leg})
    old = timezone.now() - timedelta(seconds=301)
    # died before making a booking: the key is claimed afresh and the leg booked
    IdempotencyRecord.objects.create(user=user, key="dead-1", request_hash=body_hash)
    IdempotencyRecord.objects.filter(key="dead-1").update(created_at=old)
    response = book(payg_resident.api, leg, key="dead-1")
    assert response.status_code == 201 and response.json()["state"] == "CONFIRMED"
    assert IdempotencyRecord.objects.get(key="dead-1").booking_id == response.json()["id"]
    # died after making one: the booking is the answer, nothing is booked again
    booking = Booking.objects.get(pk=response.json()["id"])
    IdempotencyRecord.objects.create(user=user, key="dead-2", request_hash=body_hash, booking=booking)
    IdempotencyRecord.objects.filter(key="dead-2").update(created_at=old)
    again = book(payg_resident.api, leg, key="dead-2")
    assert again.status_code == 202 and again.json()["id"] == booking.pk
    assert Booking.objects.count() == 1
    # a fresh unanswered claim whose request is alive (it holds the key's lock) is still "in progress"
    IdempotencyRecord.objects.create(user=user, key="alive", request_hash=body_hash)
    with _live_owner(user, "alive"), override_settings(BOOKING_IDEMPOTENCY_WAIT_SECONDS=0.1):
        busy = book(payg_resident.api, leg, key="alive")
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "idempotency_in_progress"


@contextmanager
def _live_owner(user, key):
    """Hold the key's advisory lock from another database session, as the request working on it does."""
    import psycopg

    from maas.bookings import idempotency

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None,
                         dbname=db["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [idempotency.lock_id(user, key)])
        yield
