"""Why no itinerary was found, from the imported timetables (ferries fixture)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner.timetable.diagnosis import diagnose

from .test_two_feeds import FERRIES

HKI = ZoneInfo("Europe/Helsinki")
KAUPPATORI, SUOMENLINNA, ESPOO = (60.16750, 24.95320), (60.14710, 24.98770), (60.2055, 24.6559)


@pytest.fixture
def ferries(db):
    from planner.gtfs.guarded import import_feed

    return import_feed(str(FERRIES), name="ferries", activate=True, progress=False).feed


def test_reasons_in_order_walk_limit_then_service_hours_then_connection(ferries):
    noon = datetime(2022, 3, 2, 12, 0, tzinfo=HKI)
    assert diagnose(ESPOO, SUOMENLINNA, noon) == [
        {"code": "no_stops_within_walk_limit", "details": {"sides": ["from"], "max_walk_m": 1500}}]
    assert diagnose((60.1684, 24.9532), SUOMENLINNA, noon, max_walk_m=50)[0]["code"] == "no_stops_within_walk_limit"
    night = datetime(2022, 3, 3, 2, 0, tzinfo=HKI)  # last ferry 23:20, first one 06:00
    assert diagnose(KAUPPATORI, SUOMENLINNA, night) == [
        {"code": "outside_service_hours", "details": {"window_s": 10800}}]
    # Arrive-by looks at the hours before the arrival: by 02:30 the 00:00 ferry has left -> in service.
    assert diagnose(KAUPPATORI, SUOMENLINNA, datetime(2022, 3, 3, 2, 30, tzinfo=HKI), arrive_by=True)[0]["code"] \
        == "no_transit_connection"
    assert diagnose(KAUPPATORI, SUOMENLINNA, noon, origin_stop="ferries:9571") == [
        {"code": "no_transit_connection", "details": {}}]
    # The day before the feed's service: nothing runs.
    assert diagnose(KAUPPATORI, SUOMENLINNA, datetime(2022, 2, 20, 12, 0, tzinfo=HKI))[0]["code"] == \
        "outside_service_hours"


def test_transit_reason_goes_into_routing_errors_in_the_request_language(ferries):
    from django.utils import translation

    from planner import routing_errors
    from planner.timetable.diagnosis import note_transit

    errors = {}
    note_transit(errors, KAUPPATORI, SUOMENLINNA, datetime(2022, 3, 3, 2, 0, tzinfo=HKI))
    with translation.override("sv"):
        answer = routing_errors.answer(errors, [], ["walk", "transit"])
    assert answer == [{"mode": "transit", "code": "outside_service_hours", "details": {"window_s": 10800},
                       "message": "Ingen kollektivtrafik avgår nära startpunkten vid den här tiden "
                                  "(utanför trafiktiden)."}]
    with translation.override("fi"):
        errors = {}
        note_transit(errors, ESPOO, SUOMENLINNA, datetime(2022, 3, 2, 12, 0, tzinfo=HKI))
        assert routing_errors.answer(errors, [], ["transit"])[0]["message"] == (
            "Lähtö- tai määränpään kävelyetäisyydellä ei ole joukkoliikenteen pysäkkiä.")
