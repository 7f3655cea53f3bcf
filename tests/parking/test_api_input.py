"""Resident API: bad input answers 4xx with a specific error code (and in the caller's language)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from maas.parking import services
from maas.parking.models import ParkAndRideReservation, Permit

from .conftest import make_area, make_facility, make_residents
from .test_api import client_for

pytestmark = pytest.mark.django_db

PERMITS, RESERVATIONS = "/api/v1/parking/permits", "/api/v1/parking/park-and-ride/reservations"


def error(response):
    return response.status_code, response.json()["error"]["code"]


@pytest.fixture
def setup(db):
    facility = make_facility(car=5)
    area = make_area(absolute=3, facility=facility)
    mine, theirs = make_residents(2)
    return facility, area, client_for(mine), client_for(theirs)


def test_bad_dates_answer_invalid_date(setup):
    facility, area, client, _ = setup
    for field, value in [("valid_from", "2026-02-30"), ("valid_until", "tomorrow"), ("valid_from", "31.12.2026")]:
        body = client.post(PERMITS, {"area_id": area.pk, "plate": "ABC-1", field: value}, format="json")
        assert error(body) == (400, "invalid_date")
        assert body.json()["error"]["details"] == {field: value}
    body = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": "2026-13-01", "plate": "ABC-1"},
                       format="json")
    assert error(body) == (400, "invalid_date")
    body = client.get("/api/v1/parking/park-and-ride", {"lat": 60.18, "lon": 24.97, "day": "someday"})
    assert error(body) == (400, "invalid_date")
    assert Permit.objects.count() == 0 and ParkAndRideReservation.objects.count() == 0


def test_periods_in_the_past_or_backwards_are_refused(setup):
    facility, area, client, _ = setup
    today = timezone.localdate()
    past = client.post(PERMITS, {"area_id": area.pk, "plate": "ABC-1",
                                 "valid_from": (today - timedelta(days=1)).isoformat()}, format="json")
    assert error(past) == (400, "invalid_period")
    backwards = client.post(PERMITS, {"area_id": area.pk, "plate": "ABC-1", "valid_from": today.isoformat(),
                                      "valid_until": (today - timedelta(days=1)).isoformat()}, format="json")
    assert error(backwards) == (400, "invalid_period")
    yesterday = client.post(RESERVATIONS, {"facility_id": facility.pk, "plate": "ABC-1",
                                           "day": (today - timedelta(days=1)).isoformat()}, format="json")
    assert error(yesterday) == (400, "invalid_day")


@pytest.mark.parametrize("plate", ["", "!!", "ABCDE-12345", "ABC-123-XYZ", "A" * 15])
def test_malformed_plates_answer_invalid_plate(setup, plate):
    facility, area, client, _ = setup
    day = timezone.localdate().isoformat()
    assert error(client.post(PERMITS, {"area_id": area.pk, "plate": plate}, format="json")) in {
        (400, "invalid_plate"), (400, "validation_error")}  # "" is a missing field to the serializer
    body = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": day, "plate": plate}, format="json")
    assert body.status_code == 400
    if plate:
        assert body.json()["error"]["code"] == "invalid_plate"
    assert Permit.objects.count() == 0 and ParkAndRideReservation.objects.count() == 0


def test_unknown_and_out_of_range_ids(setup):
    _, area, client, _ = setup
    day = timezone.localdate().isoformat()
    assert error(client.post(PERMITS, {"area_id": 987654, "plate": "ABC-1"}, format="json")) == (
        404, "area_not_found")
    assert error(client.post(RESERVATIONS, {"facility_id": 987654, "day": day, "plate": "ABC-1"},
                             format="json")) == (404, "facility_not_found")
    for bad in [2**63, -1, 0, "seven"]:
        assert error(client.post(PERMITS, {"area_id": bad, "plate": "ABC-1"}, format="json")) == (
            400, "validation_error")
        assert error(client.post(RESERVATIONS, {"facility_id": bad, "day": day, "plate": "ABC-1"},
                                 format="json")) == (400, "validation_error")
    assert error(client.get(f"{PERMITS}/987654")) == (404, "permit_not_found")
    assert error(client.post(f"{PERMITS}/987654/cancel")) == (404, "permit_not_found")
    assert error(client.get(f"{PERMITS}/{2**70}")) == (404, "permit_not_found")
    assert error(client.post(f"{RESERVATIONS}/987654/cancel")) == (404, "reservation_not_found")


def test_another_residents_permit_and_reservation_are_404(setup):
    facility, area, client, other = setup
    theirs = other.post(PERMITS, {"area_id": area.pk, "plate": "OTH-1"}, format="json").json()
    assert theirs["status"] == "granted"
    assert error(client.get(f"{PERMITS}/{theirs['id']}")) == (404, "permit_not_found")
    assert error(client.post(f"{PERMITS}/{theirs['id']}/cancel")) == (404, "permit_not_found")
    assert Permit.objects.get(pk=theirs["id"]).status == "granted"  # untouched
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    booked = other.post(RESERVATIONS, {"facility_id": facility.pk, "day": day, "plate": "OTH-1"}, format="json")
    assert booked.status_code == 201
    assert error(client.post(f"{RESERVATIONS}/{booked.json()['id']}/cancel")) == (404, "reservation_not_found")
    assert ParkAndRideReservation.objects.get(pk=booked.json()["id"]).status == "reserved"
    assert client.get(RESERVATIONS).json() == []


def test_cancelling_twice_is_a_conflict(setup):
    facility, area, client, _ = setup
    made = client.post(PERMITS, {"area_id": area.pk, "plate": "TWO-1"}, format="json").json()
    assert client.post(f"{PERMITS}/{made['id']}/cancel").status_code == 200
    assert error(client.post(f"{PERMITS}/{made['id']}/cancel")) == (409, "permit_not_active")
    day = timezone.localdate().isoformat()
    booked = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": day, "plate": "TWO-1"}, format="json")
    assert client.post(f"{RESERVATIONS}/{booked.json()['id']}/cancel").status_code == 200
    assert error(client.post(f"{RESERVATIONS}/{booked.json()['id']}/cancel")) == (409, "reservation_not_active")


def test_resident_without_household_cannot_apply(setup, make_resident):
    _, area, _, _ = setup
    homeless = make_resident(email="nohome@example.org")
    assert homeless.household is None
    assert error(client_for(homeless).post(PERMITS, {"area_id": area.pk, "plate": "NOH-1"}, format="json")) == (
        403, "no_household")


@pytest.mark.parametrize("language, message", [
    ("fi", "Pysäköintialuetta ei ole."),
    ("sv", "Det finns inget sådant parkeringsområde."),
    ("en", "No such parking area."),
])
def test_errors_come_back_in_the_callers_language(setup, language, message):
    _, _, client, _ = setup
    body = client.post(PERMITS, {"area_id": 987654, "plate": "ABC-1"}, format="json",
                       HTTP_ACCEPT_LANGUAGE=language)
    assert error(body) == (404, "area_not_found")
    assert body.json()["error"]["message"] == message


@pytest.mark.parametrize("language, message", [
    ("fi", "Anna ajoneuvon rekisteritunnus, esimerkiksi ABC-123."),
    ("sv", "Ange fordonets registreringsnummer, till exempel ABC-123."),
])
def test_plate_error_in_finnish_and_swedish(setup, language, message):
    _, area, client, _ = setup
    body = client.post(PERMITS, {"area_id": area.pk, "plate": "!!"}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert error(body) == (400, "invalid_plate") and body.json()["error"]["message"] == message


def test_full_facility_message_in_swedish(setup):
    facility, _, client, _ = setup
    day = timezone.localdate() + timedelta(days=2)
    for r in make_residents(5, prefix="full"):
        services.reserve_park_and_ride(r, facility.pk, day=day, plate="FUL-1")
    body = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": day.isoformat(), "plate": "ABC-1"},
                       format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert error(body) == (409, "facility_full")
    assert body.json()["error"]["message"] == "Anläggningen är full den dagen."


P_AND_R = "/api/v1/parking/park-and-ride"


def test_reservation_and_permit_start_too_far_ahead_answer_day_too_far(setup, settings):
    facility, area, client, _ = setup
    settings.PARKING_MAX_DAYS_AHEAD = 30
    today = timezone.localdate()
    latest = today + timedelta(days=30)
    body = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": "9999-12-30", "plate": "XYZ-999"},
                       format="json")
    assert error(body) == (400, "day_too_far")
    assert body.json()["error"]["details"] == {"day": "9999-12-30", "latest": latest.isoformat()}
    assert body.json()["error"]["message"] == "Reservations can be made at most 30 days ahead."
    beyond = (latest + timedelta(days=1)).isoformat()
    assert error(client.post(RESERVATIONS, {"facility_id": facility.pk, "day": beyond, "plate": "XYZ-999"},
                             format="json")) == (400, "day_too_far")
    body = client.post(PERMITS, {"area_id": area.pk, "plate": "XYZ-999", "valid_from": beyond}, format="json")
    assert error(body) == (400, "day_too_far")
    assert body.json()["error"]["details"] == {"valid_from": beyond, "latest": latest.isoformat()}
    assert Permit.objects.count() == 0 and ParkAndRideReservation.objects.count() == 0
    # the last allowed day itself is fine for both
    booked = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": latest.isoformat(), "plate": "XYZ-999"},
                         format="json")
    assert booked.status_code == 201 and booked.json()["day"] == latest.isoformat()
    permit = client.post(PERMITS, {"area_id": area.pk, "plate": "XYZ-999", "valid_from": latest.isoformat()},
                         format="json")
    assert permit.status_code == 201 and permit.json()["valid_from"] == latest.isoformat()


def test_day_too_far_defaults_to_90_days(setup, settings):
    facility, _, client, _ = setup
    del settings.PARKING_MAX_DAYS_AHEAD  # pytest-django restores it (or its absence) afterwards
    today = timezone.localdate()
    day91 = (today + timedelta(days=91)).isoformat()
    assert error(client.post(RESERVATIONS, {"facility_id": facility.pk, "day": day91, "plate": "ABC-1"},
                             format="json")) == (400, "day_too_far")
    day90 = (today + timedelta(days=90)).isoformat()
    assert client.post(RESERVATIONS, {"facility_id": facility.pk, "day": day90, "plate": "ABC-1"},
                       format="json").status_code == 201


@pytest.mark.parametrize("language, reservation, permit", [
    ("fi", "Varauksen voi tehdä enintään 90 päivää etukäteen.", "Lupa voi alkaa enintään 90 päivän päästä."),
    ("sv", "Reservationer kan göras högst 90 dagar i förväg.", "Ett tillstånd kan börja högst 90 dagar från i dag."),
])
def test_day_too_far_in_finnish_and_swedish(setup, settings, language, reservation, permit):
    facility, area, client, _ = setup
    settings.PARKING_MAX_DAYS_AHEAD = 90
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    body = client.post(RESERVATIONS, {"facility_id": facility.pk, "day": far, "plate": "ABC-1"}, format="json",
                       HTTP_ACCEPT_LANGUAGE=language)
    assert error(body) == (400, "day_too_far") and body.json()["error"]["message"] == reservation
    body = client.post(PERMITS, {"area_id": area.pk, "plate": "ABC-1", "valid_from": far}, format="json",
                       HTTP_ACCEPT_LANGUAGE=language)
    assert error(body) == (400, "day_too_far") and body.json()["error"]["message"] == permit


def test_park_and_ride_rejects_unknown_query_parameters(setup):
    facility, _, client, _ = setup
    body = client.get(P_AND_R, {"lat": facility.lat, "lon": facility.lon, "radius": -5})
    assert error(body) == (400, "unknown_parameter")
    assert body.json()["error"]["details"]["unknown"] == ["radius"]
    assert body.json()["error"]["details"]["allowed"] == ["day", "format", "lat", "lon", "radius_m"]
    assert "radius" in body.json()["error"]["message"]
    body = client.get(P_AND_R, {"lat": facility.lat, "lon": facility.lon, "zoom": 3, "Radius_m": 10})
    assert body.json()["error"]["details"]["unknown"] == ["Radius_m", "zoom"]
    body = client.get(P_AND_R, {"lat": facility.lat, "lon": facility.lon, "radius": 5}, HTTP_ACCEPT_LANGUAGE="fi")
    assert body.json()["error"]["message"] == "Tuntemattomat kyselyparametrit: radius."
    # the documented parameters (and DRF's ?format=) still answer the facility
    found = client.get(P_AND_R, {"lat": facility.lat, "lon": facility.lon, "radius_m": 500, "format": "json"})
    assert found.status_code == 200 and [o["facility_id"] for o in found.json()] == [facility.pk]


@pytest.mark.parametrize("radius", ["-5", "0", "50001", "1000000000000", "1.5", "far"])
def test_park_and_ride_bad_radius_answers_invalid_radius(setup, radius):
    facility, _, client, _ = setup
    body = client.get(P_AND_R, {"lat": facility.lat, "lon": facility.lon, "radius_m": radius})
    assert error(body) == (400, "invalid_radius")
    assert body.json()["error"]["details"] == {"radius_m": radius, "min": 1, "max": 50000}


def test_park_and_ride_radius_bounds_are_inclusive(setup):
    facility, _, client, _ = setup
    for radius in (1, 50000):
        body = client.get(P_AND_R, {"lat": facility.lat + 0.001, "lon": facility.lon, "radius_m": radius})
        assert body.status_code == 200
        assert [o["facility_id"] for o in body.json()] == ([facility.pk] if radius == 50000 else [])
    body = client.get(P_AND_R, {"lat": facility.lat, "lon": facility.lon, "radius_m": 0},
                      HTTP_ACCEPT_LANGUAGE="sv")
    assert body.json()["error"]["message"] == "Ange radius_m i hela meter från 1 till 50000."
