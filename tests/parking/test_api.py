"""Resident API: apply, status/waitlist position, cancel; P+R availability and reservations."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from maas.parking import selectors, services
from maas.parking.models import Facility, ParkingArea
from maas.parking.selectors import park_and_ride_options

from .conftest import make_area, make_residents

pytestmark = pytest.mark.django_db

KALASATAMA_METRO = (60.18761, 24.97721)


def client_for(resident):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(resident.user).access_token}")
    return client


@pytest.fixture
def demo(db):
    call_command("load_parking_demo")
    return ParkingArea.objects.get(code="kalasatama")


def test_demo_area_has_the_half_space_per_household_cap(demo):
    usage = selectors.area_usage(demo)
    assert (usage["rule"], usage["households"], usage["cap"]) == ("0.50 per household", 40, 20)
    assert demo.facility.liipi_id == 1037


def test_apply_status_waitlist_and_cancel_flow(demo, django_capture_on_commit_callbacks):
    residents = make_residents(3, block="KS-2")
    demo.cap_rule, demo.absolute_cap = ParkingArea.ABSOLUTE, 1
    services.save_area(demo)
    first, second = client_for(residents[0]), client_for(residents[1])

    r1 = first.post("/api/v1/parking/permits", {"area_id": demo.pk, "plate": "ksa-101"}, format="json")
    assert r1.status_code == 201
    assert (r1.json()["status"], r1.json()["plate"], r1.json()["waitlist_position"]) == ("granted", "KSA-101", None)
    assert r1.json()["facility_id"] == Facility.objects.get(liipi_id=1037).pk

    r2 = second.post("/api/v1/parking/permits", {"area_id": demo.pk, "plate": "KSB-202"}, format="json")
    assert (r2.status_code, r2.json()["status"], r2.json()["waitlist_position"]) == (201, "waitlisted", 1)

    areas = first.get("/api/v1/parking/areas").json()
    assert [(a["code"], a["cap"], a["used"], a["waitlist"]) for a in areas] == [("kalasatama", 1, 1, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        cancel = first.post(f"/api/v1/parking/permits/{r1.json()['id']}/cancel")
    assert (cancel.status_code, cancel.json()["status"]) == (200, "cancelled")
    status = second.get(f"/api/v1/parking/permits/{r2.json()['id']}").json()
    assert (status["status"], status["waitlist_position"]) == ("granted", None)
    # Others' permits are invisible.
    assert first.get(f"/api/v1/parking/permits/{r2.json()['id']}").status_code == 404
    assert [p["id"] for p in second.get("/api/v1/parking/permits").json()] == [r2.json()["id"]]


def test_apply_errors_use_the_error_envelope(demo):
    [resident] = make_residents(1, block="NOT-KS")
    client = client_for(resident)
    body = client.post("/api/v1/parking/permits", {"area_id": demo.pk, "plate": "ABC-1"}, format="json")
    assert body.status_code == 403 and body.json()["error"]["code"] == "not_in_area"
    body = client.post("/api/v1/parking/permits", {"area_id": 99999, "plate": "ABC-1"}, format="json")
    assert body.status_code == 404 and body.json()["error"]["code"] == "area_not_found"
    body = client.post("/api/v1/parking/permits", {"plate": "ABC-1"}, format="json")
    assert body.status_code == 400 and body.json()["error"]["code"] == "validation_error"
    assert APIClient().get("/api/v1/parking/permits").status_code == 401


def test_park_and_ride_availability_and_reservation(demo, resident):
    client = client_for(resident)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    options = client.get("/api/v1/parking/park-and-ride", {"lat": KALASATAMA_METRO[0], "lon": KALASATAMA_METRO[1],
                                                           "radius_m": 1000, "day": day}).json()
    # Only REDI is within 1 km; the closed Pallaksentie and far-away Tapiola are not offered.
    assert [(o["name"], o["capacity"], o["free_spaces"]) for o in options] == [
        ("Kalasatama (Kauppakeskus REDI)", 300, 300)]
    assert 100 < options[0]["distance_m"] < 200
    facility_id = options[0]["facility_id"]

    made = client.post("/api/v1/parking/park-and-ride/reservations",
                       {"facility_id": facility_id, "day": day, "plate": "PNR-1"}, format="json")
    assert made.status_code == 201 and made.json()["status"] == "reserved"
    again = client.post("/api/v1/parking/park-and-ride/reservations",
                        {"facility_id": facility_id, "day": day, "plate": "PNR-1"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reserved"
    assert park_and_ride_options(*KALASATAMA_METRO, 1000, day)[0]["free_spaces"] == 299

    closed = Facility.objects.get(liipi_id=708)
    refused = client.post("/api/v1/parking/park-and-ride/reservations",
                          {"facility_id": closed.pk, "day": day, "plate": "PNR-1"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "facility_unavailable"

    cancelled = client.post(f"/api/v1/parking/park-and-ride/reservations/{made.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert park_and_ride_options(*KALASATAMA_METRO, 1000, day)[0]["free_spaces"] == 300


def test_full_facility_is_not_offered(resident):
    from .conftest import make_facility

    facility = make_facility(car=1)
    day = timezone.localdate()
    client = client_for(resident)
    assert len(park_and_ride_options(facility.lat, facility.lon, 500, day)) == 1
    ok = client.post("/api/v1/parking/park-and-ride/reservations",
                     {"facility_id": facility.pk, "day": day.isoformat(), "plate": "FULL-1"}, format="json")
    assert ok.status_code == 201
    assert park_and_ride_options(facility.lat, facility.lon, 500, day) == []
    [other] = make_residents(1, block="X")
    full = client_for(other).post("/api/v1/parking/park-and-ride/reservations",
                                  {"facility_id": facility.pk, "day": day.isoformat(), "plate": "FULL-2"},
                                  format="json")
    assert full.status_code == 409 and full.json()["error"]["code"] == "facility_full"


def test_bad_park_and_ride_query(resident):
    body = client_for(resident).get("/api/v1/parking/park-and-ride", {"lat": "north", "lon": 24.9}).json()
    assert body["error"]["code"] == "validation_error" and "lat" in body["error"]["details"]


def test_area_with_permits_parks_at_a_facility_which_limits_reservations(db):
    from .conftest import make_facility

    facility = make_facility(car=2)
    residents = make_residents(3)
    area = make_area(absolute=5, facility=facility)
    client_for(residents[0]).post("/api/v1/parking/permits", {"area_id": area.pk, "plate": "PER-1"}, format="json")
    day = timezone.localdate()
    assert park_and_ride_options(facility.lat, facility.lon, 100, day)[0]["free_spaces"] == 1


def test_todays_liipi_reading_bounds_todays_availability(db):
    from maas.parking.models import FacilityCapacity

    from .conftest import make_facility

    facility = make_facility(car=300)
    today, tomorrow = timezone.localdate(), timezone.localdate() + timedelta(days=1)
    FacilityCapacity.objects.filter(facility=facility).update(spaces_available=4, reported_at=timezone.now())
    assert park_and_ride_options(facility.lat, facility.lon, 100, today)[0]["free_spaces"] == 4
    assert park_and_ride_options(facility.lat, facility.lon, 100, tomorrow)[0]["free_spaces"] == 300
    FacilityCapacity.objects.filter(facility=facility).update(
        spaces_available=0, reported_at=timezone.now() - timedelta(days=2))  # stale: ignored
    assert park_and_ride_options(facility.lat, facility.lon, 100, today)[0]["free_spaces"] == 300
    FacilityCapacity.objects.filter(facility=facility).update(spaces_available=0, reported_at=timezone.now())
    assert park_and_ride_options(facility.lat, facility.lon, 100, today) == []


def test_permit_list_reads_waitlist_places_in_one_query_whatever_the_count(db):
    """No query per row: listing 1 or 6 waitlisted permits costs the same queries, with the right places."""
    holders = make_residents(2, prefix="holder")
    waiting = make_residents(1, prefix="waiter")[0]
    areas = [make_area(code=f"a{i}", blocks="KS-1", absolute=1) for i in range(6)]
    for area in areas:
        services.apply_for_permit(holders[0], area.pk, plate="HLD-1")
        services.apply_for_permit(holders[1], area.pk, plate="HLD-2")
    client = client_for(waiting)

    def queries_for(n):
        services.apply_for_permit(waiting, areas[n - 1].pk, plate="WAI-1")
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/parking/permits").json()
        assert [p["waitlist_position"] for p in body] == [2] * n
        return len(captured)

    one = queries_for(1)
    for n in range(2, 7):
        assert queries_for(n) == one


def test_a_permit_application_costs_two_queries_granted_or_waitlisted(db, allocator):
    """The JWT user comes with the resident and household (one query, shared by the language middleware and
    DRF); the allocation answers the area code and queue place: nothing is read again for the answer."""
    residents = make_residents(3)
    area = make_area(absolute=1)
    # the SQL function: one call; the ORM path: savepoint, area and facility locks, state, insert, release
    expected = 2 if services.use_sql_allocator() else 6
    answers = []
    for i, resident in enumerate(residents):
        client = client_for(resident)
        with CaptureQueriesContext(connection) as captured:
            resp = client.post("/api/v1/parking/permits", {"area_id": area.pk, "plate": f"QRY-{i}"}, format="json")
        assert resp.status_code == 201, resp.json()
        answers.append((resp.json()["status"], resp.json()["waitlist_position"], resp.json()["area"]))
        assert len(captured) == expected, [q["sql"][:90] for q in captured.captured_queries]
    assert answers == [("granted", None, "ks"), ("waitlisted", 1, "ks"), ("waitlisted", 2, "ks")]
