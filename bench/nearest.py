"""Bench: nearest-first vehicles among 100,000 (grid index), selector and GET /api/v1/vehicles.

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (test_<name>, created and dropped here).
--vehicles vehicles (default 100,000) of two providers are scattered over 6.7 km x 6.7 km around Kalasatama;
queries come from --queries random points in that square.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/nearest.py

Prints p50/p95: nearest 50 within 1000 m (selector, API page 1, API page 3 via cursor), and for
comparison every vehicle within 1000 m (what the read API returned before it was paged).
"""
import argparse
import random
import statistics
import time

import _django  # noqa: E402  (bench/ is sys.path[0] when run as a script)

_django.setup()

from _django import p50_p95_ms as pcts  # noqa: E402
from django.db import connection  # noqa: E402

KALASATAMA = (60.18755649, 24.9770684)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with _django.throwaway_postgres_db("bench/nearest.py"):
        from django.contrib.auth import get_user_model
        from django.utils import timezone
        from rest_framework.test import APIClient

        from providers import selectors, services
        from providers.snapshots import Section, swap_snapshot

        rnd = random.Random(7)
        t = time.perf_counter()
        for half, name in enumerate(("Bench scooters A", "Bench scooters B")):
            provider = services.register_provider(name=name, kind="scooter")
            rows = [{"vehicle_id": f"{half}-{i:06d}", "lat": KALASATAMA[0] + rnd.uniform(-0.03, 0.03),
                     "lon": KALASATAMA[1] + rnd.uniform(-0.06, 0.06), "vehicle_type_id": "escooter",
                     "range_m": rnd.randint(500, 30000)} for i in range(args.vehicles // 2)]
            swap_snapshot(provider, source="push", sections={"vehicles": Section(rows, timezone.now())})
        load_s = time.perf_counter() - t
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE providers_vehicle")
        points = [(KALASATAMA[0] + rnd.uniform(-0.025, 0.025), KALASATAMA[1] + rnd.uniform(-0.05, 0.05))
                  for _ in range(args.queries)]

        def run(fn):
            out = []
            for p in points:
                t0 = time.perf_counter()
                fn(p)
                out.append(time.perf_counter() - t0)
            return out

        selectors.vehicles_near(*points[0], 1000, limit=50)  # warm up
        sel = run(lambda p: selectors.vehicles_near(*p, 1000, limit=50))
        counts = [len(selectors.vehicles_near(*p, 1000)) for p in points[:20]]
        everything = run(lambda p: selectors.vehicles_near(*p, 1000))
        user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
        client = APIClient()
        client.force_authenticate(user)
        api = run(lambda p: client.get(f"/api/v1/vehicles?near={p[0]},{p[1]}&radius=1000&limit=50"))

        def third_page(p):
            url = f"/api/v1/vehicles?near={p[0]},{p[1]}&radius=1000&limit=50"
            cursor = client.get(url).json()["next_cursor"]
            cursor = client.get(f"{url}&cursor={cursor}").json()["next_cursor"]
            t0 = time.perf_counter()
            body = client.get(f"{url}&cursor={cursor}").json()
            assert body["count"] == 50, body
            return time.perf_counter() - t0

        page3 = [third_page(p) for p in points]
        print(f"{args.vehicles} vehicles loaded in {load_s:.1f} s; {statistics.median(counts):.0f} vehicles "
              f"within 1000 m of a query point (median); {args.queries} queries each:")
        print("  selectors.vehicles_near nearest 50:      p50 %.1f ms  p95 %.1f ms  (goal p50 <= 10 ms)" % pcts(sel))
        print("  GET /api/v1/vehicles limit=50 (page 1):  p50 %.1f ms  p95 %.1f ms" % pcts(api))
        print("  GET /api/v1/vehicles page 3 by cursor:   p50 %.1f ms  p95 %.1f ms" % pcts(page3))
        print("  every vehicle within 1000 m (no limit):  p50 %.1f ms  p95 %.1f ms" % pcts(everything))


if __name__ == "__main__":
    main()
