"""A released permit is promoted by the Celery task through the real Redis broker and a real worker."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from maas.celery import app
from maas.parking import services
from maas.parking.models import Notification, Permit

from .conftest import make_area, make_facility, make_residents


@pytest.mark.django_db(transaction=True)
def test_release_promotes_next_via_redis_worker(mailoutbox):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    residents = make_residents(3, block="CW")
    area = make_area(code="cw", blocks="CW", absolute=1, facility=make_facility())
    first, second, third = [services.apply_for_permit(r, area.pk, plate=f"CW-{i}") for i, r in enumerate(residents)]
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            services.cancel_permit(first)  # enqueues parking.promote_waitlist on commit
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not Notification.objects.filter(emailed=True).exists():
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert Permit.objects.get(pk=second.pk).status == "granted"
    assert Permit.objects.get(pk=third.pk).status == "waitlisted"
    assert Notification.objects.get().permit_id == second.pk
    assert [m.to for m in mailoutbox] == [[residents[1].user.email]]
