"""A booking request whose database connection is killed mid-way: retrying its Idempotency-Key gets
the booking it made at once, not 409 idempotency_in_progress until the stale time has passed."""
import threading
import time

import pytest
from django.db import connection
from django.test import override_settings

from maas.bookings.models import Booking, IdempotencyRecord
from tests.bookings.conftest import add_card, book, client_for, make_leg, tomp, tomp_provider  # noqa: F401


def _other_backends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_retry_after_a_killed_connection_is_answered_at_once(
        make_resident, localstripe, billing_plans, tomp_provider, tomp):  # noqa: F811
    resident = make_resident()
    add_card(resident.user)
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    tomp.state.delays["POST /bookings"] = 3  # the request is at the provider when its connection dies
    first = {}

    def request():
        try:
            first["response"] = book(client_for(resident.user), leg, key="killed-key")
        except Exception as exc:  # noqa: BLE001 - the test client re-raises the server error
            first["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=request)
    thread.start()
    deadline = time.monotonic() + 20
    while not any(r[:2] == ("POST", "/bookings") for r in tomp.state.requests):
        assert time.monotonic() < deadline, "the booking never reached the provider"
        time.sleep(0.02)
    with connection.cursor() as cursor:
        for pid in _other_backends():
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    thread.join(timeout=30)
    assert "response" not in first or first["response"].status_code >= 500, first

    record = IdempotencyRecord.objects.get(user=resident.user, key="killed-key")
    assert record.booking_id is not None
    with override_settings(BOOKING_IDEMPOTENCY_WAIT_SECONDS=2):
        started = time.monotonic()
        retry = book(client_for(resident.user), leg, key="killed-key")
        elapsed = time.monotonic() - started
    assert retry.status_code == 202, retry.content
    assert retry.json()["id"] == record.booking_id and elapsed < 2
    assert Booking.objects.count() == 1
    again = book(client_for(resident.user), leg, key="killed-key")  # and it stays the answer
    assert (again.status_code, again.content) == (202, retry.content)


@pytest.mark.django_db(transaction=True)
def test_claim_of_a_request_that_died_with_its_process_is_settled_at_once(
        make_resident, localstripe, billing_plans, tomp_provider, tomp):  # noqa: F811
    """The claim was committed by a session that is gone (its process died with it): the retry books at
    once instead of answering 409 idempotency_in_progress until BOOKING_IDEMPOTENCY_STALE_SECONDS."""
    import psycopg

    from maas.bookings import idempotency

    resident = make_resident()
    add_card(resident.user)
    leg = make_leg(tomp_provider.pk, vehicle_id="SC-101")
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None,
                         dbname=db["NAME"], autocommit=True) as dead:
        dead.execute("INSERT INTO bookings_idempotencyrecord (user_id, key, request_hash, created_at) "
                     "VALUES (%s, %s, %s, now())",
                     [resident.user.pk, "gone-key", idempotency.request_hash({"leg": leg})])
    with override_settings(BOOKING_IDEMPOTENCY_WAIT_SECONDS=2):
        retry = book(client_for(resident.user), leg, key="gone-key")
    assert retry.status_code == 201 and retry.json()["state"] == "CONFIRMED", retry.content
    assert IdempotencyRecord.objects.get(key="gone-key").booking_id == retry.json()["id"]
