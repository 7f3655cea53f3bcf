"""Bad input on every booking endpoint is a 4xx with a specific code (never a 500), and books nothing."""
import pytest

from maas.bookings.models import Booking, IdempotencyRecord
from tests.bookings.conftest import book, leg_error, make_leg

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field, value", [
    ("vehicle_id", "X" * 201), ("vehicle_id", 12345), ("vehicle_id", ["G-1"]),
    ("station_id", "S" * 201), ("end_station_id", 126),
])
def test_booking_references_must_be_short_strings(payg_resident, gbfs_provider, field, value):
    leg = make_leg(gbfs_provider.pk, vehicle_id="G-1")
    leg["booking"][field] = value
    details = leg_error(book(payg_resident.api, leg))
    assert details == {"booking": {field: [f"{field} must be a string of at most 200 characters, or null."]}}
    assert Booking.objects.count() == 0 and IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("provider_id", [-1, 0, 2 ** 40, "1", True, None])
def test_provider_id_must_be_a_positive_integer(payg_resident, provider_id):
    details = leg_error(book(payg_resident.api, make_leg(provider_id, vehicle_id="G-1")))
    assert details == {"booking": {"provider_id": ["provider_id must be a positive integer."]}}


@pytest.mark.parametrize("change, field", [
    ({"duration_s": 10 ** 12}, "duration_s"), ({"duration_s": -5}, "duration_s"),
    ({"distance_m": 10 ** 12}, "distance_m"), ({"start_time": "yesterday"}, "start_time"),
    ({"end_time": "2026-13-45T99:00:00"}, "end_time"), ({"mode": "x" * 40}, "mode"),
    ({"transit": "maybe"}, "transit"), ({"from": {"lat": 91, "lon": 24.9}}, "from"),
])
def test_leg_fields_are_validated(payg_resident, gbfs_provider, change, field):
    details = leg_error(book(payg_resident.api, make_leg(gbfs_provider.pk, vehicle_id="G-1") | change))
    assert list(details) == [field]
    assert Booking.objects.count() == 0


def test_unknown_mode_is_400_and_a_known_unbookable_mode_409(payg_resident, gbfs_provider):
    response = book(payg_resident.api, make_leg(gbfs_provider.pk, vehicle_id="G-1") | {"mode": "spaceship"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_mode" and error["details"]["mode"] == "spaceship"
    assert "city_bike" in error["details"]["modes"]
    bike = book(payg_resident.api, make_leg(gbfs_provider.pk, vehicle_id="G-1") | {"mode": "bike"})
    assert bike.status_code == 409 and bike.json()["error"]["code"] == "leg_not_bookable"


@pytest.mark.parametrize("body, code", [
    ([1, 2], "validation_error"), ("text", "validation_error"), ({}, "validation_error"),
    ({"leg": None}, "validation_error"), ({"leg": "x"}, "validation_error"),
])
def test_malformed_bodies(payg_resident, body, code):
    response = payg_resident.api.post("/api/v1/bookings", body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_not_json_and_not_json_content_type(payg_resident):
    api = payg_resident.api
    broken = api.post("/api/v1/bookings", "{leg", content_type="application/json", HTTP_IDEMPOTENCY_KEY="j-1")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "parse_error"
    text = api.post("/api/v1/bookings", "leg", content_type="text/plain", HTTP_IDEMPOTENCY_KEY="j-2")
    assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("key, code", [
    ("   ", "idempotency_key_required"), ("k" * 256, "idempotency_key_invalid"),
    ("a\x01b", "idempotency_key_invalid"),
])
def test_bad_idempotency_keys(payg_resident, gbfs_provider, key, code):
    response = payg_resident.api.post("/api/v1/bookings", {"leg": make_leg(gbfs_provider.pk, vehicle_id="G-1")},
                                      format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert Booking.objects.count() == 0


def test_actions_and_reads_on_bad_ids_and_bodies(payg_resident, gbfs_provider):
    api = payg_resident.api
    huge = "99999999999999999999"
    assert api.get(f"/api/v1/bookings/{huge}").json()["error"]["code"] == "not_found"
    for action in ("confirm", "decline", "start", "finish", "cancel"):
        response = api.post(f"/api/v1/bookings/{huge}/{action}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", action
    assert api.get("/api/v1/bookings/abc").status_code == 404
    created = book(api, make_leg(gbfs_provider.pk, vehicle_id="G-1")).json()
    listed = api.post(f"/api/v1/bookings/{created['id']}/cancel", [1], format="json")
    assert listed.status_code == 400 and listed.json()["error"]["code"] == "validation_error"
    long = api.post(f"/api/v1/bookings/{created['id']}/cancel", {"reason": "x" * 201}, format="json")
    assert long.status_code == 400 and list(long.json()["error"]["details"]) == ["reason"]
    assert Booking.objects.get(pk=created["id"]).state == "CONFIRMED"  # bad requests changed nothing
    # finishing a ride that never started is an illegal move, not a crash
    finish = api.post(f"/api/v1/bookings/{created['id']}/finish")
    assert finish.status_code == 409 and finish.json()["error"]["code"] == "illegal_transition"
    wrong = api.put(f"/api/v1/bookings/{created['id']}", {}, format="json")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
