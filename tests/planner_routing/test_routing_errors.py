"""routing_errors: one reason per requested mode left without an itinerary, in the request's language."""
import pytest
from django.utils import translation

from planner import routing_errors


def test_reasons_only_for_requested_modes_without_itineraries_in_three_languages():
    errors = {}
    routing_errors.note(errors, "scooter", "destination_in_no_parking_zone", provider_id=3)
    routing_errors.note(errors, "scooter", "no_vehicles_nearby")  # the first reason stays
    routing_errors.note(errors, "city_bike", "no_free_docks_near_destination")
    routing_errors.note(errors, "walk", "walk_limit_excluded_all")
    walk_trip = [{"legs": [{"mode": "walk"}]}]
    expected = {
        "en": "No city-bike station near the destination has a free dock.",
        "fi": "Määränpään lähellä ei ole kaupunkipyöräasemaa, jossa olisi vapaa telinepaikka.",
        "sv": "Ingen stadscykelstation nära målet har en ledig plats.",
    }
    for language, message in expected.items():
        with translation.override(language):
            answer = routing_errors.answer(errors, walk_trip, {"walk", "city_bike", "scooter"})
        assert [(e["mode"], e["code"]) for e in answer] == [
            ("city_bike", "no_free_docks_near_destination"), ("scooter", "destination_in_no_parking_zone")]
        assert answer[0]["message"] == message and answer[1]["details"] == {"provider_id": 3}
    assert routing_errors.answer(errors, [], {"walk"})[0]["code"] == "walk_limit_excluded_all"


def test_every_code_is_translated():
    with translation.override("en"):
        english = {code: str(message) for code, message in routing_errors.MESSAGES.items()}
    for language in ("fi", "sv"):
        with translation.override(language):
            for code, message in routing_errors.MESSAGES.items():
                assert str(message) != english[code], (language, code)


def test_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError):
        routing_errors.note({}, "walk", "because")
