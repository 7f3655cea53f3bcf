"""Production settings from the environment: `check --deploy` is clean; HTTPS redirect spares the probes;
demo logins only under DEBUG; passwords like the email are refused."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from maas.accounts.management.commands import load_demo

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "STRIPE_API_KEY": "sk_live_x",
              "STRIPE_WEBHOOK_SECRET": "whsec_x", "ALLOWED_HOSTS": "maas.example.org",
              "DATABASE_URL": "postgres://maas@127.0.0.1:5432/maas", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
TUNABLE = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
           "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "TRUSTED_PROXY_COUNT", "DEBUG")


def manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", *TUNABLE}}
    env.update({"DJANGO_SETTINGS_MODULE": "maas.settings", **PRODUCTION, **env_overrides})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_each_setting_comes_from_the_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="false",
                    SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_PROXY_SSL_HEADER, s.REST_FRAMEWORK['NUM_PROXIES'], s.CSRF_TRUSTED_ORIGINS)")
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", *TUNABLE}}
    env.update({"DJANGO_SETTINGS_MODULE": "maas.settings", **PRODUCTION, "TRUSTED_PROXY_COUNT": "1",
                "CSRF_TRUSTED_ORIGINS": "https://maas.example.org"})
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "1", "['https://maas.example.org']"], \
        out.stderr


def test_https_redirect_spares_the_probes(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    resp = client.get("/api/v1/")
    assert resp.status_code == 301 and resp["Location"] == "https://testserver/api/v1/"


@pytest.mark.parametrize("debug,users", [
    (False, []), (True, ["admin", "neighbour@example.org", "resident@example.org"])])
def test_demo_logins_only_under_debug(db, settings, monkeypatch, debug, users):
    monkeypatch.setattr(load_demo, "DEMO_STEPS", [])  # the fixture steps are tested by their apps
    settings.DEBUG = debug
    call_command("load_demo")
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == users


@pytest.mark.django_db
@pytest.mark.parametrize("email,password", [
    ("aino.virtanen@example.org", "aino.virtanen@example.org"),
    ("aino.virtanen@example.org", "Aino.Virtanen@Example.org"),
    ("kalle.korhonen@example.org", "kalle.korhonen"),
])
def test_password_like_the_email_refused(email, password):
    resp = APIClient().post("/api/v1/auth/signup", {"email": email, "password": password}, format="json")
    assert resp.status_code == 400, resp.content
    error = resp.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["password"] == ["The password is too similar to the email address."] or \
        error["details"]["password"] == ["The password is too similar to the username."]
    assert not get_user_model().objects.filter(username=email).exists()
