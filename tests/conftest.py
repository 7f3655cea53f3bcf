"""Shared fixtures: API clients and residents."""
import pytest
from rest_framework.test import APIClient

from maas.accounts import services as accounts

pytest_plugins = ["tests.stripe_server"]


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
