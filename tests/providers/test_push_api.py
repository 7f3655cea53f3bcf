"""POST /api/v1/providers/{id}/availability: per-provider keys, schema, size limit, freshness rules."""
import json
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from providers import selectors, services
from providers.models import Provider, ProviderApiKey, Snapshot, Vehicle

KALASATAMA = (60.18755649, 24.9770684)


@pytest.fixture
def scoot(db):
    provider = services.register_provider(name="Scoot", kind="scooter")
    _, raw = services.create_api_key(provider, label="test")
    provider.raw_key = raw
    return provider


@pytest.fixture
def other(db):
    provider = services.register_provider(name="Other", kind="scooter")
    _, raw = services.create_api_key(provider)
    provider.raw_key = raw
    return provider


def post(provider_id, body, key=None, header="bearer", raw=None, content_type="application/json"):
    client = APIClient()
    extra = {}
    if key and header == "bearer":
        extra["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    elif key:
        extra["HTTP_X_API_KEY"] = key
    data = raw if raw is not None else json.dumps(body)
    return client.post(f"/api/v1/providers/{provider_id}/availability", data=data, content_type=content_type, **extra)


def vehicles(n=2, lat=60.1880):
    return [{"vehicle_id": f"v{i}", "lat": lat, "lon": 24.9775 + i * 0.0001, "vehicle_type_id": "es",
             "current_range_meters": 8000} for i in range(n)]


def test_key_hashed_at_rest_shown_once(scoot):
    record = ProviderApiKey.objects.get(provider=scoot)
    assert scoot.raw_key.startswith(f"pk_{record.prefix}.") and len(scoot.raw_key) > 40
    assert scoot.raw_key not in (record.key_hash, record.prefix) and len(record.key_hash) == 64
    assert services.authenticate_key(scoot.raw_key) == record
    assert services.authenticate_key(scoot.raw_key[:-1] + ("A" if scoot.raw_key[-1] != "A" else "B")) is None


def test_plain_push_with_bearer_and_x_api_key(scoot):
    resp = post(scoot.pk, {"vehicles": vehicles(3)}, scoot.raw_key)
    assert resp.status_code == 200, resp.json()
    assert resp.json()["vehicles"] == 3 and resp.json()["replaced"] == ["vehicles"]
    assert [v["vehicle_id"] for v in selectors.vehicles_near(*KALASATAMA, 500)] == ["v0", "v1", "v2"]
    resp = post(scoot.pk, {"vehicles": vehicles(1)}, scoot.raw_key, header="x-api-key")
    assert resp.status_code == 200 and resp.json()["vehicles"] == 1
    assert ProviderApiKey.objects.get(provider=scoot).last_used_at is not None


def test_gbfs_shaped_push(scoot):
    now = int(timezone.now().timestamp())
    body = {"last_updated": now, "ttl": 30, "version": "2.3", "data": {"bikes": [
        {"bike_id": "b1", "lat": 60.1881, "lon": 24.9771, "is_reserved": False, "is_disabled": False,
         "vehicle_type_id": "es"},
        {"bike_id": "b2", "lat": 60.1882, "lon": 24.9772, "is_reserved": True, "is_disabled": False}]}}
    resp = post(scoot.pk, body, scoot.raw_key)
    assert resp.status_code == 200, resp.json()
    scoot.refresh_from_db()
    assert (scoot.ttl_s, scoot.gbfs_version) == (30, "2.3")
    assert [v["vehicle_id"] for v in selectors.vehicles_near(*KALASATAMA, 500)] == ["b1"]


def test_station_status_push_merges_known_station_info(db):
    bikes = services.register_provider(name="Bikes", kind="bike_share")
    _, key = services.create_api_key(bikes)
    first = {"stations": [{"station_id": "126", "name": "Kalasataman metroasema", "lat": 60.18755649,
                           "lon": 24.9770684, "capacity": 42, "num_bikes_available": 34, "num_docks_available": 8}]}
    assert post(bikes.pk, first, key).status_code == 200
    status_only = {"last_updated": int(timezone.now().timestamp()) + 1, "data": {"stations": [
        {"station_id": "126", "num_bikes_available": 5, "num_docks_available": 37, "is_renting": True,
         "is_returning": True, "is_installed": True}]}}
    assert post(bikes.pk, status_only, key).status_code == 200
    [station] = selectors.stations_near(*KALASATAMA, 50)
    assert (station["name"], station["bikes_available"], station["docks_available"]) == \
        ("Kalasataman metroasema", 5, 37)
    unknown = {"data": {"stations": [{"station_id": "999", "num_bikes_available": 1, "num_docks_available": 1}]},
               "last_updated": int(timezone.now().timestamp()) + 2}
    resp = post(bikes.pk, unknown, key)
    assert resp.status_code == 400 and resp.json()["error"]["details"]["errors"][0]["field"] == "data.stations[0].lat"


def test_other_providers_key_rejected(scoot, other):
    resp = post(scoot.pk, {"vehicles": vehicles()}, other.raw_key)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "wrong_provider"
    assert Provider.objects.get(pk=scoot.pk).current_snapshot_id is None


def test_missing_bad_and_revoked_keys(scoot):
    assert post(scoot.pk, {"vehicles": vehicles()}).json()["error"]["code"] == "api_key_required"
    resp = post(scoot.pk, {"vehicles": vehicles()}, "pk_nothere.xyz")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "invalid_api_key"
    record = ProviderApiKey.objects.get(provider=scoot)
    new_record, new_raw = services.rotate_api_key(record)
    assert post(scoot.pk, {"vehicles": vehicles()}, scoot.raw_key).status_code == 401
    assert post(scoot.pk, {"vehicles": vehicles()}, new_raw).status_code == 200
    services.revoke_api_key(new_record)
    assert post(scoot.pk, {"vehicles": vehicles()}, new_raw).status_code == 401


def test_size_limit_413(scoot, settings):
    settings.PROVIDERS_PUSH_MAX_BYTES = 2000
    resp = post(scoot.pk, {"vehicles": vehicles(40)}, scoot.raw_key)
    assert resp.status_code == 413 and resp.json()["error"]["code"] == "payload_too_large"
    assert resp.json()["error"]["details"]["max_bytes"] == 2000
    assert post(scoot.pk, {"vehicles": vehicles(5)}, scoot.raw_key).status_code == 200


def test_schema_errors_name_the_field(scoot):
    body = {"vehicles": vehicles(3)}
    del body["vehicles"][2]["lat"]
    body["vehicles"][1]["lon"] = "east"
    resp = post(scoot.pk, body, scoot.raw_key)
    err = resp.json()["error"]
    assert resp.status_code == 400 and err["code"] == "schema_error"
    assert {e["field"] for e in err["details"]["errors"]} == {"vehicles[1].lon", "vehicles[2].lat"}
    assert err["message"].startswith("Invalid availability: vehicles[1].lon")
    resp = post(scoot.pk, {"vehicles": vehicles(1), "color": "red"}, scoot.raw_key)
    assert resp.json()["error"]["details"]["errors"][0]["field"] == "color"
    resp = post(scoot.pk, {"data": {"bikes": [{"lat": 60.1, "lon": 24.9}]}, "last_updated": 1}, scoot.raw_key)
    assert resp.json()["error"]["details"]["errors"][0]["field"] == "data.bikes[0].bike_id"
    assert post(scoot.pk, {}, scoot.raw_key).status_code == 400
    resp = post(scoot.pk, None, scoot.raw_key, raw="{nope")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_json"
    resp = post(scoot.pk, None, scoot.raw_key, raw="a=b", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415
    assert Snapshot.objects.filter(provider=scoot).count() == 0


def test_older_push_rejected_409(scoot):
    now = timezone.now()
    assert post(scoot.pk, {"last_updated": now.isoformat(), "vehicles": vehicles(2)}, scoot.raw_key).status_code == 200
    older = (now - timedelta(minutes=1)).isoformat()
    resp = post(scoot.pk, {"last_updated": older, "vehicles": vehicles(5)}, scoot.raw_key)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "stale_update"
    assert len(selectors.vehicles_near(*KALASATAMA, 500)) == 2
    future = (now + timedelta(hours=1)).isoformat()
    resp = post(scoot.pk, {"last_updated": future, "vehicles": vehicles(5)}, scoot.raw_key)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "last_updated_in_future"


def test_read_api_vehicles_and_stations(scoot, resident_client, api_client):
    post(scoot.pk, {"vehicles": vehicles(2)}, scoot.raw_key)
    assert api_client.get("/api/v1/vehicles?near=60.1875,24.977").status_code == 401
    resp = resident_client.get("/api/v1/vehicles?near=60.18755649,24.9770684&radius=300&kind=scooter")
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == 2 and body["results"][0]["vehicle_id"] == "v0"
    assert body["results"][0]["provider_name"] == "Scoot" and body["results"][0]["stale"] is False
    assert body["results"][0]["last_updated"] is not None and body["results"][0]["range_m"] == 8000
    assert body["providers"][0]["provider_id"] == scoot.pk
    assert resident_client.get("/api/v1/vehicles?near=60.18,24.97&kind=car_share").json()["count"] == 0
    assert resident_client.get("/api/v1/vehicles?near=abc").json()["error"]["code"] == "invalid_near"
    assert resident_client.get("/api/v1/vehicles?near=60.1,24.9&radius=99999").json()["error"]["code"] == \
        "invalid_radius"
    assert resident_client.get("/api/v1/stations?near=60.1,24.9&kind=plane").json()["error"]["code"] == \
        "invalid_kind"
    assert resident_client.get("/api/v1/stations?near=60.18755649,24.9770684").json()["count"] == 0


def test_error_messages_translated(resident_client):
    resp = resident_client.get("/api/v1/vehicles?near=abc", HTTP_ACCEPT_LANGUAGE="fi")
    assert resp.json()["error"] == {"code": "invalid_near", "message": "near-parametrin muoto on 'lat,lon'.",
                                    "details": {"field": "near"}}
    resp = resident_client.get("/api/v1/vehicles?near=abc", HTTP_ACCEPT_LANGUAGE="sv")
    assert resp.json()["error"]["message"] == "near måste ha formen 'lat,lon'."


def test_deactivated_provider_cannot_push(scoot):
    Provider.objects.filter(pk=scoot.pk).update(active=False)
    resp = post(scoot.pk, {"vehicles": vehicles()}, scoot.raw_key)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "provider_inactive"


def test_limit_above_django_upload_limit(scoot, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.PROVIDERS_PUSH_MAX_BYTES = 100_000
    resp = post(scoot.pk, {"vehicles": vehicles(40)}, scoot.raw_key)
    assert resp.status_code == 200 and resp.json()["vehicles"] == 40


class CountingId(str):
    """A vehicle id that counts equality comparisons (how much work the duplicate check does)."""

    comparisons = 0

    def __eq__(self, other):
        CountingId.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_duplicate_ids_found_in_one_pass(scoot):
    from providers import push

    n = 5000
    body = {"vehicles": [{"vehicle_id": CountingId(f"v{i}"), "lat": 60.188, "lon": 24.9775} for i in range(n)]}
    body["vehicles"].append({"vehicle_id": CountingId(f"v{n - 1}"), "lat": 60.188, "lon": 24.9775})
    CountingId.comparisons = 0
    with pytest.raises(push.ApiError) as err:
        push.push_availability(scoot, body)
    assert CountingId.comparisons < 10 * n  # a check by list.count compares ~n²/2 times
    assert err.value.error_code == "duplicate_id"
    assert err.value.details == {"errors": [{"field": f"vehicles[{n}].vehicle_id",
                                             "message": f"duplicate v{n - 1}"}]}


def test_duplicate_station_over_http(scoot):
    stations = [{"station_id": s, "lat": 60.18, "lon": 24.97, "num_bikes_available": 1, "num_docks_available": 2}
                for s in ("a", "b", "a")]
    resp = post(scoot.pk, {"stations": stations}, scoot.raw_key)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "duplicate_id"
    assert resp.json()["error"]["details"]["errors"] == [{"field": "stations[2].station_id", "message": "duplicate a"}]


@pytest.mark.parametrize("body,status", [
    ({"vehicles": [{"vehicle_id": "v1", "lat": 60.18, "lon": 24.97}]}, 200),
    ({"vehicles": [{"vehicle_id": "  ", "lat": 60.18, "lon": 24.97}]}, 400),
    ({"last_updated": 10**15, "vehicles": [{"vehicle_id": "v1", "lat": 60.18, "lon": 24.97}]}, 400),
    ({"last_updated": 1, "data": {"vehicles": [{"vehicle_id": "v1"}]}}, 400),          # nowhere
    ({"last_updated": 1, "data": {"bikes": [{"bike_id": "b1", "station_id": "s1"}]}}, 200),
    ({"last_updated": 1, "version": "2.3-longer-than-the-column", "data": {"bikes": [{"bike_id": "b1",
                                                                                       "station_id": "s1"}]}}, 400),
])
def test_openapi_request_schema_and_server_agree(scoot, body, status):
    from jsonschema import Draft7Validator

    doc = APIClient().get("/api/v1/schema/?format=json").json()
    schema = doc["paths"]["/api/v1/providers/{provider_id}/availability"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    valid = Draft7Validator(schema).is_valid(body)
    resp = post(scoot.pk, body, scoot.raw_key)
    assert resp.status_code == status, resp.content
    assert valid is (status == 200)


def test_rfc3339_offsets_beyond_postgresql_range_are_stored_in_utc(scoot):
    """A valid RFC 3339 offset of -19:48 was a 500: PostgreSQL refuses displacements beyond +-15:59."""
    pushed = [{**vehicles(1)[0], "last_reported": "2026-10-01T01:33:30-19:48"}]
    resp = post(scoot.pk, {"vehicles": pushed}, scoot.raw_key)
    assert resp.status_code == 200, resp.json()
    stored = Vehicle.objects.get(vehicle_id="v0").last_reported
    assert stored == datetime(2026, 10, 1, 21, 21, 30, tzinfo=dt_timezone.utc)
    resp = post(scoot.pk, {"vehicles": [{**vehicles(1)[0], "last_reported": "0001-01-01T00:00:00+15:00"}]},
                scoot.raw_key)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "schema_error"
