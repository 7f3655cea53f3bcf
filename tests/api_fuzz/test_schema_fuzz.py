"""Schema-driven fuzzing (schemathesis) of the whole resident/provider API against a live server on 127.0.0.1.

Every generated request — schema-valid and schema-violating — must get no 5xx, a response matching the
OpenAPI schema (documented status code, content type and body) and, for every 4xx, the error envelope.
Deterministic (hypothesis derandomized, no example database) and bounded (MAX_EXAMPLES per operation and mode).
"""
import json

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maas.accounts import services as accounts
from providers import services as providers

# Every API area. Probes are plain views: test_error_envelope.
PATHS = r"^/api/v1/(auth/|me$|billing/|providers/|vehicles$|stations$|parking/|bookings|plans$|accessibility$)"
MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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
    """Demo-like data: billing plans, HSL city-bike stations, a provider with an API key, a resident's JWT."""
    call_command("load_billing_plans")
    call_command("import_citybike_stations")
    call_command("load_parking_demo")
    call_command("load_transit_demo")
    call_command("build_network", "--no-osm")
    provider = providers.register_provider(name="Fuzz Scooters", kind="scooter")
    _, raw_key = providers.create_api_key(provider, label="fuzz")
    resident = accounts.register_resident(email="fuzz@example.org", password="s3cret-pass-123")
    token = str(RefreshToken.for_user(resident.user).access_token)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    return {"url": live_server.url, "schema": schema.include(path_regex=PATHS), "provider": provider,
            "provider_key": raw_key, "token": token}


def _fuzz_operation(world, operation, mode, statuses):
    """Run MAX_EXAMPLES generated cases of `mode` against `operation`; an AssertionError names the first bad one."""
    kwargs = {"headers": {"Authorization": f"Bearer {world['token']}"}}
    if operation.path == "/api/v1/providers/{provider_id}/availability":
        kwargs = {"headers": {"Authorization": f"Bearer {world['provider_key']}"},
                  "path_parameters": {"provider_id": world["provider"].pk}}

    @hsettings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
               phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode, **kwargs))
    def run(case):
        response = case.call(base_url=world["url"], timeout=30)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)
        problem = _envelope_problem(response)
        assert problem is None, f"{case.method} {case.formatted_path} -> {response.status_code}: {problem}"

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
