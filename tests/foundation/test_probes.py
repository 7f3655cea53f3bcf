"""Liveness and readiness probes against the real PostgreSQL and Redis."""
import pytest
from django.db import connection


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ok_with_postgres_and_redis(client):
    assert connection.vendor == "postgresql"
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_broker_when_redis_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert error["details"]["failing"] == ["broker"]
    assert error["details"]["checks"]["database"] == "ok"
    assert "broker" in error["message"]


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_fails(client, monkeypatch):
    from maas.api import health

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["details"]["failing"] == ["database"]


@pytest.mark.django_db
def test_readyz_message_is_translated(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    sv = client.get("/readyz", HTTP_ACCEPT_LANGUAGE="sv").json()["error"]["message"]
    fi = client.get("/readyz", HTTP_ACCEPT_LANGUAGE="fi").json()["error"]["message"]
    assert sv == "Inte redo: broker är inte tillgänglig."
    assert fi == "Ei valmis: broker ei käytettävissä."
