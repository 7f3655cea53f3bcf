"""Plans on the real-time timetable: estimated legs, cancellations, broken transfers, alerts on legs."""
import functools
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from maas.accounts.models import DiscountGrant, DiscountGroup
from planner.realtime import services
from tests.realtime.conftest import active_network, write_transfer_feed
from tests.realtime.rtfeeds import alert, message, trip_update

DAY = "20240306"
DEPART = "2024-03-06T07:55:00+02:00"


@pytest.fixture
def transfer_net(db, tmp_path, settings, rt_store):
    """The transfer feed active as "hsl", its network built where the engine looks."""
    with active_network(write_transfer_feed(tmp_path / "transfer.zip"), tmp_path, settings) as feed:
        yield feed


def realtime(*entities, alerts=()):
    now = time.time()
    services.ingest("hsl", "trip_updates", message(entities, timestamp=now).SerializeToString(), now=now)
    if alerts:
        services.ingest("hsl", "alerts", message(alerts, timestamp=now).SerializeToString(), now=now)


@functools.cache
def contract():
    from tests.api_contract.openapi_check import Contract

    return Contract()


def plan(client, origin, destination, language="fi", **extra):
    """The answer, checked against the documented (closed) POST /plans shape."""
    body = {"from": {"stop_id": origin}, "to": {"stop_id": destination}, "departure": DEPART,
            "modes": ["walk", "transit"], "language": language, **extra}
    resp = client.post("/api/v1/plans", body, format="json")
    assert resp.status_code == 200, resp.content
    return contract().check("POST", "/api/v1/plans", resp, 200)


def rides(itinerary):
    return [leg for leg in itinerary["legs"] if leg["transit"]]


def transit(body):
    """The itineraries that ride (walk-only ones are offered too)."""
    found = [it for it in body["itineraries"] if rides(it)]
    assert found, body
    return found


def test_schedule_only_without_sources(transfer_net, resident_client):
    body = plan(resident_client, "A", "C")
    assert body["realtime"] is False
    best = transit(body)[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-0800", "hsl:Y-0815"]
    leg = rides(best)[0]
    assert leg["realtime"] is False and leg["delay_s"] == 0 and leg["alerts"] == []
    assert leg["start"] == {"scheduled_time": "2024-03-06T08:00:00+02:00", "estimated": None}


def test_five_minute_delay_moves_the_leg_and_keeps_scheduled(transfer_net, resident_client):
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 300, 300, None)]))
    body = plan(resident_client, "A", "B")
    assert body["realtime"] is True
    leg = rides(transit(body)[0])[0]
    assert leg["trip_id"] == "hsl:X-0800" and leg["realtime"] is True and leg["delay_s"] == 300
    assert (leg["start_time"], leg["end_time"]) == ("2024-03-06T08:05:00+02:00", "2024-03-06T08:15:00+02:00")
    assert leg["start"] == {"scheduled_time": "2024-03-06T08:00:00+02:00",
                            "estimated": {"time": "2024-03-06T08:05:00+02:00", "delay_s": 300}}
    assert leg["end"]["scheduled_time"] == "2024-03-06T08:10:00+02:00"
    assert leg["end"]["estimated"] == {"time": "2024-03-06T08:15:00+02:00", "delay_s": 300}
    assert transit(body)[0]["end_time"] == "2024-03-06T08:15:00+02:00"


def test_cancelled_trip_is_not_offered(transfer_net, resident_client):
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, relationship="CANCELED"))
    body = plan(resident_client, "A", "B")
    trips = [leg["trip_id"] for it in body["itineraries"] for leg in rides(it)]
    assert trips and "hsl:X-0800" not in trips
    assert rides(transit(body)[0])[0]["trip_id"] == "hsl:X-0820"


def test_delay_that_breaks_a_transfer_gives_the_next_feasible(transfer_net, resident_client):
    # X-0800 reaches B at 08:14 instead of 08:10: 1 min to Y-0815, less than the 2-min minimum change.
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(2, None, 240, 240, None)]))
    body = plan(resident_client, "A", "C")
    assert all("hsl:Y-0815" not in [leg["trip_id"] for leg in rides(it)] for it in body["itineraries"])
    best = transit(body)[0]
    assert rides(best)[-1]["trip_id"] == "hsl:Y-0835" and best["end_time"] == "2024-03-06T08:45:00+02:00"
    # A smaller delay keeps the change (08:13 + 2 min <= 08:15): the first connection stays.
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(2, None, 180, 180, None)]))
    best = transit(plan(resident_client, "A", "C"))[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-0800", "hsl:Y-0815"]
    assert rides(best)[0]["delay_s"] == 180 and best["end_time"] == "2024-03-06T08:25:00+02:00"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_route_alert_on_the_leg_in_the_requested_language(transfer_net, resident_client, language):
    texts = {"fi": "Linja 55 poikkeusreitillä", "sv": "Linje 55 kör en annan rutt", "en": "Line 55 is diverted"}
    realtime(trip_update(1, trip_id="X-0820", start_date=DAY, stops=[(1, None, 0, 0, None)]),
             alerts=[alert("a55", texts=texts, routes=["Y"])])
    best = transit(plan(resident_client, "A", "C", language=language))[0]
    x, y = rides(best)
    assert x["alerts"] == []
    assert [a["header"] for a in y["alerts"]] == [texts[language]]
    assert y["alerts"][0]["id"] == "hsl:a55" and y["alerts"][0]["effect"] == "DETOUR"


def test_vehicle_running_early_is_not_offered_once_it_has_left(transfer_net, resident_client):
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, -120, -120, None)]))
    late = transit(plan(resident_client, "A", "B", departure="2024-03-06T07:59:00+02:00"))
    assert rides(late[0])[0]["trip_id"] == "hsl:X-0820"
    early = transit(plan(resident_client, "A", "B", departure="2024-03-06T07:57:00+02:00"))
    leg = rides(early[0])[0]
    assert leg["trip_id"] == "hsl:X-0800" and leg["start"]["estimated"] == {"time": "2024-03-06T07:58:00+02:00",
                                                                        "delay_s": -120}


def test_delayed_leg_with_an_alert_priced_with_a_discount(transfer_net, resident, resident_client):
    """Real time, a leg alert and a resident's discount in one answer, all in the documented shape."""
    call_command("load_billing_plans", verbosity=0)
    today = timezone.localdate()
    DiscountGrant.objects.create(resident=resident, group=DiscountGroup.objects.get(code="student"),
                                 valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
                                 proof_note="student card")
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 120, 120, None)]),
             alerts=[alert("ax", texts={"fi": "Linja X myöhässä"}, routes=["X"])])
    best = transit(plan(resident_client, "A", "B"))[0]
    leg = rides(best)[0]
    assert leg["realtime"] is True and leg["delay_s"] == 120 and [a["id"] for a in leg["alerts"]] == ["hsl:ax"]
    price = best["price"]
    assert price["discount"]["group"] == "student" and price["discount"]["percent"] == 50
    assert price["discount"]["cents"] == sum(x["discount_cents"] for x in price["legs"]) > 0


def test_late_vehicle_is_found_after_its_scheduled_time(transfer_net, resident_client):
    """X-0800 is 10 min late: planning at 08:05 (its scheduled departure passed) rides it at 08:10."""
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 600, 600, None)]))
    best = transit(plan(resident_client, "A", "B", departure="2024-03-06T08:05:00+02:00"))[0]
    leg = rides(best)[0]
    assert leg["trip_id"] == "hsl:X-0800" and leg["realtime"] is True and leg["delay_s"] == 600
    assert leg["start"] == {"scheduled_time": "2024-03-06T08:00:00+02:00",
                            "estimated": {"time": "2024-03-06T08:10:00+02:00", "delay_s": 600}}
    assert (leg["start_time"], leg["end_time"]) == ("2024-03-06T08:10:00+02:00", "2024-03-06T08:20:00+02:00")


def test_late_first_ride_then_a_change(transfer_net, resident_client):
    """X-0800 is 10 min late and X-0820 cancelled: from A at 08:05 the late X reaches B at 08:20, and the search
    goes on from there: the change to Y-0835, arrival 08:45."""
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 600, 600, None)]),
             trip_update(2, trip_id="X-0820", start_date=DAY, relationship="CANCELED"))
    best = transit(plan(resident_client, "A", "C", departure="2024-03-06T08:05:00+02:00"))[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-0800", "hsl:Y-0835"]
    assert rides(best)[0]["start"]["estimated"]["time"] == "2024-03-06T08:10:00+02:00"
    assert best["end_time"] == "2024-03-06T08:45:00+02:00"


def test_extra_vehicle_of_a_cancelled_trip_is_routed(transfer_net, resident_client):
    """HSL style: X-0800's own vehicle is cancelled, an extra vehicle (ADDED, same route, direction and start)
    runs it 5 min late: it is the ride, shown as X-0800 with its estimates."""
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, relationship="CANCELED"),
             trip_update(2, route_id="X", direction_id=0, start_date=DAY, start_time="08:00:00",
                         relationship="ADDED", stops=[(1, None, 300, 300, None)]))
    best = transit(plan(resident_client, "A", "B"))[0]
    leg = rides(best)[0]
    assert leg["trip_id"] == "hsl:X-0800" and leg["delay_s"] == 300
    assert (leg["start_time"], leg["end_time"]) == ("2024-03-06T08:05:00+02:00", "2024-03-06T08:15:00+02:00")


def test_new_added_trip_is_routed_and_changes_to_a_scheduled_one(transfer_net, resident_client):
    """A trip the schedule does not have (new trip_id, its own stop times) A 07:58 -> B 08:06, with X-0800
    cancelled: A->C rides it and changes at B to Y-0815 (arrival 08:25, instead of 08:45 via X-0820)."""
    from datetime import date

    from planner.realtime import static_index

    base = static_index.index_for(transfer_net).epoch_base(date(2024, 3, 6))
    new = trip_update(2, trip_id="X-extra", route_id="X", start_date=DAY, relationship="ADDED")
    for stop, t in (("A", 7 * 3600 + 58 * 60), ("B", 8 * 3600 + 360)):
        u = new.trip_update.stop_time_update.add(stop_id=stop)
        u.arrival.time = u.departure.time = base + t
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, relationship="CANCELED"), new)
    best = transit(plan(resident_client, "A", "C"))[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-extra", "hsl:Y-0815"]
    extra = rides(best)[0]
    assert (extra["start_time"], extra["end_time"]) == ("2024-03-06T07:58:00+02:00", "2024-03-06T08:06:00+02:00")
    assert extra["route_short_name"] == "10" and extra["realtime"] is True
    assert best["end_time"] == "2024-03-06T08:25:00+02:00"


def test_change_onto_a_late_vehicle_whose_schedule_has_passed(transfer_net, resident_client):
    """X-0800 is 10 min late (B at 08:20) and Y-0815 8 min late (B at 08:23): the change at B, 3 min, is kept
    though Y-0815's scheduled time has passed: arrival at C 08:33 (on the schedule: Y-0835, 08:45)."""
    realtime(trip_update(1, trip_id="X-0800", start_date=DAY, stops=[(1, None, 600, 600, None)]),
             trip_update(2, trip_id="Y-0815", start_date=DAY, stops=[(1, None, 480, 480, None)]))
    best = transit(plan(resident_client, "A", "C", departure="2024-03-06T08:05:00+02:00"))[0]
    assert [leg["trip_id"] for leg in rides(best)] == ["hsl:X-0800", "hsl:Y-0815"]
    y = rides(best)[1]
    assert y["start"] == {"scheduled_time": "2024-03-06T08:15:00+02:00",
                          "estimated": {"time": "2024-03-06T08:23:00+02:00", "delay_s": 480}}
    assert best["end_time"] == "2024-03-06T08:33:00+02:00"
