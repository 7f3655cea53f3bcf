"""Station bookings (no vehicle id) hold one of the station's bikes: never more bookings than bikes."""
import threading
from datetime import timedelta

import pytest
from django.db import connection

from maas.bookings import services
from maas.bookings.models import Booking
from tests.bookings.conftest import add_card, book, client_for, make_leg

LIVE = ["NEW", "PENDING", "CONDITIONAL_CONFIRMED", "CONFIRMED", "STARTED"]


def _bike_leg(provider, station_id):
    return make_leg(provider.pk, mode="city_bike", station_id=station_id, minutes=10)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_last_bike_make_exactly_one_booking(
        make_resident, localstripe, billing_plans, gbfs_provider):
    residents = [make_resident() for _ in range(6)]
    for resident in residents:
        add_card(resident.user)
    barrier = threading.Barrier(len(residents))
    results = [None] * len(residents)

    def request(i):
        api = client_for(residents[i].user)
        barrier.wait()
        try:
            response = book(api, _bike_leg(gbfs_provider, "128"), key=f"last-bike-{i}")
            results[i] = (response.status_code, response.json())
        except Exception as exc:  # asserted below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(len(residents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(status for status, _ in results) == [201] + [409] * 5
    assert {body["error"]["code"] for status, body in results if status == 409} == {"vehicle_unavailable"}
    assert Booking.objects.filter(station_id="128").count() == 1  # losers left no booking behind
    assert Booking.objects.get(station_id="128").state == "CONFIRMED"


@pytest.mark.django_db
def test_station_holds_count_against_its_bikes_and_free_up_when_cancelled(payg_resident, gbfs_provider):
    api = payg_resident.api
    made = [book(api, _bike_leg(gbfs_provider, "126")) for _ in range(4)]  # the station has 4 bikes
    assert [r.status_code for r in made] == [201] * 4
    fifth = book(api, _bike_leg(gbfs_provider, "126"))
    assert fifth.status_code == 409
    assert fifth.json()["error"] == {"code": "vehicle_unavailable", "message": "No bike is left at this station.",
                                     "details": {"provider_id": gbfs_provider.pk, "station_id": "126"}}
    assert services.station_bikes_left(gbfs_provider.pk, "126") == 0
    api.post(f"/api/v1/bookings/{made[0].json()['id']}/cancel")
    assert services.station_bikes_left(gbfs_provider.pk, "126") == 1
    assert book(api, _bike_leg(gbfs_provider, "126")).status_code == 201
    assert Booking.objects.filter(station_id="126", state__in=LIVE).count() == 4


@pytest.mark.django_db
def test_a_ride_started_after_the_station_reported_still_takes_its_bike(payg_resident, gbfs_provider):
    api = payg_resident.api
    created = book(api, _bike_leg(gbfs_provider, "128")).json()
    api.post(f"/api/v1/bookings/{created['id']}/start")
    # the feed hasn't reported since the bike left: it still says 1 bike, which is ours
    assert services.station_bikes_left(gbfs_provider.pk, "128") == 0
    assert book(api, _bike_leg(gbfs_provider, "128")).status_code == 409
    # once the station has reported after the ride began, the feed's count is the truth
    from providers.models import Station

    Station.objects.filter(station_id="128").update(last_reported=Booking.objects.get(
        pk=created["id"]).started_at + timedelta(seconds=5))  # test setup: a newer station report
    assert services.station_bikes_left(gbfs_provider.pk, "128") == 1


@pytest.mark.django_db
def test_no_bike_left_is_translated(payg_resident, gbfs_provider):
    api = payg_resident.api
    assert book(api, _bike_leg(gbfs_provider, "128")).status_code == 201
    fi = api.post("/api/v1/bookings", {"leg": _bike_leg(gbfs_provider, "128")}, format="json",
                  HTTP_IDEMPOTENCY_KEY="fi-1", HTTP_ACCEPT_LANGUAGE="fi")
    assert fi.json()["error"]["message"] == "Asemalla ei ole enää vapaata pyörää."
    sv = api.post("/api/v1/bookings", {"leg": _bike_leg(gbfs_provider, "128")}, format="json",
                  HTTP_IDEMPOTENCY_KEY="sv-1", HTTP_ACCEPT_LANGUAGE="sv")
    assert sv.json()["error"]["message"] == "Det finns ingen ledig cykel kvar vid stationen."
