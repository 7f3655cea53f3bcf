"""GET /api/v1/stops?near=... and ?q=... over the active feeds."""
import pytest

from .test_departures import STATION


@pytest.mark.django_db
def test_stops_near_kalasatama_metro_nearest_first_with_distances(api_client, kalasatama_feed):
    r = api_client.get("/api/v1/stops", {"near": "60.18763,24.97722", "radius": 150})
    assert r.status_code == 200, r.content
    stops = r.json()["stops"]
    assert [s["id"] for s in stops[:2]] == ["hsl:1100601", "hsl:1100602"]
    assert stops[0]["distance_m"] <= stops[1]["distance_m"] <= 5
    assert all(s["distance_m"] <= 150 for s in stops)
    assert {"hsl:1100131", "hsl:1100132"} <= {s["id"] for s in stops}  # the bus stops at the station
    assert [s["distance_m"] for s in stops] == sorted(s["distance_m"] for s in stops)


@pytest.mark.django_db
def test_stop_name_search_in_finnish_and_swedish(api_client, kalasatama_feed):
    fi = api_client.get("/api/v1/stops", {"q": "kalasatama"}, HTTP_ACCEPT_LANGUAGE="fi").json()["stops"]
    sv = api_client.get("/api/v1/stops", {"q": "Fiskehamnen"}, HTTP_ACCEPT_LANGUAGE="sv").json()["stops"]
    assert [s["id"] for s in fi] == [s["id"] for s in sv]
    assert {"hsl:1100601", "hsl:1100602"} <= {s["id"] for s in fi}
    assert fi[0]["name"] == "Kalasatama" and sv[0]["name"] == "Fiskehamnen"  # exact names rank first
    assert {s["name"] for s in sv} == {"Fiskehamnen", "Fiskehamnen (M)"}
    # Accents and case are ignored; a word's prefix matches.
    sornainen = api_client.get("/api/v1/stops", {"q": "sornai"}).json()["stops"]
    assert sornainen and all("Sörnäinen" in s["name"] for s in sornainen)


@pytest.mark.django_db
def test_stop_search_errors(api_client, small_feed):
    r = api_client.get("/api/v1/stops", {"q": "kauppa"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "no_active_feed"
    small_feed("ferries", STATION)
    found = api_client.get("/api/v1/stops", {"q": "kauppa"}).json()["stops"]
    assert [s["id"] for s in found] == ["ferries:S", "ferries:P1", "ferries:P2"]  # the station first
    assert found[1]["parent_station"] == "ferries:S" and found[1]["platform"] == "1"
    for params, code in [({}, "query_required"), ({"q": "a", "near": "60,24"}, "query_required"),
                         ({"q": "k"}, "invalid_q"), ({"near": "60"}, "invalid_near"),
                         ({"near": "91,24"}, "invalid_near"), ({"near": "60.1,24.9", "radius": "0"}, "invalid_radius"),
                         ({"near": "60.1,24.9", "radius": "5001"}, "invalid_radius"),
                         ({"q": "kauppa", "limit": "101"}, "invalid_limit")]:
        r = api_client.get("/api/v1/stops", params)
        assert r.status_code == 400 and r.json()["error"]["code"] == code, (params, r.content)
