"""Broker down: committed writes still answer 2xx, and their follow-up tasks reach Celery once it is back."""
import json
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from maas.bookings.models import Booking
from maas.outbox import services as outbox
from maas.outbox.models import OutboxMessage
from maas.parking import services as parking
from maas.parking.models import Permit
from tests.bookings.conftest import book, make_leg, payg_resident, tomp, tomp_provider  # noqa: F401 - fixtures
from tests.parking.conftest import make_area, make_facility, make_residents


def _queued_tasks(server):
    return [json.loads(raw)["headers"]["task"] for raw in redis.Redis.from_url(server.url(0)).lrange("celery", 0, -1)]


@pytest.mark.django_db(transaction=True)
def test_booking_answers_201_with_broker_down_and_its_expiry_is_sent_later(
        private_redis, broker_at, payg_resident, tomp_provider, tomp):  # noqa: F811
    private_redis.kill()
    with broker_at(private_redis.url(0)):
        response = book(payg_resident.api, make_leg(tomp_provider.pk, vehicle_id="SC-101"))
        assert response.status_code == 201, response.content
        booking = Booking.objects.get(pk=response.json()["id"])
        assert booking.state == "CONFIRMED"
        message = OutboxMessage.objects.get(task="bookings.expire_booking", args=[booking.pk])
        assert message.sent_at is None and message.attempts == 1 and "Error" in message.last_error

        assert outbox.relay(now=message.next_attempt_at)["failed"] == 1  # still down: kept, tried again later
        private_redis.start()
        message.refresh_from_db()
        assert outbox.relay(now=message.next_attempt_at) == {"sent": 1, "failed": 0}
        message.refresh_from_db()
        assert message.sent_at is not None
        assert _queued_tasks(private_redis) == ["bookings.expire_booking"]
        assert outbox.relay(now=message.next_attempt_at) == {"sent": 0, "failed": 0}  # sent once


@pytest.mark.django_db(transaction=True)
def test_freed_permit_space_reaches_the_waitlist_after_a_broker_outage(private_redis, broker_at, mailoutbox):
    residents = make_residents(2, block="OB")
    area = make_area(code="ob", blocks="OB", absolute=1, facility=make_facility())
    first, second = [parking.apply_for_permit(r, area.pk, plate=f"OB-{i}") for i, r in enumerate(residents)]
    assert Permit.objects.get(pk=second.pk).status == "waitlisted"
    private_redis.kill()
    with broker_at(private_redis.url(0)) as app:
        parking.cancel_permit(first)  # commits; the promotion task can't be sent now
        assert Permit.objects.get(pk=first.pk).status == "cancelled"
        assert OutboxMessage.objects.filter(task="parking.promote_waitlist", sent_at__isnull=True).count() == 1

        private_redis.start()
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            assert outbox.relay(now=OutboxMessage.objects.get().next_attempt_at)["sent"] == 1
            deadline = time.monotonic() + 30
            while Permit.objects.get(pk=second.pk).status != "granted":
                assert time.monotonic() < deadline, "the waitlist was never promoted"
                time.sleep(0.1)
    assert [m.to for m in mailoutbox] == [[residents[1].user.email]]
