"""Two feeds active at once (the HSL fixture as "hsl", the synthesized ferries fixture as "ferries"): one routing
network over both, ids `FEED:ID`, a walking transfer between the feeds, and one feed deactivated."""
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from planner.engines.embedded import EmbeddedEngine
from planner.engines.embedded.artifacts import artifact_paths
from planner.gtfs.loader import import_feed
from planner.models import FeedVersion
from planner.refresh.service import deactivate_feed

FERRIES = Path(settings.BASE_DIR) / "fixtures" / "gtfs" / "ferries.zip"
KALASATAMA_M = {"lat": 60.18761, "lon": 24.97721}  # metro platform 1100601
SUOMENLINNA = {"lat": 60.1471, "lon": 24.9877}  # the ferry pier (ferries:9572)
DEPARTURE = "2022-03-02T08:00:00+02:00"  # a Wednesday inside both fixtures' service


@pytest.fixture
def two_feeds(active_feed, settings):
    """hsl and ferries active, their one network built (no OSM: crow-fly walks)."""
    settings.ROUTING_FEED_RECHECK_S = 0  # the engine sees (de)activations at once
    ferries = import_feed(str(FERRIES), name="ferries", activate=True).feed
    call_command("build_network", "--no-osm", verbosity=0)
    EmbeddedEngine._instance = None
    return active_feed, ferries


def plan(client, origin, destination, departure=DEPARTURE, **extra):
    return client.post("/api/v1/plans", {"from": origin, "to": destination, "departure": departure,
                                         "modes": ["walk", "transit"], "language": "sv", **extra}, format="json")


def rides(itinerary):
    return [leg for leg in itinerary["legs"] if leg["transit"]]


@pytest.mark.django_db
def test_metro_then_ferry_through_a_walk_between_the_feeds(two_feeds, resident_client):
    hsl, ferries = two_feeds
    call_command("load_billing_plans", verbosity=0)
    network, _ = artifact_paths([hsl, ferries])
    assert network.exists() and network.name.startswith("feeds_ferries-v1-") and "+hsl-v1-" in network.name
    response = plan(resident_client, KALASATAMA_M, SUOMENLINNA)
    assert response.status_code == 200, response.json()
    assert response.json()["feeds"] == [{"name": "ferries", "version": 1}, {"name": "hsl", "version": 1}]
    best = response.json()["itineraries"][0]
    # The quickest: M1 westbound to Helsingin yliopisto (08:15:30-08:20:20), 759 m on foot to the Kauppatori pier,
    # the 08:40 ferry to Suomenlinna (arrives 09:00, the 08:00 one is gone before the metro gets there).
    assert [leg["mode"] for leg in best["legs"]] == ["walk", "metro", "walk", "ferry"]
    metro, ferry = rides(best)
    assert (metro["route_id"], metro["route_short_name"]) == ("hsl:31M1", "M1")
    assert metro["trip_id"] == "hsl:31M1_20220222_Ke_2_0800_synth"
    assert (metro["from"]["stop_id"], metro["to"]["stop_id"]) == ("hsl:1100602", "hsl:1020604")
    assert (metro["start_time"], metro["end_time"]) == ("2022-03-02T08:15:30+02:00", "2022-03-02T08:20:20+02:00")
    walk = best["legs"][2]
    assert (walk["from"]["stop_id"], walk["to"]["stop_id"]) == ("hsl:1020604", "ferries:9571")
    assert walk["distance_m"] == 759
    assert (ferry["route_id"], ferry["route_short_name"], ferry["trip_id"]) == ("ferries:F19", "19",
                                                                                 "ferries:F19_out_05")
    assert (ferry["from"]["name"], ferry["to"]["name"]) == ("Salutorget", "Sveaborg")  # the feed's translations
    assert (ferry["start_time"], ferry["end_time"]) == ("2022-03-02T08:40:00+02:00", "2022-03-02T09:00:00+02:00")
    assert best["end_time"] == "2022-03-02T09:00:00+02:00" and best["transfers"] == 1
    # Each leg priced and its CO2 counted, whatever its feed.
    assert (metro["co2_g"], ferry["co2_g"], best["co2_g"]) == (0, 356, 356)  # renewable metro, diesel ferry
    # Billing prices by mode and zones (zone_id is not feed-qualified): one HSL AB single ticket, the ferry (no
    # zone in its feed: priced as AB) rides on it as a transfer.
    price = best["price"]
    assert (price["total_cents"], price["priced"]) == (295, True)
    assert [(leg["mode"], leg["reason"], leg["tariff"], leg["price_cents"]) for leg in price["legs"]] == [
        ("walk", "own_means", None, 0), ("metro", "pay_as_you_go", "hsl-ab-single", 295),
        ("walk", "own_means", None, 0), ("ferry", "transfer", "hsl-ab-single", 0)]


@pytest.mark.django_db
def test_stop_ids_feed_qualified_or_unambiguous(two_feeds, resident_client):
    # FEED:ID and a bare id that one feed has both name the pier; the answer names it qualified.
    for ref in ("ferries:9571", "9571"):
        response = plan(resident_client, {"stop_id": ref}, {"stop_id": "ferries:9572"})
        assert response.status_code == 200, response.json()
        (ferry,) = rides(response.json()["itineraries"][0])
        assert (ferry["from"]["stop_id"], ferry["trip_id"]) == ("ferries:9571", "ferries:F19_out_04")  # 08:00
    unknown = plan(resident_client, {"stop_id": "ferries:1100602"}, {"stop_id": "ferries:9572"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_stop"


@pytest.mark.django_db
def test_an_id_in_both_feeds_must_be_qualified(active_feed, tmp_path, resident_client):
    """A second feed that also has a stop 1100602: the bare id is ambiguous (400 naming both), `hsl:` is not."""
    from tests.planner_data.conftest import write_feed

    other = write_feed(tmp_path / "other.zip", {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nO,Other,https://example.org,Europe/Helsinki\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                     "1100602,Elsewhere,60.1700,24.9400\nX2,There,60.1710,24.9410\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nR,O,R,3\n",
        "trips.txt": "route_id,service_id,trip_id\nR,S,T1\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,1100602,1\nT1,08:05:00,08:05:00,X2,2\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "S,1,1,1,1,1,1,1,20220222,20220407\n",
    })
    import_feed(str(other), name="other", activate=True)
    call_command("build_network", "--no-osm", verbosity=0)
    EmbeddedEngine._instance = None
    ambiguous = plan(resident_client, {"stop_id": "1100602"}, {"stop_id": "hsl:1040602"})
    assert ambiguous.status_code == 400
    error = ambiguous.json()["error"]
    assert error["code"] == "ambiguous_stop_id"
    assert error["details"]["candidates"] == ["hsl:1100602", "other:1100602"]
    response = plan(resident_client, {"stop_id": "hsl:1100602"}, {"stop_id": "hsl:1040602"})
    assert response.status_code == 200, response.json()
    assert rides(response.json()["itineraries"][0])[0]["from"]["stop_id"] == "hsl:1100602"


@pytest.mark.django_db
def test_deactivating_one_feed_leaves_the_other_routing(two_feeds, resident_client):
    hsl, ferries = two_feeds
    assert plan(resident_client, {"stop_id": "ferries:9571"}, {"stop_id": "ferries:9572"}).status_code == 200
    assert EmbeddedEngine.instance().current().meta.feeds == ("ferries", "hsl")
    deactivate_feed("hsl")  # builds the ferries-only network first, then switches
    assert not FeedVersion.objects.get(pk=hsl.pk).is_active
    network, meta = artifact_paths([ferries])
    assert network.exists() and meta.exists()
    assert EmbeddedEngine.instance().current().meta.feeds == ("ferries",)
    response = plan(resident_client, {"stop_id": "9571"}, {"stop_id": "ferries:9572"})
    assert response.status_code == 200, response.json()
    assert response.json()["feeds"] == [{"name": "ferries", "version": 1}]
    (ferry,) = rides(response.json()["itineraries"][0])
    assert ferry["trip_id"] == "ferries:F19_out_04"
    gone = plan(resident_client, {"stop_id": "hsl:1100602"}, {"stop_id": "ferries:9572"})
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "unknown_stop"
    # The last feed deactivated: nothing to route over.
    deactivate_feed("ferries")
    response = plan(resident_client, {"stop_id": "ferries:9571"}, {"stop_id": "ferries:9572"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "no_active_feed"
