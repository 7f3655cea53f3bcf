"""Sign-up/login with JWT, the error envelope, i18n of errors, the OpenAPI schema."""
import pytest

pytestmark = pytest.mark.django_db


def test_signup_login_and_me(api_client):
    response = api_client.post(
        "/api/v1/auth/signup",
        {"email": "Aino@Example.org", "password": "kalasatama-2026", "first_name": "Aino", "language": "sv"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "aino@example.org"
    assert response.json()["access"]

    token = api_client.post(
        "/api/v1/auth/token", {"username": "aino@example.org", "password": "kalasatama-2026"}, format="json"
    )
    assert token.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    me = api_client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "aino@example.org"
    assert me.json()["language"] == "sv"


def test_duplicate_signup_is_a_validation_error_with_field_details(api_client, resident):
    email = resident.user.email
    response = api_client.post("/api/v1/auth/signup", {"email": email, "password": "kalasatama-2026"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "Invalid input."
    assert "email" in error["details"]


def test_weak_password_rejected(api_client):
    response = api_client.post("/api/v1/auth/signup", {"email": "x@example.org", "password": "12345678"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]


def test_unauthenticated_gets_envelope(api_client):
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_error_message_in_swedish_and_finnish(api_client):
    sv = api_client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="sv")
    fi = api_client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="fi")
    en = api_client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["error"]["message"] == "Authentication credentials were not provided."
    assert sv.json()["error"]["message"] == "Autentiseringsuppgifter ej tillhandahållna."
    assert fi.json()["error"]["message"] == "Autentikaatiotunnuksia ei annettu."
    bad = api_client.post("/api/v1/auth/signup", {"email": "nope"}, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert bad.json()["error"]["message"] == "Ogiltig inmatning."


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_and_docs(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/signup" in paths and "/api/v1/me" in paths
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_api_root_lists_links(client):
    body = client.get("/api/v1/").json()
    assert body["docs"].endswith("/api/v1/docs/")
    assert body["signup"].endswith("/api/v1/auth/signup")
