"""The OpenAPI schema says what validation requires, and validation refuses what the schema forbids: each case
was a schemathesis mismatch (a schema-valid request refused, or a schema-violating one accepted)."""
import base64
import json
import re

import jsonschema_rs
import pytest

from tests.api_fuzz.helpers import assert_envelope

pytestmark = pytest.mark.django_db

NO_NUL = "^[^\\x00]*$"


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _component(schema, name):
    return schema["components"]["schemas"][name]


def _agree(pattern, value):
    """Whether `value` matches `pattern` — asserting that Python's re and a JSON Schema engine agree."""
    python = re.search(pattern, value) is not None
    assert jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(value) == python, value
    return python


def _valid(schema, name, instance):
    """`instance` is valid for component `name` (its $refs resolved in the whole schema)."""
    root = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    return jsonschema_rs.Draft4Validator(root).is_valid(instance)


# --- request strings -------------------------------------------------------------------------------------

def test_request_strings_that_refuse_blank_have_min_length(schema):
    """{"refresh": ""}, {"password": ""}, {"plate": ""} were schema-valid and answered 400 blank."""
    assert _component(schema, "Logout")["properties"]["refresh"]["minLength"] == 1
    assert _component(schema, "TokenRefresh")["properties"]["refresh"]["minLength"] == 1
    assert _component(schema, "LoginRequest")["properties"]["password"]["minLength"] == 1
    assert _component(schema, "Erase")["properties"]["password"]["minLength"] == 1
    assert _component(schema, "PasswordChange")["properties"]["new_password"]["minLength"] == 8
    # DRF trims first: {"refresh": "\x1d"} was schema-valid and answered "This field may not be blank."
    refresh = _component(schema, "Logout")["properties"]["refresh"]["pattern"]
    assert [_agree(refresh, v) for v in ("\x1d", " \u3000 ", "\ufeff", "eyJ", "a\x00")] == \
        [False, False, True, True, False]
    # answers may hold "" (an unnamed resident): a response-only component has no minLength
    assert "minLength" not in _component(schema, "Resident")["properties"]["first_name"]


def test_request_strings_refuse_nul_in_the_schema_too(schema):
    """A NUL in any request string was schema-valid and answered 400 "Null characters are not allowed"."""
    assert _component(schema, "Signup")["properties"]["last_name"]["pattern"] == NO_NUL
    from maas.api.query import TRIMMED_NONBLANK_PATTERN

    assert _component(schema, "QuoteLeg")["properties"]["zones"]["items"]["pattern"] == TRIMMED_NONBLANK_PATTERN
    assert _component(schema, "LegInput")["properties"]["trip_id"]["pattern"] == NO_NUL
    # a field's own pattern stays (it was replaced by NO_NUL: a schema-valid "0" refused as not a slug)
    assert _component(schema, "PlanChoice")["properties"]["plan"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert _component(schema, "SetupIntentChoice")["properties"]["setup_intent"]["pattern"] == "^seti_[A-Za-z0-9_]+$"


def test_new_passwords_say_what_a_schema_can_of_the_validators(schema, api_client):
    password = _component(schema, "Signup")["properties"]["password"]
    assert password["minLength"] == 8 and "400 validation_error" in password["description"]
    assert [_agree(password["pattern"], p) for p in ("12345678", "correct horse", "abc\x00defgh")] == \
        [False, True, False]
    response = api_client.post("/api/v1/auth/signup", {"email": "n@example.org", "password": "12345678"},
                               format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_envelope(response, 400, "validation_error")["details"]["password"][-1] == \
        "This password is entirely numeric."


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/me", {"first_name": 4853}, "first_name"),
    ("/api/v1/me", {"phone": -1872139}, "phone"),
    ("/api/v1/parking/permits", {"area_id": 1, "plate": 123}, "plate"),
])
def test_numbers_for_strings_are_refused(resident_client, path, body, field):
    """DRF's CharField turned 4853 into "4853": a schema-violating PATCH /me was a 200."""
    method = resident_client.patch if path == "/api/v1/me" else resident_client.post
    response = method(path, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_envelope(response, 400, "validation_error")["details"] == {field: ["Not a valid string."]}


# --- cross-field rules and bodies ----------------------------------------------------------------------

def test_cross_field_rules_are_in_the_schema(schema):
    """{"from": {}}, {"password"} without username, {} for payment-methods, PATCH /me {} were schema-valid."""
    cases = {"Point": [({}, False), ({"lat": 60.1}, False), ({"lat": 60.1, "lon": 24.9}, True),
                       ({"stop_id": "H1"}, True)],
             "LoginRequest": [({"password": "x"}, False), ({"password": "x", "email": "a@b.fi"}, True),
                              ({"password": "x", "username": "a"}, True)],
             "SetupIntentChoice": [({}, False), ({"test_card": "visa"}, True), ({"setup_intent": "seti_1"}, True),
                                   ({"test_card": "visa", "setup_intent": "seti_1"}, False)]}
    for name, bodies in cases.items():
        assert [_valid(schema, name, body) for body, _ in bodies] == [valid for _, valid in bodies], name
    profile = _component(schema, "PatchedProfileUpdate")
    assert (profile["minProperties"], profile["additionalProperties"]) == (1, False)
    assert _component(schema, "PlanRequest")["not"] == {"required": ["departure", "arrival"]}
    leg = _component(schema, "LegInput")
    assert leg["additionalProperties"] is False and _component(schema, "Place")["additionalProperties"] is False
    assert leg["properties"]["mode"]["allOf"] == [{"$ref": "#/components/schemas/LegModeEnum"}]
    assert leg["properties"]["start_time"]["oneOf"][0]["format"] == "date-time"
    assert _component(schema, "BookingRef")["properties"]["provider_id"] == {
        "type": "integer", "minimum": 1, "maximum": 2 ** 31 - 1}
    modes = _component(schema, "AccessibilityRequest")["properties"]["modes"]["items"]
    assert _component(schema, modes["allOf"][0]["$ref"].rsplit("/", 1)[1])["enum"] == ["transit", "walk"]


def test_bodies_the_views_need_are_required(schema):
    """Without a body these were schema-valid and answered 400 (PATCH /me, payment-methods) or 415 (push)."""
    paths = schema["paths"]
    for path, method in [("/api/v1/me", "patch"), ("/api/v1/billing/payment-methods", "post"),
                         ("/api/v1/providers/{provider_id}/availability", "post"),
                         ("/api/v1/billing/webhooks/stripe", "post"), ("/api/v1/me", "delete")]:
        assert paths[path][method]["requestBody"]["required"] is True, (method, path)
    # DELETE /me documents its {"password"} body (it was undocumented: every schema-valid DELETE was a 400)
    assert paths["/api/v1/me"]["delete"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Erase"}


def test_webhook_documents_its_signature_and_event(schema):
    operation = schema["paths"]["/api/v1/billing/webhooks/stripe"]["post"]
    assert operation["parameters"][0]["name"] == "Stripe-Signature" and operation["parameters"][0]["required"]
    assert "invalid_signature" in operation["responses"]["400"]["description"]
    event = operation["requestBody"]["content"]["application/json"]["schema"]
    assert event["required"] == ["id", "type", "data"]


def test_profile_is_json_only(resident_client):
    """A form PATCH /me language="" was a 200 that changed nothing (DRF reads a form's empty field as absent)."""
    response = resident_client.patch("/api/v1/me", {"language": ""}, format="multipart")
    assert_envelope(response, 415, "unsupported_media_type")
    assert resident_client.patch("/api/v1/me", {"language": "sv"}, format="json").json()["language"] == "sv"


# --- parameters ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("near", ["60.1,24.9", " 60.1 , 24.9 ", "90,180", "-90.000,-180.0", "060.1,024.9",
                                  "90.0001,0", "0,180.5", "-189165565.9642,-6525228620.1", "1e1,2", "\x0b60,24",
                                  "60,24,", "inf,0", "60.,24"])
def test_near_pattern_is_what_the_server_accepts(resident_client, schema, near):
    """An out-of-range near matched the pattern (400 invalid_near); "1e1,2" or "\\x0b60,24" did not, yet were
    accepted (float() is laxer than the pattern)."""
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/vehicles"]["get"]["parameters"]}
    response = resident_client.get("/api/v1/vehicles", {"near": near})
    assert response.status_code in (200, 400), response.content
    assert (response.status_code == 200) == _agree(params["near"]["pattern"], near), (near, response.content)


def test_cursor_must_be_the_urlsafe_base64_it_was(resident_client, schema):
    """A cursor with characters base64 skips was accepted as if they were not there."""
    cursor = base64.urlsafe_b64encode(json.dumps([1.0, 1, "x"]).encode()).decode()
    assert resident_client.get("/api/v1/vehicles", {"near": "60.1,24.9", "cursor": cursor}).status_code == 200
    response = resident_client.get("/api/v1/vehicles", {"near": "60.1,24.9", "cursor": "!" + cursor})
    assert_envelope(response, 400, "invalid_cursor")
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/vehicles"]["get"]["parameters"]}
    assert _agree(params["cursor"]["pattern"], cursor) and not _agree(params["cursor"]["pattern"], "!" + cursor)


def test_pushed_ids_pattern_reads_the_same_in_every_engine(schema):
    """`\\s` in Python covers \\x1c-\\x1f, in ECMA-262/Rust not: a pushed vehicle_id "\\x1c" was schema-valid
    for clients and a 400 schema_error for the server."""
    vehicle_id = schema["paths"]["/api/v1/providers/{provider_id}/availability"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["oneOf"][0]["properties"]["vehicles"]["items"]["properties"]["vehicle_id"]
    assert "\\s" not in vehicle_id["pattern"]
    assert [_agree(vehicle_id["pattern"], v) for v in ("\x1c", " \u3000\ufeff", "a", " a\x1f", "a\x00")] == \
        [False, False, True, True, False]


def test_plate_pattern_is_what_the_server_accepts(schema, resident_client):
    """A plate like "0" was schema-valid (400 invalid_plate); "ßß-1" became "SSSS-1" (str.upper) and passed."""
    from maas.api.errors import ApiError
    from maas.parking.services import normalize_plate

    pattern = _component(schema, "PermitApply")["properties"]["plate"]["pattern"]
    assert pattern == _component(schema, "ReservationRequest")["properties"]["plate"]["pattern"]
    assert normalize_plate(" abc 123 ") == "ABC-123" and _agree(pattern, " abc 123 ")
    for plate in ("ßß-1", "\tABC-123", "0", "ABC--123"):
        assert not _agree(pattern, plate), plate
        with pytest.raises(ApiError):
            normalize_plate(plate)


def test_idempotency_key_is_printable_ascii_as_documented(schema):
    """"" or " " were schema-valid (400 idempotency_key_required); "nøkkel" was accepted though undocumented."""
    from maas.api.errors import ApiError
    from maas.bookings import idempotency

    header = next(p for p in schema["paths"]["/api/v1/bookings"]["post"]["parameters"]
                  if p["name"] == "Idempotency-Key")["schema"]
    assert header["minLength"] == 1 and header["maxLength"] == 255
    assert idempotency.check_key(" 3f2a-9b ") == "3f2a-9b" and _agree(header["pattern"], "3f2a-9b")
    for key in ("nøkkel", "a\tb"):
        assert not _agree(header["pattern"], key)
        with pytest.raises(ApiError):
            idempotency.check_key(key)


# --- timetable and real-time parameters ------------------------------------------------------------------

@pytest.mark.parametrize("path, code", [
    ("/api/v1/alerts?lang=xx", "unsupported_language"),  # was 200 in Finnish
    ("/api/v1/alerts?lang=", "unsupported_language"),
    ("/api/v1/alerts?route=%EF%BB%BF", "invalid_id"),  # U+FEFF: str.strip() keeps it, ECMA's \s does not
    ("/api/v1/transit/vehicles?trip=hsl:1&radius=0", "invalid_radius"),  # radius was ignored with trip
    ("/api/v1/transit/vehicles?near=1e1,2", "invalid_near"),  # float() took it, the pattern does not
    ("/api/v1/stops?q=ab&radius=0", "invalid_radius"),  # radius was ignored with q
    ("/api/v1/stops?q=a%EF%BB%BF", "invalid_q"),
    ("/api/v1/stops?near=1e1,2", "invalid_near"),
    ("/api/v1/stops?q=ab&limit=", "invalid_limit"),  # "" was the default
    ("/api/v1/stops?near=&q=ab", "query_required"),  # "" was no near: q alone was answered
    ("/api/v1/stops?q=", "invalid_q"),
    ("/api/v1/stops/X/departures?limit=", "invalid_limit"),
])
def test_parameters_the_schema_refuses_are_refused(resident_client, path, code):
    assert_envelope(resident_client.get(path, HTTP_ACCEPT_LANGUAGE="en"), 400, code)


def test_timetable_and_realtime_parameters_are_constrained(schema):
    from maas.api import query

    def params(path):
        return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}

    assert params("/api/v1/alerts")["route"] == {"type": "string", "maxLength": 200,
                                                 "pattern": query.VISIBLE_PATTERN}
    assert params("/api/v1/transit/vehicles")["near"]["pattern"] == query.NEAR_PATTERN
    stops = params("/api/v1/stops")
    assert stops["near"]["pattern"] == query.NEAR_PATTERN and stops["q"]["pattern"] == query.TWO_VISIBLE_PATTERN
    assert (stops["radius"]["minimum"], stops["radius"]["maximum"], stops["limit"]["maximum"]) == (1, 5000, 100)
    departures = params("/api/v1/stops/{stop_id}/departures")
    assert departures["limit"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert departures["time"]["format"] == "date-time"
    assert [_agree(query.TWO_VISIBLE_PATTERN, q) for q in ("ab", " a ", "a\ufeff", "a b", "a\x00b")] == \
        [True, False, False, True, False]
