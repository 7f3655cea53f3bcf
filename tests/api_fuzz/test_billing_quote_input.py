"""POST /billing/quote validates its legs (malformed legs were 500s: zones of non-strings, duration_s "x",
1e400, a mode list, naive next to aware start times) and prices valid ones."""
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.api_fuzz.helpers import assert_envelope

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    from django.core.management import call_command

    call_command("load_billing_plans", verbosity=0)


def _quote(client, legs):
    return client.post("/api/v1/billing/quote", {"itinerary": {"legs": legs}}, format="json")


def _leg_errors(response):
    return assert_envelope(response, 400, "validation_error")["details"]["itinerary"]["legs"]["0"]


@pytest.mark.parametrize("leg, field, message", [
    ({}, "mode", "This field is required."),
    ({"mode": ["tram"]}, "mode", "\"['tram']\" is not a valid choice."),
    ({"mode": "hoverboard"}, "mode", '"hoverboard" is not a valid choice.'),
    ({"mode": "scooter", "duration_s": "x"}, "duration_s", "A valid integer is required."),
    ({"mode": "scooter", "duration_s": -100}, "duration_s", "Ensure this value is greater than or equal to 0."),
    ({"mode": "taxi", "distance_m": 10 ** 23}, "distance_m", "Ensure this value is less than or equal to 2000000."),
    ({"mode": "city_bike", "duration_s": 10 ** 23}, "duration_s",
     "Ensure this value is less than or equal to 604800."),
    ({"mode": "tram", "start_time": "garbage"}, "start_time", None),
    ({"mode": "tram", "start_time": "2022-03-01T08:00:00+02:00", "end_time": "2022-03-01T07:00:00+02:00"},
     "end_time", "end_time is before start_time."),
])
def test_malformed_leg_is_a_field_error(resident_client, plans, leg, field, message):
    errors = _leg_errors(_quote(resident_client, [leg]))
    assert field in errors, errors
    if message is not None:
        assert errors[field] == [message]


def test_zones_must_be_strings(resident_client, plans):
    errors = _leg_errors(_quote(resident_client, [{"mode": "tram", "zones": ["A", None, {"a": 1}]}]))
    assert errors["zones"] == {"1": ["This field may not be null."], "2": ["Not a valid string."]}


def test_too_many_legs(resident_client, plans):
    response = _quote(resident_client, [{"mode": "walk"}] * 31)
    details = assert_envelope(response, 400, "validation_error")["details"]
    assert details["itinerary"]["legs"] == {"non_field_errors": ["Ensure this field has no more than 30 elements."]}


def test_naive_start_time_is_helsinki_and_shares_the_ticket(resident_client, plans):
    """A naive start time next to an aware one was a 500 (comparing naive and aware datetimes)."""
    response = _quote(resident_client, [
        {"mode": "tram", "start_time": "2026-11-25T08:00:00", "duration_s": 300},
        {"mode": "bus", "start_time": "2026-11-25T08:10:00+02:00", "duration_s": 300},
    ])
    assert response.status_code == 200, response.content
    body = response.json()
    assert [leg["reason"] for leg in body["legs"]] == ["pay_as_you_go", "transfer"]
    assert body["total_cents"] == 295


def test_valid_quote_keeps_its_price(resident_client, plans):
    response = _quote(resident_client, [
        {"mode": "metro", "start_time": "2026-11-25T08:00:00+02:00", "duration_s": 480, "zones": ["A"],
         "from": {"name": "Kalasatama", "lat": 60.187, "lon": 24.977}, "geometry": None},
        {"mode": "walk", "duration_s": 120, "distance_m": 150},
    ])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total_cents"], body["charge_cents"], body["vat_cents"]) == (295, 295, 35)
    assert [leg["reason"] for leg in body["legs"]] == ["pay_as_you_go", "own_means"]


json_scalars = st.none() | st.booleans() | st.integers(-10 ** 25, 10 ** 25) \
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(
    max_size=30)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=10)
leg_keys = st.sampled_from(["mode", "transit", "zones", "start_time", "end_time", "duration_s", "distance_m",
                            "from", "to"])
leg_values = {
    "mode": st.sampled_from(["tram", "metro", "bus", "scooter", "city_bike", "taxi", "walk", "car"]) | json_values,
    "zones": st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), max_size=5) | json_values,
    "start_time": st.datetimes().map(lambda d: d.isoformat()) | st.sampled_from(
        ["2026-11-25T08:00:00+02:00", "2026-11-25T08:00:00", "9999-12-31T23:59:59-12:00"]) | json_values,
    "duration_s": st.integers(-10, 10 ** 7) | json_values,
}
legs = st.lists(st.dictionaries(leg_keys, json_values, max_size=7).flatmap(
    lambda leg: st.fixed_dictionaries({k: leg_values.get(k, st.just(v)) for k, v in leg.items()})), max_size=4)


@hsettings(max_examples=120, derandomize=True, database=None, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(legs=legs)
def test_any_legs_get_a_price_or_a_validation_error(resident_client, plans, legs):
    response = _quote(resident_client, legs)
    if response.status_code == 200:
        body = response.json()
        assert len(body["legs"]) == len(legs)
        for key in ("total_cents", "charge_cents", "covered_cents", "vat_cents"):
            assert isinstance(body[key], int) and 0 <= body[key] < 10 ** 9, (key, body[key])
    else:
        assert_envelope(response, 400, "validation_error")
