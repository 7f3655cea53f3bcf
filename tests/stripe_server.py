"""pytest plugin: localstripe on 127.0.0.1 (a free port) as a subprocess for the test session.

Request the session fixture ``localstripe`` (a ``LocalStripe`` with ``.url``); it points
``settings.STRIPE_API_BASE`` and ``stripe.api_base`` at the server and sets a known
``STRIPE_API_KEY`` / ``STRIPE_WEBHOOK_SECRET``. ``sign_webhook(payload, secret)`` builds a
``Stripe-Signature`` header the way Stripe (and localstripe) sign webhooks.

Registered in tests/conftest.py with ``pytest_plugins = ["tests.stripe_server"]``.
"""
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass

import pytest

from tests.support.http import free_port

API_KEY = "sk_test_localstripe_tests"
WEBHOOK_SECRET = "whsec_localstripe_tests"

# Runs localstripe's aiohttp app bound to loopback only (its own `start()` binds every
# interface), without the pickle file it shares in /tmp with any other localstripe.
_LAUNCHER = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


@dataclass
class LocalStripe:
    url: str
    process: subprocess.Popen
    api_key: str = API_KEY
    webhook_secret: str = WEBHOOK_SECRET

    def flush(self):
        """Delete every object localstripe holds."""
        request = urllib.request.Request(self.url + "/_config/data", method="DELETE")
        urllib.request.urlopen(request, timeout=5).close()

    def register_webhook(self, hook_id, url, secret=WEBHOOK_SECRET, events=None):
        """Make localstripe POST its events (all, or the `events` types) to `url`, signed with `secret`.

        Registering the same `hook_id` again replaces the hook (there is no delete).
        """
        body = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = list(events)
        data = json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_config/webhooks/{hook_id}", data=data, method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=5).close()


def start_localstripe(timeout_s=20.0):
    """Start localstripe on 127.0.0.1 and wait until it accepts connections."""
    port = free_port()
    log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block the server
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(port)],
        stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"localstripe exited: {log.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return LocalStripe(url=f"http://127.0.0.1:{port}", process=process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start in time")


def sign_webhook(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value for `payload`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), b"%d." % timestamp + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def point_stripe_at(server):
    """Point Django's Stripe settings and the stripe module at a running localstripe."""
    import stripe
    from django.conf import settings

    settings.STRIPE_API_BASE = stripe.api_base = server.url
    settings.STRIPE_API_KEY = stripe.api_key = server.api_key
    settings.STRIPE_WEBHOOK_SECRET = server.webhook_secret


@pytest.fixture(scope="session")
def localstripe():
    """A localstripe server for the session; Stripe settings point at it."""
    import stripe
    from django.conf import settings

    server = start_localstripe()
    saved = {name: getattr(settings, name, None) for name in
             ("STRIPE_API_BASE", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET")}
    saved_base, saved_key = stripe.api_base, stripe.api_key
    point_stripe_at(server)
    try:
        yield server
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        stripe.api_base, stripe.api_key = saved_base, saved_key
        server.process.terminate()
        try:
            server.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.process.kill()
