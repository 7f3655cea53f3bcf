"""Bench: street legs on the OSM streets (geometry, polyline, steps) vs straight lines, and shared rides.

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (created and dropped here), in-process
POST /api/v1/plans (DRF test client, authenticated resident) on --queries random origin/destination pairs
around Kalasatama (fixtures/osm/kalasatama.osm.pbf, demo scooter feed, HSL city-bike stations):

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/street_legs.py

Prints p50/p95 per mode with the street network active (routed legs) and without (crow-fly legs), and
their ratio (goal <= 1.5x), plus the one-off street graph build time.
"""
import argparse
import random
import time

import _django  # noqa: E402  (bench/ is sys.path[0] when run as a script)

_django.setup()

from _django import p50_p95_ms as pcts  # noqa: E402

BBOX = (60.181, 24.968, 60.193, 24.994)  # lat0, lon0, lat1, lon1
DEPARTURE = "2022-03-02T08:30:00+02:00"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with _django.throwaway_postgres_db("bench/street_legs.py"):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from rest_framework.test import APIClient

        from planner.models import OsmNetwork
        from planner.osm.street_graph import StreetGraph

        call_command("import_gbfs_feed", "fixtures/providers/gbfs/kalasatama-scooters", name="Kalasatama Scooters",
                     kind="scooter", stdout=open("/dev/null", "w"))
        call_command("import_citybike_stations", stdout=open("/dev/null", "w"))
        pbf = settings.BASE_DIR / "fixtures" / "osm" / "kalasatama.osm.pbf"
        t = time.perf_counter()
        StreetGraph.from_pbf(pbf)
        build_s = time.perf_counter() - t
        user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
        client = APIClient()
        client.force_authenticate(user)
        rnd = random.Random(11)
        pairs = [({"lat": rnd.uniform(BBOX[0], BBOX[2]), "lon": rnd.uniform(BBOX[1], BBOX[3])},
                  {"lat": rnd.uniform(BBOX[0], BBOX[2]), "lon": rnd.uniform(BBOX[1], BBOX[3])})
                 for _ in range(args.queries)]

        def run(modes):
            times, found = [], 0
            for o, d in pairs:
                t0 = time.perf_counter()
                r = client.post("/api/v1/plans", {"from": o, "to": d, "departure": DEPARTURE, "modes": modes},
                                format="json")
                times.append(time.perf_counter() - t0)
                found += bool(r.status_code == 200 and r.json()["itineraries"])
            return times, found

        results = {}
        for active in (False, True):
            OsmNetwork.objects.all().delete()
            if active:
                OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(pbf), content_hash="b")
            for modes in (["walk"], ["bike"], ["city_bike"], ["scooter"]):
                results[(active, modes[0])] = run(modes)
        print(f"street graph build (once per process): {build_s:.1f} s; {args.queries} plans per row, "
              f"in-process POST /api/v1/plans")
        for mode in ("walk", "bike", "city_bike", "scooter"):
            (crow, n0), (streets, n1) = results[(False, mode)], results[(True, mode)]
            (c50, c95), (s50, s95) = pcts(crow), _django.p50_p95_ms(streets)
            print(f"  {mode:9s} crow-fly p50 {c50:6.1f} ms p95 {c95:6.1f} ms ({n0} with a trip) | "
                  f"streets+geometry+steps p50 {s50:6.1f} ms p95 {s95:6.1f} ms ({n1} with a trip) | "
                  f"ratio p50 {s50 / c50:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
