"""Throttles: login per IP and per account, sign-up and token refresh per IP, every anonymous request per IP;
429 `throttled` in the error envelope with Retry-After; counters shared between server processes."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from maas.api.throttling import DEFAULT_RATES
from tests.support.http import free_port

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/api/v1/auth/token"


@pytest.fixture
def rates(settings):
    """Set some scopes' rates (the rest far above what a test sends) on an empty cache."""
    cache.clear()

    def set_rates(**scoped):
        settings.API_THROTTLE_RATES = {**{s: "100000/minute" for s in DEFAULT_RATES}, **scoped}

    yield set_rates
    cache.clear()


def login(username, password="wrong-password-1", ip="203.0.113.7", **extra):
    return APIClient().post(LOGIN, {"username": username, "password": password}, format="json",
                            REMOTE_ADDR=ip, **extra)


def assert_throttled(resp, language="en"):
    assert resp.status_code == 429, resp.content[:300]
    error = resp.json()["error"]
    seconds = int(resp["Retry-After"])
    assert error["code"] == "throttled" and error["details"] == {"retry_after_seconds": seconds}
    assert 0 < seconds <= 3600
    expected = {"en": f"Too many requests. Try again in {seconds} seconds.",
                "fi": f"Liian monta pyyntöä. Yritä uudelleen {seconds} sekunnin kuluttua.",
                "sv": f"För många förfrågningar. Försök igen om {seconds} sekunder."}[language]
    assert error["message"] == expected


def test_login_per_account_across_ips(rates, make_resident):
    rates(login_account="3/hour")
    make_resident(email="aino@example.org")
    for i in range(3):  # a guesser rotating addresses
        assert login("aino@example.org", ip=f"198.51.100.{i}").status_code == 401
    assert_throttled(login("Aino@Example.org ", ip="198.51.100.9"))
    # the right password does not get through either until the window ends ...
    assert_throttled(login("aino@example.org", "s3cret-pass-123", ip="198.51.100.10"))
    # ... while other accounts are unaffected
    assert login("other@example.org", ip="198.51.100.9").status_code == 401


def test_login_per_ip_and_forwarded_for_is_not_trusted(rates, db):
    rates(login_ip="3/hour")
    for i in range(3):
        assert login(f"user{i}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code == 401
    assert_throttled(login("user9@example.org", HTTP_X_FORWARDED_FOR="192.0.2.99"))
    assert login("user9@example.org", ip="203.0.113.8").status_code == 401  # another client


def test_trusted_proxy_count_reads_the_client_from_forwarded_for(rates, settings, db):
    rates(login_ip="2/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(2):
        assert login("a@example.org", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 401
    assert_throttled(login("a@example.org", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1"))
    assert login("a@example.org", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 401


@pytest.mark.django_db
def test_signup_per_ip(rates):
    rates(signup_ip="2/hour")
    client = APIClient(REMOTE_ADDR="203.0.113.20")
    for i in range(2):
        resp = client.post("/api/v1/auth/signup", {"email": f"new{i}@example.org", "password": "Kalasatama-2026!"},
                           format="json")
        assert resp.status_code == 201, resp.content
    assert_throttled(client.post("/api/v1/auth/signup", {"email": "new9@example.org", "password": "Kalasatama-2026!"},
                                 format="json", HTTP_ACCEPT_LANGUAGE="fi"), "fi")


def test_token_refresh_per_ip(rates, resident):
    rates(refresh_ip="2/hour")
    refresh = str(RefreshToken.for_user(resident.user))
    client = APIClient(REMOTE_ADDR="203.0.113.30")
    for _ in range(2):
        resp = client.post("/api/v1/auth/token/refresh", {"refresh": refresh}, format="json")
        assert resp.status_code == 200, resp.content
        refresh = resp.json().get("refresh", refresh)  # rotated refresh tokens are used once
    assert_throttled(client.post("/api/v1/auth/token/refresh", {"refresh": refresh}, format="json",
                                 HTTP_ACCEPT_LANGUAGE="sv"), "sv")


@pytest.mark.django_db
def test_other_anonymous_requests_per_ip(rates):
    rates(anon="3/minute")
    client = APIClient(REMOTE_ADDR="203.0.113.40")
    statuses = [client.post("/api/v1/providers/1/availability", {}, format="json").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]  # no key: refused, but counted
    assert_throttled(client.get("/api/v1/billing/plans"))


def test_authenticated_requests_per_user(rates, resident_client):
    rates(user="2/minute")
    assert [resident_client.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    assert_throttled(resident_client.get("/api/v1/me"))


def _serve(port, env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "maas.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return proc
        except requests.RequestException:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("gunicorn did not start")


def test_counters_are_shared_between_server_processes(transactional_db):
    """Two gunicorn servers (separate processes) on one Redis cache: 3 + 2 logins reach the limit of 4."""
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "maas.settings", "DEBUG": "false",
        "SECRET_KEY": "throttle-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "STRIPE_API_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x", "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": broker, "CACHE_KEY_PREFIX": f"throttle-test-{os.getpid()}-{time.time_ns()}",
        "API_THROTTLE_RATES": "login_account=4/hour", "CELERY_BROKER_URL": broker,
    })
    servers = [(port := free_port(), _serve(port, env)) for _ in range(2)]
    try:
        def attempt(port):
            return requests.post(f"http://127.0.0.1:{port}{LOGIN}", json={"username": "x@example.org",
                                                                        "password": "nope-nope-1"}, timeout=10)
        first, second = servers[0][0], servers[1][0]
        assert [attempt(first).status_code for _ in range(3)] == [401, 401, 401]
        assert attempt(second).status_code == 401
        resp = attempt(second)
        assert resp.status_code == 429 and resp.json()["error"]["code"] == "throttled"
        assert int(resp.headers["Retry-After"]) > 0
        assert attempt(first).status_code == 429
    finally:
        for _port, proc in servers:
            proc.terminate()
            proc.wait(timeout=20)


def test_a_redis_counter_counts_up_and_expires_with_its_window():
    """On Redis the counter is created with the window's time to live and counted in one script call."""
    from django.core.cache.backends.redis import RedisCache

    from maas.api.throttling import _count

    redis_cache = RedisCache(os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
                             {"KEY_PREFIX": f"throttle-unit-{os.getpid()}-{time.time_ns()}"})
    key = "throttle:user:1:12345"
    try:
        assert [_count(redis_cache, key, 61) for _ in range(3)] == [1, 2, 3]
        client = redis_cache._cache.get_client(key, write=True)
        assert 0 < client.ttl(redis_cache.make_and_validate_key(key)) <= 61
        assert redis_cache.get(key) == 3  # still a plain counter for Django's cache API
    finally:
        redis_cache.delete(key)
