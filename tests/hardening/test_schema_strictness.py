"""Input the OpenAPI schema calls invalid is refused (schemathesis found these accepted): empty enum/date
query values and a number where the schema says string."""
import pytest


@pytest.mark.parametrize("url,code,field", [
    ("/api/v1/bookings?state=", "invalid_state", None),
    ("/api/v1/vehicles?near=60.1875,24.977&kind=", "invalid_kind", None),
    ("/api/v1/stations?near=60.1875,24.977&kind=", "invalid_kind", None),
    ("/api/v1/parking/park-and-ride?lat=60.19&lon=24.98&day=", "validation_error", "day"),
    ("/api/v1/parking/park-and-ride?lat=60.19&lon=24.98&radius_m=", "validation_error", "radius_m"),
])
def test_empty_query_values_refused(resident_client, url, code, field):
    resp = resident_client.get(url)
    assert resp.status_code == 400, resp.content
    error = resp.json()["error"]
    assert error["code"] == code
    if field:
        assert error["details"] == {field: ["This field may not be blank."]}


def test_quote_zone_must_be_a_string(resident_client):
    leg = {"mode": "tram", "transit": True, "start_time": "2026-03-02T08:00:00+02:00",
           "end_time": "2026-03-02T08:20:00+02:00", "duration_s": 1200, "distance_m": 5000}
    resp = resident_client.post("/api/v1/billing/quote", {"itinerary": {"legs": [{**leg, "zones": [0]}]}},
                                format="json")
    assert resp.status_code == 400, resp.content
    assert resp.json()["error"]["code"] == "validation_error"
    assert "zones" in str(resp.json()["error"]["details"])
