"""Whatever JSON a provider sends, the push API answers 200 or a 4xx envelope — never a 500."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from providers import services

scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
keys = st.sampled_from(["vehicle_id", "bike_id", "station_id", "lat", "lon", "num_bikes_available",
                        "num_docks_available", "num_vehicles_available", "is_reserved", "last_reported",
                        "current_range_meters", "name", "capacity"])
items = st.lists(st.dictionaries(keys, scalars, max_size=8), max_size=4)
small = st.integers(0, 50)
numbers = (small | small | small | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
           | st.none() | st.text(max_size=3))
ids = (st.text(min_size=1, max_size=8) | st.text(min_size=1, max_size=8) | st.text(max_size=120)
       | st.integers() | st.none())
vehicle_like = st.fixed_dictionaries(
    {"vehicle_id": ids, "lat": st.floats(59, 61) | numbers, "lon": st.floats(24, 26) | numbers},
    optional={"current_range_meters": numbers, "last_reported": numbers, "vehicle_type_id": ids,
              "is_reserved": st.booleans() | numbers, "station_id": ids})
station_like = st.fixed_dictionaries(
    {"station_id": ids, "num_bikes_available": numbers, "num_docks_available": numbers},
    optional={"lat": st.floats(59, 61) | numbers, "lon": st.floats(24, 26) | numbers, "capacity": numbers,
              "name": st.text(max_size=300) | st.lists(st.dictionaries(st.sampled_from(["text", "language"]),
                                                                      scalars), max_size=2),
              "num_vehicles_available": numbers, "last_reported": numbers})
near_valid = st.fixed_dictionaries({}, optional={
    "last_updated": numbers, "vehicles": st.lists(vehicle_like, max_size=3),
    "stations": st.lists(station_like, max_size=3)})
near_valid_gbfs = st.fixed_dictionaries(
    {"last_updated": numbers, "data": st.fixed_dictionaries({}, optional={
        "vehicles": st.lists(vehicle_like, max_size=3),
        "bikes": st.lists(vehicle_like.map(lambda v: {("bike_id" if k == "vehicle_id" else k): x
                                                      for k, x in v.items()}), max_size=3),
        "stations": st.lists(station_like, max_size=3)})})
bodies = (near_valid | near_valid_gbfs | json_values
          | st.fixed_dictionaries({}, optional={"last_updated": scalars, "ttl": scalars, "vehicles": items,
                                                "stations": items})
          | st.fixed_dictionaries({"data": st.dictionaries(st.sampled_from(["vehicles", "bikes", "stations"]),
                                                           items, max_size=2)},
                                  optional={"last_updated": scalars, "version": scalars}))


@pytest.fixture
def pusher(db):
    provider = services.register_provider(name="Fuzz", kind="scooter")
    _, raw = services.create_api_key(provider)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return provider, client


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_push_never_500s(pusher, body):
    provider, client = pusher
    resp = client.post(f"/api/v1/providers/{provider.pk}/availability", data=json.dumps(body),
                       content_type="application/json")
    assert resp.status_code in (200, 400, 409), (resp.status_code, resp.content[:500], body)
    if resp.status_code != 200:
        assert set(resp.json()["error"]) == {"code", "message", "details"}
