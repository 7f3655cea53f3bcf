"""Nearest-first vehicles and stations on the grid index: same answer as a brute-force sort, pages by cursor."""
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from maas.geo import distance_m
from providers import grid, selectors, services
from providers.models import Provider, Vehicle
from providers.snapshots import Section, swap_snapshot

CENTRE = (60.1875, 24.977)


def _scatter(n, seed, spread=0.03):
    rng = random.Random(seed)
    return [{"vehicle_id": f"v{i}", "lat": CENTRE[0] + rng.uniform(-spread, spread),
             "lon": CENTRE[1] + rng.uniform(-2 * spread, 2 * spread), "vehicle_type_id": "es"}
            for i in range(n)]


def _provider(name, vehicles, *, last_updated=None):
    p = services.register_provider(name=name, kind="scooter")
    swap_snapshot(p, source="push", sections={"vehicles": Section(vehicles, last_updated or timezone.now())})
    return Provider.objects.get(pk=p.pk)


def _brute(provider_ids, vehicles_by_provider, lat, lon, radius):
    rows = [(distance_m(lat, lon, v["lat"], v["lon"]), pid, v["vehicle_id"])
            for pid in provider_ids for v in vehicles_by_provider[pid]]
    return sorted(r for r in rows if r[0] <= radius)


@pytest.mark.django_db
def test_cells_are_stored_and_nearest_matches_a_brute_force_sort():
    a_rows, b_rows = _scatter(1500, 1), _scatter(1500, 2)
    a, b = _provider("A", a_rows), _provider("B", b_rows)
    assert not Vehicle.objects.filter(snapshot_id=a.current_snapshot_id, cell__isnull=True).exists()
    v = Vehicle.objects.filter(snapshot_id=a.current_snapshot_id).first()
    assert v.cell == grid.cell_of(v.lat, v.lon)
    rng = random.Random(3)
    for _ in range(15):
        lat, lon = CENTRE[0] + rng.uniform(-0.02, 0.02), CENTRE[1] + rng.uniform(-0.04, 0.04)
        radius, limit = rng.choice([150, 800, 5000]), rng.choice([1, 7, 50])
        expected = _brute([a.pk, b.pk], {a.pk: a_rows, b.pk: b_rows}, lat, lon, radius)
        got = selectors.vehicles_near(lat, lon, radius, limit=limit)
        assert [(g["provider_id"], g["vehicle_id"]) for g in got[:limit]] == [(p, i) for _, p, i in expected[:limit]]
        assert len(got) == min(limit + 1, len(expected))  # one more tells that another page exists
        everything = selectors.vehicles_near(lat, lon, radius)
        assert [(g["provider_id"], g["vehicle_id"]) for g in everything] == [(p, i) for _, p, i in expected]


@pytest.mark.django_db
def test_api_pages_with_cursor_without_repeating_or_skipping(resident_client):
    rows = _scatter(230, 4, spread=0.004)
    p = _provider("Scoot", rows)
    expected = [i for _, _, i in _brute([p.pk], {p.pk: rows}, *CENTRE, 1000)]
    assert len(expected) > 120
    seen, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/vehicles?near={CENTRE[0]},{CENTRE[1]}&radius=1000&limit=50"
        body = resident_client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        pages += 1
        assert body["count"] == len(body["results"]) <= 50
        distances = [r["distance_m"] for r in body["results"]]
        assert distances == sorted(distances)
        seen += [r["vehicle_id"] for r in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and pages == -(-len(expected) // 50)
    default = resident_client.get(f"/api/v1/vehicles?near={CENTRE[0]},{CENTRE[1]}&radius=1000").json()
    assert default["count"] == 50 and [r["vehicle_id"] for r in default["results"]] == expected[:50]


@pytest.mark.django_db
def test_bad_limit_and_cursor_are_400_in_the_request_language(resident_client):
    base = f"/api/v1/vehicles?near={CENTRE[0]},{CENTRE[1]}"
    for limit in ("0", "501", "x"):
        body = resident_client.get(f"{base}&limit={limit}").json()
        assert body["error"]["code"] == "invalid_limit", body
    resp = resident_client.get(f"{base}&cursor=bm9wZQ", HTTP_ACCEPT_LANGUAGE="fi")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_cursor"
    assert resp.json()["error"]["message"] == "cursor ei ole tämän rajapinnan antama."
    resp = resident_client.get(f"{base}&limit=0", HTTP_ACCEPT_LANGUAGE="sv")
    assert resp.json()["error"]["message"] == "limit måste vara 1..500."


@pytest.mark.django_db
def test_stale_provider_is_named_and_its_vehicles_shown_as_stale(resident_client):
    fresh = _provider("Fresh", [{"vehicle_id": "f1", "lat": CENTRE[0] + 0.001, "lon": CENTRE[1]}])
    old = _provider("Old", [{"vehicle_id": "o1", "lat": CENTRE[0], "lon": CENTRE[1]}],
                    last_updated=timezone.now() - timedelta(hours=2))
    body = resident_client.get(f"/api/v1/vehicles?near={CENTRE[0]},{CENTRE[1]}&kind=scooter").json()
    assert [(r["vehicle_id"], r["stale"]) for r in body["results"]] == [("o1", True), ("f1", False)]
    assert [s["provider_id"] for s in body["stale_providers"]] == [old.pk]
    # planner-facing default: a stale provider's vehicles are not offered
    assert [v["vehicle_id"] for v in selectors.vehicles_near(*CENTRE, 500)] == ["f1"]
    assert fresh.pk not in [s["provider_id"] for s in selectors.stale_providers("scooter")]
