"""What the README's demo relies on: email login, test cards only in DEBUG, the JSON envelope for unknown
/api/ paths in DEBUG, the timetable moved to the current weeks, demo residents in households."""
import csv
import io
import zipfile
from datetime import date

import pytest
from django.test import Client, override_settings

from planner.gtfs.demo_calendar import service_start, shift_days_for, write_shifted
from tests.api_fuzz.helpers import assert_envelope

FIXTURE = "fixtures/gtfs/kalasatama.zip"


@pytest.mark.parametrize("field, value", [("email", "RESIDENT1@example.org"), ("username", "resident1@example.org")])
def test_login_with_email_or_username(api_client, resident, field, value):
    response = api_client.post("/api/v1/auth/token", {field: value, "password": "s3cret-pass-123"}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}


def test_login_without_a_name_is_a_validation_error(api_client, db):
    error = assert_envelope(api_client.post("/api/v1/auth/token", {"password": "x"}, format="json"), 400,
                            "validation_error")
    assert "username" in error["details"]


@override_settings(DEBUG=False)
def test_test_cards_are_refused_outside_debug(resident_client):
    response = resident_client.post("/api/v1/billing/payment-methods", {"test_card": "visa"}, format="json")
    assert_envelope(response, 403, "test_cards_disabled")


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_api_paths_answer_the_json_envelope(db, debug):
    client = Client(enforce_csrf_checks=True)
    with override_settings(DEBUG=debug):
        for path in ("/api/nope", "/api/v1/no-such-thing", "/api/v2/plans"):
            assert_envelope(client.get(path), 404, "not_found")
            # a POST with a session cookie to an unknown path is still the 404 envelope, not a CSRF page
            client.cookies["sessionid"] = "x"
            assert_envelope(client.post(path, {"E": "null"}), 404, "not_found")


def test_calendar_shift_keeps_weekdays_and_covers_today(tmp_path):
    today = date(2026, 11, 29)
    start = service_start(FIXTURE)
    days = shift_days_for(start, today)
    assert start == date(2022, 2, 22) and days % 7 == 0
    assert 7 <= (today - date.fromordinal(start.toordinal() + days)).days <= 13
    shifted = write_shifted(FIXTURE, tmp_path / "shifted.zip", days)
    with zipfile.ZipFile(FIXTURE) as a, zipfile.ZipFile(shifted) as b:
        assert a.read("stop_times.txt") == b.read("stop_times.txt")  # times untouched
        old = list(csv.DictReader(io.TextIOWrapper(a.open("calendar.txt"), "utf-8-sig")))
        new = list(csv.DictReader(io.TextIOWrapper(b.open("calendar.txt"), "utf-8-sig")))
    assert [r["service_id"] for r in old] == [r["service_id"] for r in new]
    for o, n in zip(old, new):
        for key in ("start_date", "end_date"):
            od, nd = (date(int(v[:4]), int(v[4:6]), int(v[6:])) for v in (o[key], n[key]))
            assert (nd - od).days == days and nd.weekday() == od.weekday()
    first = min(date(int(r["start_date"][:4]), int(r["start_date"][4:6]), int(r["start_date"][6:])) for r in new)
    last = max(date(int(r["end_date"][:4]), int(r["end_date"][4:6]), int(r["end_date"][6:])) for r in new)
    assert first < today < last


def test_shift_must_be_whole_weeks(tmp_path):
    with pytest.raises(ValueError, match="whole weeks"):
        write_shifted(FIXTURE, tmp_path / "x.zip", 3)


@override_settings(DEBUG=False)
@pytest.mark.parametrize("language, message", [
    ("fi", "Testikortteja voi lisätä vain demossa (DEBUG ja Stripen testiavain)."),
    ("sv", "Testkort kan bara läggas till i demon (DEBUG med en Stripe-testnyckel)."),
])
def test_test_card_refusal_is_translated(resident_client, language, message):
    response = resident_client.post("/api/v1/billing/payment-methods", {"test_card": "visa"}, format="json",
                                    HTTP_ACCEPT_LANGUAGE=language)
    assert assert_envelope(response, 403, "test_cards_disabled")["message"] == message
