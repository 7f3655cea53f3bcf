"""200 concurrent requests for the last 10 spaces, on PostgreSQL with real connections per thread.

At most PARKING_TEST_DB_CONNECTIONS (default 40) threads hold a database connection at once: the
shared PostgreSQL allows 100 connections in total, so 200 simultaneous ones cannot be opened. All 200
threads are released together by a barrier and contend for the same area/facility rows.
"""
import os
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from maas.api.errors import ApiError
from maas.parking import selectors, services
from maas.parking.models import ParkAndRideReservation, Permit
from tests.support.threads import run_concurrently as run_all

from .conftest import make_area, make_facility, make_residents

REQUESTS = 200
MAX_CONNECTIONS = int(os.environ.get("PARKING_TEST_DB_CONNECTIONS", "40"))


def run_concurrently(calls):
    """All calls released together, at most MAX_CONNECTIONS holding a database connection at once."""
    return run_all(calls, max_parallel=MAX_CONNECTIONS)


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_applications_for_the_last_10_spaces_grant_exactly_10(allocator):
    assert connection.vendor == "postgresql"
    facility = make_facility(car=300)
    residents = make_residents(380, block="C-1")  # 0.5 per household -> cap 190
    area = make_area(code="conc", blocks="C-1", facility=facility)
    for i, r in enumerate(residents[:180]):
        assert services.apply_for_permit(r, area.pk, plate=f"PRE-{i}").status == "granted"
    assert selectors.area_usage(area)["free"] == 10

    applicants = residents[180:]
    results = run_concurrently([
        (lambda r=r, i=i: services.apply_for_permit(r, area.pk, plate=f"NEW-{i}")) for i, r in enumerate(applicants)
    ])
    errors = [r for r in results if not isinstance(r, Permit)]
    assert errors == []
    statuses = [p.status for p in results]
    assert statuses.count("granted") == 10
    assert statuses.count("waitlisted") == 190
    assert Permit.objects.filter(area=area, status="granted").count() == 190  # == cap, never more
    usage = selectors.area_usage(area)
    assert (usage["cap"], usage["used"], usage["waitlist"], usage["over_cap"]) == (190, 190, 190, 0)
    # The queue is the order the lock was won: positions 1..190 without gaps or duplicates.
    waiting = Permit.objects.filter(area=area, status="waitlisted")
    assert sorted(selectors.waitlist_position(p) for p in waiting) == list(range(1, 191))

    # Releasing 3 granted permits promotes exactly the first 3 in line (Celery task, eager here).
    first_three = list(waiting.order_by("requested_at", "id").values_list("pk", flat=True)[:3])
    for permit in Permit.objects.filter(area=area, status="granted").order_by("id")[:3]:
        services.cancel_permit(permit)
    promoted = set(Permit.objects.filter(pk__in=first_three, status="granted").values_list("pk", flat=True))
    assert promoted == set(first_three)
    assert Permit.objects.filter(area=area, status="granted").count() == 190


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_park_and_ride_reservations_for_10_spaces():
    facility = make_facility(car=10)
    residents = make_residents(REQUESTS, block="PR", prefix="pr")
    day = timezone.localdate() + timedelta(days=1)
    results = run_concurrently([
        (lambda r=r, i=i: services.reserve_park_and_ride(r, facility.pk, day=day, plate=f"PR-{i}"))
        for i, r in enumerate(residents)
    ])
    granted = [r for r in results if isinstance(r, ParkAndRideReservation)]
    refused = [r for r in results if isinstance(r, ApiError)]
    assert len(granted) == 10
    assert len(refused) == 190 and {e.error_code for e in refused} == {"facility_full"}
    assert ParkAndRideReservation.objects.filter(facility=facility, day=day, status="reserved").count() == 10
    assert selectors.facility_free_for_day(facility, day) == 0


@pytest.mark.django_db(transaction=True)
def test_permits_and_park_and_ride_reservations_racing_for_the_last_spaces_of_a_day(allocator):
    """Permits (area -> facility lock) and P+R reservations (facility lock) share a facility's last 7 spaces."""
    facility = make_facility(car=12)
    residents = make_residents(65, block="MX", prefix="mx")
    area = make_area(code="mixed", blocks="MX", facility=facility, absolute=100)
    for i, r in enumerate(residents[:5]):
        assert services.apply_for_permit(r, area.pk, plate=f"OLD-{i}").status == "granted"
    day = timezone.localdate() + timedelta(days=1)
    other_day = day + timedelta(days=1)
    assert selectors.facility_free_for_day(facility, day) == 7

    applicants, riders = residents[5:35], residents[35:65]
    results = run_concurrently(
        [(lambda r=r, i=i: services.apply_for_permit(r, area.pk, plate=f"MXP-{i}")) for i, r in enumerate(applicants)]
        + [(lambda r=r, i=i: services.reserve_park_and_ride(r, facility.pk, day=day, plate=f"MXR-{i}"))
           for i, r in enumerate(riders)]
    )
    permits, reservations = results[:30], results[30:]
    assert [r for r in permits if not isinstance(r, Permit)] == []
    assert all(isinstance(r, ParkAndRideReservation) or (isinstance(r, ApiError) and r.error_code == "facility_full")
               for r in reservations)
    granted = Permit.objects.filter(area=area, status="granted").count() - 5
    reserved = ParkAndRideReservation.objects.filter(facility=facility, day=day, status="reserved").count()
    assert granted + reserved == 7  # every one of the last 7 spaces went to exactly one request
    assert [p.status for p in permits].count("granted") == granted
    assert sum(isinstance(r, ParkAndRideReservation) for r in reservations) == reserved
    assert selectors.facility_free_for_day(facility, day) == 0
    # The next day only the permits hold spaces (no reservations there).
    assert selectors.facility_free_for_day(facility, other_day) == 7 - granted


@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_while_a_queue_exists_keep_the_household_and_plate_limits(allocator):
    """Once an area has a waitlist, applications only queue: still one application per household and per plate."""
    from maas.accounts import services as accounts

    area = make_area(code="queued", blocks="Q-1", facility=make_facility(car=300), absolute=1)
    holder, waiting = make_residents(2, block="Q-1", prefix="q")
    assert services.apply_for_permit(holder, area.pk, plate="Q-1").status == "granted"
    assert services.apply_for_permit(waiting, area.pk, plate="Q-2").status == "waitlisted"

    home = accounts.create_household(address="Capellan puistotie 1", block="Q-1")
    family = [accounts.register_resident(email=f"fam{i}@example.org", password=None, household=home)
              for i in range(20)]
    strangers = make_residents(20, block="Q-1", prefix="qs")
    results = run_concurrently(
        [(lambda r=r, i=i: services.apply_for_permit(r, area.pk, plate=f"FAM-{i}")) for i, r in enumerate(family)]
        + [(lambda r=r: services.apply_for_permit(r, area.pk, plate="SAME-1")) for r in strangers]
    )
    family_results, stranger_results = results[:20], results[20:]
    assert [r.status for r in family_results if isinstance(r, Permit)] == ["waitlisted"]
    assert sorted(r.error_code for r in family_results if not isinstance(r, Permit)) == ["household_limit"] * 19
    assert [r.status for r in stranger_results if isinstance(r, Permit)] == ["waitlisted"]
    assert sorted(r.error_code for r in stranger_results if not isinstance(r, Permit)) == ["plate_unavailable"] * 19
    assert Permit.objects.filter(area=area, household=home).count() == 1
    assert Permit.objects.filter(area=area, plate="SAME-1").count() == 1
    queue = Permit.objects.filter(area=area, status="waitlisted")
    assert sorted(selectors.waitlist_position(p) for p in queue) == [1, 2, 3]
