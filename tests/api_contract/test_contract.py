"""The OpenAPI contract: generated without warnings, typed, and matching real answers of every operation.

The flow test runs the resident's main flows on demo data (billing plans, HSL city-bike stations, the
Kalasatama timetable moved to the current weeks, parking area, localstripe) and checks every response
body against the schema the API serves; every operation in the schema must have been checked."""
import json
import subprocess
import sys
from pathlib import Path

from django.utils import timezone
from rest_framework.test import APIClient

from maas.accounts import households
from providers import services as providers

from .conftest import HAKANIEMI, KALASATAMA, KAMPPI, this_morning
from .openapi_check import Contract, openapi_document

ROOT = Path(__file__).resolve().parents[2]


def test_schema_generation_has_no_warnings(tmp_path):
    """`manage.py spectacular --fail-on-warn --validate` passes (any drf-spectacular warning fails it)."""
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--validate", "--file", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:",
             "DJANGO_SETTINGS_MODULE": "maas.settings"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Warning" not in result.stderr, result.stderr[-2000:]
    assert out.stat().st_size > 10_000


def test_main_answers_are_typed_and_examples_valid():
    doc = openapi_document()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    plan = paths["/api/v1/plans"]["post"]
    assert plan["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PlanResponse"}
    leg = schemas["Leg"]["properties"]
    assert {"mode", "from", "to", "geometry", "booking", "start_time", "co2_g"} <= set(leg)
    assert schemas[leg["mode"]["$ref"].rsplit("/", 1)[-1]]["enum"][:3] == ["walk", "bike", "city_bike"]
    mode_ref = schemas["PlanRequest"]["properties"]["modes"]["items"]["allOf"][0]["$ref"]
    request_modes = schemas[mode_ref.rsplit("/", 1)[-1]]["enum"]
    assert request_modes == ["bike", "car", "city_bike", "scooter", "taxi", "transit", "walk"]  # what the API accepts
    for example in plan["requestBody"]["content"]["application/json"]["examples"].values():
        body = example["value"]
        assert not ("departure" in body and "arrival" in body), body
        assert set(body.get("modes", [])) <= set(request_modes)
        for point in (body["from"], body["to"]):
            assert 60.1 < point["lat"] < 60.25 and 24.85 < point["lon"] < 25.05, point  # Kalasatama/Kamppi
    for path, method in [("/api/v1/vehicles", "get"), ("/api/v1/stations", "get"), ("/api/v1/billing/usage", "get"),
                         ("/api/v1/billing/quote", "post"), ("/api/v1/accessibility", "post"),
                         ("/api/v1/alerts", "get"), ("/api/v1/stops", "get"),
                         ("/api/v1/stops/{stop_id}/departures", "get"), ("/api/v1/transit/vehicles", "get"),
                         ("/api/v1/me/export", "get")]:
        schema = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (path, schema)
    booking_leg = schemas["BookingCreate"]["properties"]["leg"]
    assert booking_leg["allOf"] == [{"$ref": "#/components/schemas/LegInput"}], booking_leg


def test_real_answers_of_every_operation_match_the_schema(world, localstripe):
    contract = Contract()
    api = APIClient()

    def call(method, template, path=None, data=None, status=None, **extra):
        response = getattr(api, method.lower())(path or template, data, format="json", **extra)
        return contract.check(method, template, response, status)

    call("GET", "/api/v1/", status=200)
    streets = call("GET", "/api/v1/map/streets", status=200)
    assert len(streets["features"]) > 1000 and {f["properties"]["class"] for f in streets["features"]} == {
        "major", "minor"}
    signup = call("POST", "/api/v1/auth/signup", data={"email": "contract@example.org", "password": "s3cret-pass-123",
                                                        "language": "en"}, status=201)
    tokens = call("POST", "/api/v1/auth/token", data={"email": "Contract@Example.org",
                                                      "password": "s3cret-pass-123"}, status=200)
    assert signup["email"] == "contract@example.org" and tokens["access"]
    call("POST", "/api/v1/auth/token", data={"username": "contract@example.org", "password": "wrong"}, status=401)
    refreshed = call("POST", "/api/v1/auth/token/refresh", data={"refresh": tokens["refresh"]}, status=200)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    call("GET", "/api/v1/me", status=200)
    call("PATCH", "/api/v1/me", data={"first_name": "Contract"}, status=200)
    joined = call("POST", "/api/v1/me/household", data={"code": households.issue_join_code(world["household"]).code},
                  status=200)
    assert joined["household"], joined
    call("POST", "/api/v1/me/household/invite", status=201)

    # Billing: plans, a test card (DEBUG), subscribe, change, cancel, resume, usage, invoices, quote.
    plans = call("GET", "/api/v1/billing/plans", status=200)
    codes = [p["code"] for p in plans if not p["is_payg"]]
    call("POST", "/api/v1/billing/payment-methods/setup-intent", status=201)
    card = call("POST", "/api/v1/billing/payment-methods", data={"test_card": "visa"}, status=200)
    assert card["default_payment_method"].startswith("pm_")
    call("POST", "/api/v1/billing/payment-methods", data={}, status=400)
    call("GET", "/api/v1/billing/subscription", status=200)
    call("POST", "/api/v1/billing/subscription", data={"plan": codes[0]}, status=201)
    call("POST", "/api/v1/billing/subscription/change", data={"plan": codes[1]}, status=200)
    call("POST", "/api/v1/billing/subscription/cancel", status=200)
    call("POST", "/api/v1/billing/subscription/resume", status=200)
    call("GET", "/api/v1/billing/usage", status=200)
    call("GET", "/api/v1/billing/invoices", status=200)

    # Plans: today's shifted timetable at 08:00, Kalasatama -> Kamppi; the answer is priced under the plan.
    plan = call("POST", "/api/v1/plans", data={"from": KALASATAMA, "to": KAMPPI, "modes": ["walk", "transit"],
                                               "departure": this_morning()}, status=200)
    assert plan["itineraries"], plan
    transit = next(it for it in plan["itineraries"] if any(leg["transit"] for leg in it["legs"]))
    assert timezone.localdate().isoformat() <= transit["start_time"][:10]
    call("POST", "/api/v1/plans", data={"from": KALASATAMA, "to": KAMPPI, "modes": ["metro"]}, status=400)
    call("POST", "/api/v1/billing/quote", data={"itinerary": transit}, status=200)
    call("POST", "/api/v1/accessibility", data={"origin": KALASATAMA, "minutes": 10, "category": "stops",
                                                "radius_m": 1500}, status=200)
    geo = call("POST", "/api/v1/accessibility", data={"origin": KALASATAMA, "minutes": 10, "category": "stops",
                                                      "radius_m": 1500, "format": "geojson"}, status=200)
    assert geo["type"] == "FeatureCollection"

    # Timetables and real time: stop search, departures, alerts, transit vehicles.
    stops = call("GET", "/api/v1/stops", "/api/v1/stops?q=Kalasatama", status=200)
    stop_id = stops["stops"][0]["id"]
    departures = call("GET", "/api/v1/stops/{stop_id}/departures", f"/api/v1/stops/{stop_id}/departures",
                      status=200)
    assert departures["departures"], departures
    call("GET", "/api/v1/alerts", status=200)
    call("GET", "/api/v1/transit/vehicles", "/api/v1/transit/vehicles?near=60.1873,24.977", status=200)

    # Shared vehicles: a provider pushes, residents read vehicles and stations.
    now = timezone.now().isoformat()
    push = APIClient().post(f"/api/v1/providers/{world['provider'].pk}/availability",
                            {"last_updated": now, "ttl": 60, "vehicles": [
                                {"vehicle_id": "C-1", "lat": 60.1876, "lon": 24.9772, "current_range_meters": 9000}]},
                            format="json", HTTP_AUTHORIZATION=f"Bearer {world['key']}")
    contract.check("POST", "/api/v1/providers/{provider_id}/availability", push, 200)
    vehicles = call("GET", "/api/v1/vehicles", "/api/v1/vehicles?near=60.1873,24.977&radius=300", status=200)
    assert [v["vehicle_id"] for v in vehicles["results"]] == ["C-1"]
    stations = call("GET", "/api/v1/stations", "/api/v1/stations?near=60.1873,24.977&radius=300", status=200)
    assert stations["count"] >= 1
    # Street legs of the other modes are in the closed plan shape too: the scooter just pushed, a taxi.
    scooter = call("POST", "/api/v1/plans", data={"from": KALASATAMA, "to": HAKANIEMI, "modes": ["scooter"]},
                   status=200)
    assert any(leg["mode"] == "scooter" for it in scooter["itineraries"] for leg in it["legs"]), scooter
    providers.register_provider(name="Contract Taxi", kind="taxi", booking_api_url="http://127.0.0.1:9/tomp")
    taxi = call("POST", "/api/v1/plans", data={"from": KALASATAMA, "to": KAMPPI, "modes": ["taxi"]}, status=200)
    assert [leg["mode"] for leg in taxi["itineraries"][0]["legs"]] == ["taxi"], taxi

    # Bookings: a city-bike leg of a real plan, started and finished; the other actions' answers too.
    bike_plan = call("POST", "/api/v1/plans", data={"from": KALASATAMA, "to": HAKANIEMI, "modes": ["city_bike"]},
                     status=200)
    bike_leg = next(leg for it in bike_plan["itineraries"] for leg in it["legs"] if leg["mode"] == "city_bike")
    booking = call("POST", "/api/v1/bookings", data={"leg": bike_leg}, status=201, HTTP_IDEMPOTENCY_KEY="contract-1")
    one = "/api/v1/bookings/{id}"
    call("GET", "/api/v1/bookings", status=200)
    call("GET", one, f"/api/v1/bookings/{booking['id']}", status=200)
    call("POST", one + "/confirm", f"/api/v1/bookings/{booking['id']}/confirm")
    call("POST", one + "/decline", f"/api/v1/bookings/{booking['id']}/decline")
    call("POST", one + "/start", f"/api/v1/bookings/{booking['id']}/start", status=200)
    finished = call("POST", one + "/finish", f"/api/v1/bookings/{booking['id']}/finish", status=200)
    assert finished["state"] == "FINISHED"
    call("POST", one + "/cancel", f"/api/v1/bookings/{booking['id']}/cancel", status=409)

    # Parking: areas, facilities, a permit, P+R availability and a reservation.
    area = call("GET", "/api/v1/parking/areas", status=200)[0]
    call("GET", "/api/v1/parking/facilities", status=200)
    permit = call("POST", "/api/v1/parking/permits", data={"area_id": area["area_id"], "plate": "ABC-123"},
                  status=201)
    call("GET", "/api/v1/parking/permits", status=200)
    call("GET", "/api/v1/parking/permits/{id}", f"/api/v1/parking/permits/{permit['id']}", status=200)
    call("POST", "/api/v1/parking/permits/{id}/cancel", f"/api/v1/parking/permits/{permit['id']}/cancel", status=200)
    day = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    options = call("GET", "/api/v1/parking/park-and-ride",
                   f"/api/v1/parking/park-and-ride?lat=60.1873&lon=24.977&radius_m=3000&day={day}", status=200)
    reservation = call("POST", "/api/v1/parking/park-and-ride/reservations",
                       data={"facility_id": options[0]["facility_id"], "day": day, "plate": "ABC-123"}, status=201)
    call("GET", "/api/v1/parking/park-and-ride/reservations", status=200)
    call("POST", "/api/v1/parking/park-and-ride/reservations/{id}/cancel",
         f"/api/v1/parking/park-and-ride/reservations/{reservation['id']}/cancel", status=200)

    # Stripe webhook: a signed event is acknowledged.
    from tests.stripe_server import sign_webhook
    payload = b'{"id": "evt_contract_1", "type": "customer.created", "created": 1, "data": {"object": {}}}'
    hook = APIClient().post("/api/v1/billing/webhooks/stripe", payload, content_type="application/json",
                            HTTP_STRIPE_SIGNATURE=sign_webhook(payload, localstripe.webhook_secret))
    contract.check("POST", "/api/v1/billing/webhooks/stripe", hook, 200)

    # The resident's data: export, leave the household, change the password, sign out, erase the account.
    exported = call("GET", "/api/v1/me/export", status=200)
    assert "contract@example.org" in json.dumps(exported)
    call("DELETE", "/api/v1/me/household", status=200)
    call("POST", "/api/v1/me/password", data={"old_password": "s3cret-pass-123", "new_password": "n3w-Secret-456"},
         status=204)
    tokens = call("POST", "/api/v1/auth/token", data={"email": "contract@example.org", "password": "n3w-Secret-456"},
                  status=200)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    call("POST", "/api/v1/auth/logout", data={"refresh": refreshed["refresh"]})  # revoked by the password change
    call("POST", "/api/v1/auth/logout", data={"refresh": tokens["refresh"]})
    call("DELETE", "/api/v1/me", data={"password": "n3w-Secret-456"})

    missing = sorted(contract.operations() - contract.checked)
    assert not missing, f"operations without a checked real answer: {missing}"
