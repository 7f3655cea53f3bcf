"""Bad input gets a clear, specific error in the envelope: JWT errors, 405, malformed JSON, oversized bodies."""
import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.api_fuzz.helpers import assert_envelope

pytestmark = pytest.mark.django_db


def _bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# --- JWT errors -> 401 with simplejwt's code and a plain message (was a Python dict repr) ---------------

def test_garbage_token_is_401_token_not_valid():
    response = _bearer("garbage").get("/api/v1/me")
    error = assert_envelope(response, 401, "token_not_valid")
    assert error["message"] == "Given token not valid for any token type"
    assert error["details"] == {"messages": ["Token is invalid"]}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401_naming_expiry(resident):
    token = AccessToken.for_user(resident.user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=2))
    response = _bearer(str(token)).get("/api/v1/me")
    error = assert_envelope(response, 401, "token_not_valid")
    assert error["details"] == {"messages": ["Token is expired"]}


def test_expired_token_message_in_swedish_and_finnish(resident):
    token = AccessToken.for_user(resident.user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=2))
    sv = _bearer(str(token)).get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="sv")
    fi = _bearer(str(token)).get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="fi")
    assert assert_envelope(sv, 401)["message"] == "Givet token är inte giltigt för någon tokentyp"
    assert assert_envelope(fi, 401)["message"] == "Annettu tunniste ei kelpaa millekään tunnistetyypille"
    assert assert_envelope(fi, 401)["details"] == {"messages": ["Tunniste on vanhentunut"]}


def test_bearer_without_token_is_bad_authorization_header():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    error = assert_envelope(client.get("/api/v1/me"), 401, "bad_authorization_header")
    assert error["message"] == "Authorization header must contain two space-delimited values"


def test_token_of_deleted_user_is_user_not_found(resident):
    token = str(AccessToken.for_user(resident.user))
    resident.user.delete()
    error = assert_envelope(_bearer(token).get("/api/v1/me"), 401, "user_not_found")
    assert error["message"] == "User not found"


def test_refresh_with_garbage_or_an_access_token(resident, api_client):
    garbage = api_client.post("/api/v1/auth/token/refresh", {"refresh": "garbage"}, format="json")
    assert assert_envelope(garbage, 401, "token_not_valid")["message"] == "Token is invalid"
    access = str(RefreshToken.for_user(resident.user).access_token)
    wrong = api_client.post("/api/v1/auth/token/refresh", {"refresh": access}, format="json")
    assert assert_envelope(wrong, 401, "token_not_valid")["message"] == "Token has wrong type"


def test_wrong_password_is_401_in_envelope(resident, api_client):
    response = api_client.post("/api/v1/auth/token", {"username": resident.user.username, "password": "nope-nope"},
                               format="json")
    error = assert_envelope(response, 401, "no_active_account")
    assert error["message"] == "No active account found with the given credentials"


def test_provider_push_with_a_resident_jwt_is_invalid_api_key(resident):
    token = str(RefreshToken.for_user(resident.user).access_token)
    response = _bearer(token).post("/api/v1/providers/1/availability", {}, format="json")
    assert_envelope(response, 401, "invalid_api_key")


# --- 405 -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("put", "/api/v1/me"), ("put", "/api/v1/billing/plans"), ("get", "/api/v1/billing/quote"),
    ("get", "/api/v1/auth/signup"), ("patch", "/api/v1/stations"),
])
def test_method_not_allowed_on_api_views(resident_client, method, path):
    response = getattr(resident_client, method)(path)
    error = assert_envelope(response, 405, "method_not_allowed")
    assert error["message"] == f'Method "{method.upper()}" not allowed.'


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_405_not_a_csrf_page(client, method, path):
    """POST /healthz used to be Django's HTML CSRF 403 page."""
    response = getattr(client.__class__(enforce_csrf_checks=True), method)(path)
    error = assert_envelope(response, 405, "method_not_allowed")
    assert error["details"] == {"allowed": ["GET", "HEAD"]}
    assert response["Allow"] == "GET, HEAD"


def test_probe_405_in_swedish(client):
    response = client.post("/healthz", HTTP_ACCEPT_LANGUAGE="sv")
    assert assert_envelope(response, 405)["message"] == 'Metoden "POST" är inte tillåten.'


def test_probes_still_answer_get_and_head(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200


# --- malformed bodies ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/auth/signup", "/api/v1/auth/token", "/api/v1/billing/quote",
                                  "/api/v1/billing/subscription"])
@pytest.mark.parametrize("body", [b"{bad", b'{"email": "x"', b'{"email": "\xff\xfe"}', b"[1,"])
def test_malformed_json_is_parse_error(resident_client, path, body):
    response = resident_client.post(path, body, content_type="application/json")
    error = assert_envelope(response, 400, "parse_error")
    assert error["message"].startswith("JSON parse error")


def test_json_of_the_wrong_shape_is_a_validation_error(resident_client):
    response = resident_client.post("/api/v1/billing/quote", "[1, 2]", content_type="application/json")
    error = assert_envelope(response, 400, "validation_error")
    assert error["details"] == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


def test_unsupported_media_type_and_not_acceptable(resident_client):
    plain = resident_client.post("/api/v1/billing/quote", "x", content_type="text/plain")
    assert assert_envelope(plain, 415, "unsupported_media_type")["message"] == (
        'Unsupported media type "text/plain" in request.')
    xml = resident_client.get("/api/v1/me", HTTP_ACCEPT="application/xml")
    assert_envelope(xml, 406, "not_acceptable")


# --- oversized bodies (were 500 server_error: RequestDataTooBig escaped the handler) -----------------------

@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
@pytest.mark.parametrize("path", ["/api/v1/auth/signup", "/api/v1/billing/quote", "/api/v1/auth/token"])
def test_oversized_json_body_is_413(resident_client, path):
    body = json.dumps({"email": "a@example.org", "itinerary": {"legs": [{"mode": "walk"}] * 400}})
    assert len(body) > 2048
    error = assert_envelope(resident_client.post(path, body, content_type="application/json"), 413,
                            "payload_too_large")
    assert error["details"] == {"max_bytes": 2048}
    assert error["message"] == "The request body is too large."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_oversized_form_body_is_413(api_client):
    body = "email=a%40example.org&password=" + "x" * 4000
    response = api_client.post("/api/v1/auth/signup", body, content_type="application/x-www-form-urlencoded")
    assert_envelope(response, 413, "payload_too_large")


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_too_many_form_fields_is_400(api_client):
    body = "&".join(f"f{i}=1" for i in range(20))
    response = api_client.post("/api/v1/auth/signup", body, content_type="application/x-www-form-urlencoded")
    assert_envelope(response, 400, "bad_request")


def test_just_under_the_limit_is_processed(api_client):
    """The limit is DATA_UPLOAD_MAX_MEMORY_SIZE, not something smaller: a normal sign-up passes."""
    response = api_client.post("/api/v1/auth/signup", {"email": "ok@example.org", "password": "kalasatama-2026"},
                               format="json")
    assert response.status_code == 201, response.content


# --- Django-level 400 (outside DRF) ---------------------------------------------------------------------

def test_handler400_disallowed_host_in_envelope(client):
    response = client.get("/api/v1/me", HTTP_HOST="evil.example")
    assert_envelope(response, 400, "bad_request")


# --- sign-up limits ------------------------------------------------------------------------------------

def test_overlong_email_is_a_field_error_not_500(api_client):
    """The email is the username (150 characters); a valid 190-character email was a DB DataError (500)."""
    email = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + ".fi"
    response = api_client.post("/api/v1/auth/signup", {"email": email, "password": "kalasatama-2026"},
                               format="json")
    error = assert_envelope(response, 400, "validation_error")
    assert error["details"] == {"email": ["Ensure this field has no more than 150 characters."]}
