"""Deeply nested JSON is a 400 `json_too_deep` in the error envelope on every JSON endpoint (not a 500)."""
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from maas.api.parsers import DEFAULT_MAX_DEPTH, nesting_exceeds
from providers import services

DEEP = "[" * 1000 + "]" * 1000             # ~2 KB, the size of the reported attack
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def nested(depth):
    return "[" * (depth - 1) + "{}" + "]" * (depth - 1)


@pytest.mark.parametrize("text,limit,expected", [
    ("{}", 1, False), ("[{}]", 1, True), ("[{}]", 2, False),
    (nested(64), 64, False), (nested(65), 64, True),
    ('["[[[[[[[[[[", "{{{{{{{{{"]', 2, False),            # brackets inside strings do not count
    (r'["\"[[[[[[", "\\", [[1]]]', 3, False), (r'["\"[[[[[[", "\\", [[[1]]]]', 3, True),
    ("[" * 70, 64, True), ("[[[", 64, False),              # unbalanced: the decoder rejects what is not deep
    (nested(100) + "]", 64, True),                       # deep, then unbalanced
    ('[{"a": "\\\\"}, [[[1]]]]', 3, True), ('["\\u005b\\"", [[1]]]', 3, False),
    ("[]" * 10000, 1, False), ('{"vehicles": [' + ",".join(['{"a": [1, 2]}'] * 5000) + "]}", 4, False),
])
def test_nesting_measure(text, limit, expected):
    assert nesting_exceeds(text.encode(), limit) is expected


def assert_too_deep(resp, language="en"):
    assert resp.status_code == 400, resp.content[:300]
    body = resp.json()["error"]
    assert body["code"] == "json_too_deep" and body["details"] == {"max_depth": DEFAULT_MAX_DEPTH}
    message = {"en": "The JSON body is nested too deeply (more than 64 levels).",
               "fi": "JSON-rungon sisäkkäisyys on liian syvä (yli 64 tasoa).",
               "sv": "JSON-innehållet är för djupt nästlat (mer än 64 nivåer)."}[language]
    assert body["message"] == message


ANONYMOUS = ["signup", "token", "token-refresh"]
AUTHENTICATED = ["plans", "accessibility", "bookings", "billing-quote", "billing-subscription",
                 "billing-subscription-change", "parking-permits", "parking-reservations"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ANONYMOUS)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
def test_anonymous_endpoints(name, body):
    resp = APIClient().post(reverse(name), body, content_type="application/json")
    assert_too_deep(resp)


@pytest.mark.parametrize("name", AUTHENTICATED)
def test_authenticated_endpoints(resident_client, name):
    resp = resident_client.post(reverse(name), DEEP, content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY="k-0123456789abcdef")
    assert_too_deep(resp)


@pytest.mark.django_db
def test_unclosed_deep_body():
    resp = APIClient().post(reverse("signup"), "[" * 5000, content_type="application/json")
    assert_too_deep(resp)
    resp = APIClient().post(reverse("signup"), "[" * 60, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "parse_error"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_message_in_request_language(language):
    resp = APIClient().post(reverse("token"), DEEP, content_type="application/json",
                            HTTP_ACCEPT_LANGUAGE=language)
    assert_too_deep(resp, language)


@pytest.mark.django_db
def test_provider_push():
    provider = services.register_provider(name="Scoot", kind="scooter")
    _key, raw = services.create_api_key(provider)
    client = APIClient()
    url = reverse("provider-availability", args=[provider.pk])
    body = '{"vehicles": [{"vehicle_id": "v1", "lat": 60.18, "lon": 24.97, "x": ' + DEEP + "}]}"
    assert_too_deep(client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"))
    ok = {"vehicles": [{"vehicle_id": "v1", "lat": 60.18, "lon": 24.97}]}
    resp = client.post(url, json.dumps(ok), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200 and resp.json()["vehicles"] == 1


@pytest.mark.django_db
def test_ordinary_nesting_still_parses(settings):
    settings.API_JSON_MAX_DEPTH = 3
    resp = APIClient().post(reverse("token"), {"email": "a@example.org", "password": ["x"]}, format="json")
    assert resp.status_code != 400 or resp.json()["error"]["code"] != "json_too_deep"
    resp = APIClient().post(reverse("token"), '{"email": [[["a"]]]}', content_type="application/json")
    assert resp.json()["error"]["details"] == {"max_depth": 3}
