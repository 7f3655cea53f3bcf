"""Properties of price_itinerary over generated itineraries: integer cents and consistent totals."""
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import selectors

MODES = ["walk", "bike", "car", "tram", "metro", "bus", "rail", "ferry", "city_bike", "scooter", "taxi"]
BASE = datetime.fromisoformat("2026-11-25T07:00:00+02:00")

legs = st.lists(st.tuples(
    st.sampled_from(MODES), st.integers(0, 180), st.integers(0, 150), st.integers(0, 30_000),
    st.sampled_from([None, ["A"], ["A", "B"], ["B", "C"], ["A", "B", "C"], ["D"]]),
), min_size=0, max_size=7)


def itinerary(spec):
    return {"legs": [{"mode": mode, "start_time": (BASE + timedelta(minutes=offset)).isoformat(),
                      "duration_s": minutes * 60, "distance_m": distance, "zones": zones}
                     for mode, offset, minutes, distance, zones in spec]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=legs, plan=st.sampled_from([None, "urban", "unlimited"]))
def test_prices_are_consistent_integers(billing_plans, make_resident, subscribe_locally, spec, plan):
    user = make_resident().user
    if plan:
        subscribe_locally(user, plan)
    price = selectors.price_itinerary(user, itinerary(spec))
    payg = selectors.price_itinerary(None, itinerary(spec))
    for result in (price, payg):
        assert len(result["legs"]) == len(spec)
        for key in ("total_cents", "charge_cents", "covered_cents", "vat_cents"):
            assert type(result[key]) is int and result[key] >= 0
        assert result["covered_cents"] + result["charge_cents"] == result["total_cents"]
        assert result["vat_cents"] <= result["charge_cents"]
        assert sum(p["charge_cents"] for p in result["legs"]) == result["charge_cents"]
        for p in result["legs"]:
            assert 0 <= p["charge_cents"] <= p["price_cents"]
            assert type(p["price_cents"]) is int and type(p["vat_cents"]) is int
    # a plan never makes a trip dearer than pay-as-you-go, and list prices do not depend on the plan
    assert price["charge_cents"] <= payg["charge_cents"]
    assert price["total_cents"] == payg["total_cents"]
    if plan is None:
        assert price == payg
