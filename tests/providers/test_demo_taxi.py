"""The demo's synthesized taxi provider: registered from its fixture file, booked through the loopback operator."""
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers import selectors
from tests.support.http import free_port

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "providers" / "taxi" / "kalasatama-taxi.json"


@pytest.mark.django_db
def test_fixture_registers_a_bookable_taxi_provider():
    call_command("import_providers", str(FIXTURE))
    call_command("import_providers", str(FIXTURE))  # idempotent: updated by name
    provider = selectors.bookable_taxi_provider()
    assert (provider.name, provider.kind, provider.booking_api_url) == (
        "Kalasatama Taxi (demo)", "taxi", "http://127.0.0.1:8421/tomp")


def test_load_demo_registers_the_taxi_provider():
    from maas.accounts.management.commands.load_demo import DEMO_STEPS

    assert ("import_providers", ["fixtures/providers/taxi/kalasatama-taxi.json"]) in [
        (command, args) for _label, command, args in DEMO_STEPS]


@pytest.mark.django_db
def test_a_file_with_an_unknown_kind_is_refused(tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"providers": [{"name": "X", "kind": "helicopter"}]}))
    with pytest.raises(CommandError, match="kind"):
        call_command("import_providers", str(bad))


def _post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_loopback_operator_always_has_a_taxi():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "tomp_loopback.py"), str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "listening" in process.stdout.readline()  # printed once the socket is bound
        base = f"http://127.0.0.1:{port}/tomp"
        for _ in range(2):  # a second taxi right after the first booking
            status, planning = _post(f"{base}/plannings", {"useAssets": ["any"]})
            (option,) = planning["options"]
            status, booking = _post(f"{base}/bookings", {"id": option["id"], "externalReference": "x"})
            assert (status, booking["state"]) == (201, "CONFIRMED")
    finally:
        process.terminate()
        process.wait(timeout=10)
