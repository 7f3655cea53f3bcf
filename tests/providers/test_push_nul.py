"""NUL characters in pushed ids and station names: 400 schema_error naming the field, never a 500."""
import pytest

from providers.models import Station
from tests.providers.test_push_api import post, scoot  # noqa: F401 - fixture


@pytest.mark.parametrize("body, field", [
    ({"vehicles": [{"vehicle_id": "v\x001", "lat": 60.188, "lon": 24.977}]}, "vehicles[0].vehicle_id"),
    ({"stations": [{"station_id": "s1", "name": "Kala\x00satama", "num_bikes_available": 1,
                    "num_docks_available": 1}]}, "stations[0].name"),
    ({"last_updated": 1, "data": {"bikes": [{"bike_id": "b\x00", "lat": 60.188, "lon": 24.977}]}}, None),
])
def test_nul_in_pushed_text_is_a_schema_error(scoot, body, field):  # noqa: F811
    response = post(scoot.pk, body, key=scoot.raw_key)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "schema_error"
    if field:
        assert field in [e["field"] for e in error["details"]["errors"]], error


def test_nul_in_a_gbfs_localized_station_name_is_dropped(scoot):  # noqa: F811
    body = {"last_updated": 1, "data": {"stations": [{
        "station_id": "s1", "name": [{"text": "Kala\x00satama", "language": "fi"}], "lat": 60.188, "lon": 24.977,
        "num_bikes_available": 1, "num_docks_available": 2}]}}
    response = post(scoot.pk, body, key=scoot.raw_key)
    assert response.status_code in (200, 201, 202), response.content
    assert Station.objects.get(station_id="s1").name == "Kalasatama"
