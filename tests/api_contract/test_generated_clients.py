"""Clients generated from the served OpenAPI schema, as a mobile team would: a Python client
(openapi-python-client) driving a resident's journey against a live gunicorn on 127.0.0.1, and TypeScript
types (openapi-typescript) type-checked with tsc against tests/api_contract/ts/journey.ts. A breaking schema
change (a renamed field, a removed operation, a changed enum) fails one of them."""
import importlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.support.http import free_port

from .conftest import HAKANIEMI, KALASATAMA, KAMPPI, this_morning
from .openapi_check import openapi_document

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "node_modules" / ".bin"


def _write_schema(directory: Path) -> Path:
    path = directory / "openapi.json"
    path.write_text(json.dumps(openapi_document(), indent=1))
    return path


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{cmd[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def generate_python_client(directory: Path):
    """openapi-python-client generate → an importable package `maas_client` under `directory`."""
    schema = _write_schema(directory)
    _run([str(BIN / "openapi-python-client"), "generate", "--path", str(schema), "--output-path",
          str(directory / "maas_client"), "--meta", "none", "--overwrite"])
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module("maas_client")
    finally:
        sys.path.remove(str(directory))


@pytest.fixture
def live_gunicorn(world, localstripe):
    """gunicorn on 127.0.0.1 serving the test database (the world's data is committed)."""
    db = connection.settings_dict
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maas.test_settings", "DEBUG": "true",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "CELERY_TASK_ALWAYS_EAGER": "true", "STRIPE_API_BASE": localstripe.url,
           "STRIPE_API_KEY": localstripe.api_key, "STRIPE_WEBHOOK_SECRET": localstripe.webhook_secret}
    process = subprocess.Popen([str(BIN / "gunicorn"), "maas.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                "--threads", "4", "--timeout", "120"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:  # gunicorn has no readiness signal: wait until it accepts connections
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()[-3000:]
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def test_resident_journey_through_the_generated_python_client(tmp_path, live_gunicorn, world):
    """Sign up, join a household (a member's invite code), add a card, subscribe, plan, book a city-bike leg,
    start and finish it, apply for a parking permit, export one's data — every call through the generated
    client, every answer parsed into its generated model."""
    mc = generate_python_client(tmp_path)
    from maas_client.api.auth import auth_signup_create, auth_token_create
    from maas_client.api.billing import billing_payment_methods_create, billing_subscription_create
    from maas_client.api.bookings import bookings_create, bookings_finish_create, bookings_start_create
    from maas_client.api.me import (
        me_export_retrieve,
        me_household_create,
        me_household_invite_create,
        me_retrieve,
    )
    from maas_client.api.parking import parking_areas_list, parking_permits_create
    from maas_client.api.plans import plans_create
    from maas_client.models import (
        BookingCreate,
        JoinHousehold,
        LanguageEnum,
        LegInput,
        LoginRequest,
        PermitApply,
        PlanChoice,
        PlanRequest,
        PlanResponse,
        SetupIntentChoice,
        Signup,
        TestCardEnum,
        TravelModeEnum,
    )

    anonymous = mc.Client(base_url=live_gunicorn, raise_on_unexpected_status=True, timeout=60)
    email = f"journey-{uuid.uuid4().hex[:8]}@example.org"
    signup = auth_signup_create.sync(client=anonymous, body=Signup(email=email, password="journey-pass-123",
                                                                    language=LanguageEnum.EN))
    assert signup.email == email and signup.access
    tokens = auth_token_create.sync(client=anonymous, body=LoginRequest(email=email, password="journey-pass-123"))
    api = mc.AuthenticatedClient(base_url=live_gunicorn, token=tokens.access, raise_on_unexpected_status=True,
                                 timeout=60)
    assert me_retrieve.sync(client=api).email == email

    # A member of the household invites; the new resident joins with the one-time code.
    from maas.accounts import services as accounts
    accounts.register_resident(email="member@example.org", password="member-pass-123",
                               household=world["household"])
    member_tokens = auth_token_create.sync(client=anonymous, body=LoginRequest(username="member@example.org",
                                                                                password="member-pass-123"))
    member = mc.AuthenticatedClient(base_url=live_gunicorn, token=member_tokens.access,
                                    raise_on_unexpected_status=True, timeout=60)
    invite = me_household_invite_create.sync(client=member)
    joined = me_household_create.sync(client=api, body=JoinHousehold(code=invite.code))
    assert joined.household_detail.id == world["household"].pk, joined.to_dict()

    card = billing_payment_methods_create.sync(client=api, body=SetupIntentChoice(test_card=TestCardEnum.VISA))
    assert card.default_payment_method.startswith("pm_")
    subscription = billing_subscription_create.sync(client=api, body=PlanChoice(plan="urban")).subscription
    assert subscription.plan.code == "urban" and subscription.status == "active"

    modes = [TravelModeEnum.WALK, TravelModeEnum.TRANSIT]
    plan = plans_create.sync(client=api, body=PlanRequest.from_dict(
        {"from": KALASATAMA, "to": KAMPPI, "modes": [m.value for m in modes], "departure": this_morning()}))
    assert isinstance(plan, PlanResponse) and plan.itineraries
    metro = next(it for it in plan.itineraries if any(leg.mode.value == "metro" for leg in it.legs))
    assert metro.price.plan_code == "urban" and metro.price.charge_cents == 0, metro.price.to_dict()

    bike_plan = plans_create.sync(client=api, body=PlanRequest.from_dict(
        {"from": KALASATAMA, "to": HAKANIEMI, "modes": [TravelModeEnum.CITY_BIKE.value]}))
    bike_leg = next(leg for it in bike_plan.itineraries for leg in it.legs if leg.mode.value == "city_bike")
    assert bike_leg.booking.provider_id and bike_leg.booking.station_id
    booking = bookings_create.sync(client=api, idempotency_key=uuid.uuid4().hex,
                                   body=BookingCreate(leg=LegInput.from_dict(bike_leg.to_dict())))
    assert booking.mode == "city_bike" and booking.state.value in ("CONFIRMED", "CONDITIONAL_CONFIRMED")
    started = bookings_start_create.sync(booking.id, client=api)
    assert started.state.value == "STARTED"
    finished = bookings_finish_create.sync(booking.id, client=api)
    assert finished.state.value == "FINISHED" and [e.to_state for e in finished.events][-1] == "FINISHED"

    area = parking_areas_list.sync(client=api)[0]
    permit = parking_permits_create.sync(client=api, body=PermitApply(area_id=area.area_id, plate="JRN-101"))
    assert permit.plate == "JRN-101" and permit.status.value in ("granted", "waitlisted")

    exported = me_export_retrieve.sync(client=api).to_dict()
    text = json.dumps(exported)
    assert email in text and "JRN-101" in text and str(booking.id) in text, text[:2000]


def test_typescript_types_generated_and_type_checked(tmp_path):
    """openapi-typescript → api.d.ts; tsc --strict checks tests/api_contract/ts/journey.ts against it."""
    schema = _write_schema(tmp_path)
    types_dir = tmp_path / "ts"
    types_dir.mkdir()
    _run([str(NODE_BIN / "openapi-typescript"), str(schema), "--default-non-nullable", "false", "-o",
          str(types_dir / "api.d.ts")], cwd=ROOT)  # fields with a default stay optional in requests
    (types_dir / "journey.ts").write_text((ROOT / "tests" / "api_contract" / "ts" / "journey.ts").read_text())
    _run([str(NODE_BIN / "tsc"), "--strict", "--noEmit", "--target", "es2022", "--lib", "es2022,dom",
          "--module", "es2022", "--moduleResolution", "bundler", str(types_dir / "journey.ts")], cwd=ROOT)
    # tsc really checks: a field the schema does not have is a type error.
    (types_dir / "journey.ts").write_text((types_dir / "journey.ts").read_text()
                                          .replace("leg.start_time", "leg.departure_time"))
    broken = subprocess.run([str(NODE_BIN / "tsc"), "--strict", "--noEmit", "--target", "es2022", "--lib",
                             "es2022,dom", "--module", "es2022", "--moduleResolution", "bundler",
                             str(types_dir / "journey.ts")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert broken.returncode != 0 and "departure_time" in broken.stdout, broken.stdout[-2000:]
