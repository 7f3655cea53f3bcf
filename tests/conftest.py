"""Shared fixtures: API clients and residents."""
import pytest
from django.test.client import RequestFactory
from rest_framework.test import APIClient

from maas.accounts import services as accounts

pytest_plugins = ["tests.stripe_server"]


@pytest.fixture(autouse=True)
def _english_unless_the_test_says_otherwise(monkeypatch):
    """Test clients send `Accept-Language: en` unless a test sets the header; HTTP_ACCEPT_LANGUAGE="" sends
    none, so the project's own fallback (the resident's profile, then Finnish) answers."""
    base_environ = RequestFactory._base_environ

    def with_language(self, **request):
        environ = base_environ(self, **request)
        environ.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        return environ

    monkeypatch.setattr(RequestFactory, "_base_environ", with_language)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def make_resident(db):
    """Factory: a resident (user + profile) with a unique email."""
    counter = {"n": 0}

    def make(email=None, **kwargs):
        counter["n"] += 1
        return accounts.register_resident(
            email=email or f"resident{counter['n']}@example.org", password="s3cret-pass-123", **kwargs
        )

    return make


@pytest.fixture
def resident(make_resident):
    return make_resident()


@pytest.fixture
def resident_client(resident):
    """An API client authenticated as `resident` (JWT)."""
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(resident.user).access_token}")
    client.resident = resident
    return client


@pytest.fixture
def billing_plans(db):
    """The billing plans of fixtures/ (load_billing_plans), by code."""
    from django.core.management import call_command

    from billing.models import Plan

    call_command("load_billing_plans", verbosity=0)
    return {plan.code: plan for plan in Plan.objects.all()}
