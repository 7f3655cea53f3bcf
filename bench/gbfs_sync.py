"""Bench: GBFS pull sync of a 10,000-vehicle snapshot, and read-API throughput.

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (test_<name>, created and dropped
here). A local HTTP server on 127.0.0.1 serves a synthetic GBFS 2.3 feed (gbfs.json, vehicle_types,
free_bike_status with --vehicles vehicles scattered around Kalasatama, 300 stations); every round bumps
last_updated so each sync writes a full new snapshot.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_providers .venv/bin/python bench/gbfs_sync.py

Prints medians: full sync (HTTP fetch + parse + COPY + pointer flip + prune), the snapshot swap alone,
and the read path (selector and GET /api/v1/vehicles, /api/v1/stations in-process) in requests/s.
"""
import argparse
import json
import random
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import _django  # noqa: E402  (bench/ is sys.path[0] when run as a script)

_django.setup()

from django.db import connection  # noqa: E402

KALASATAMA = (60.18755649, 24.9770684)


class Feed:
    def __init__(self, vehicles, stations, seed=5):
        rnd = random.Random(seed)
        self.last_updated = int(time.time())
        self.vehicles = [{"bike_id": f"veh-{i:05d}", "lat": round(KALASATAMA[0] + rnd.uniform(-0.03, 0.03), 6),
                          "lon": round(KALASATAMA[1] + rnd.uniform(-0.06, 0.06), 6),
                          "is_reserved": rnd.random() < 0.05, "is_disabled": rnd.random() < 0.02,
                          "vehicle_type_id": "escooter", "current_range_meters": rnd.randint(500, 30000),
                          "last_reported": self.last_updated - rnd.randint(0, 120)} for i in range(vehicles)]
        self.stations = [{"station_id": f"st-{i}", "name": f"Station {i}",
                          "lat": round(KALASATAMA[0] + rnd.uniform(-0.03, 0.03), 6),
                          "lon": round(KALASATAMA[1] + rnd.uniform(-0.06, 0.06), 6), "capacity": 20}
                         for i in range(stations)]
        self.base = None

    def doc(self, name):
        head = {"last_updated": self.last_updated, "ttl": 10, "version": "2.3"}
        if name == "gbfs":
            feeds = [{"name": n, "url": f"{self.base}/{n}.json"} for n in
                     ("vehicle_types", "free_bike_status", "station_information", "station_status")]
            return {**head, "data": {"en": {"feeds": feeds}}}
        if name == "vehicle_types":
            return {**head, "data": {"vehicle_types": [{"vehicle_type_id": "escooter", "form_factor": "scooter",
                                                        "propulsion_type": "electric", "max_range_meters": 30000}]}}
        if name == "free_bike_status":
            return {**head, "data": {"bikes": self.vehicles}}
        if name == "station_information":
            return {**head, "data": {"stations": self.stations}}
        if name == "station_status":
            return {**head, "data": {"stations": [
                {"station_id": s["station_id"], "num_bikes_available": i % 12, "num_docks_available": 20 - i % 12,
                 "is_installed": True, "is_renting": True, "is_returning": True, "last_reported": self.last_updated}
                for i, s in enumerate(self.stations)]}}
        return None

    def serve(self):
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                doc = feed.doc(self.path.strip("/").removesuffix(".json"))
                body = json.dumps(doc).encode()
                self.send_response(200 if doc else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{httpd.server_address[1]}"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/gbfs_sync.py needs PostgreSQL: set DATABASE_URL=postgres://...")

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    feed = Feed(args.vehicles, 300)
    httpd = feed.serve()
    try:
        from django.contrib.auth import get_user_model
        from rest_framework.test import APIClient

        from providers import selectors, services
        from providers.gbfs import parse_time
        from providers.models import Provider, Vehicle
        from providers.snapshots import swap_snapshot
        from providers.sync import build_sections, fetch_feeds, sync_provider

        provider = services.register_provider(name="Bench scooters", kind="scooter", gbfs_url=f"{feed.base}/gbfs.json")

        def one_sync():
            feed.last_updated += 1
            result = sync_provider(Provider.objects.get(pk=provider.pk))
            assert result.snapshot is not None and result.snapshot.vehicle_count == args.vehicles, result

        sync_s = timed(one_sync, args.rounds)
        docs, _, _ = fetch_feeds(provider.gbfs_url)
        sections, _, _ = build_sections(docs)

        def one_swap():
            feed.last_updated += 1
            for s in sections.values():
                s.last_updated = parse_time(feed.last_updated)
            result = swap_snapshot(Provider.objects.get(pk=provider.pk), source="pull", sections=sections)
            assert result.snapshot is not None

        swap_s = timed(one_swap, args.rounds)
        t = time.perf_counter()
        docs, _, _ = fetch_feeds(provider.gbfs_url)
        fetch_s = time.perf_counter() - t
        t = time.perf_counter()
        build_sections(docs)
        parse_s = time.perf_counter() - t
        total_rows = Vehicle.objects.filter(snapshot__provider=provider).count()

        found = selectors.vehicles_near(*KALASATAMA, 500)
        sel_s = timed(lambda: selectors.vehicles_near(*KALASATAMA, 500), args.reads)
        user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
        client = APIClient()
        client.force_authenticate(user)
        api_v = timed(lambda: client.get("/api/v1/vehicles?near=60.18755649,24.9770684&radius=500"), args.reads)
        resp = client.get("/api/v1/vehicles?near=60.18755649,24.9770684&radius=500")
        assert resp.status_code == 200 and resp.json()["count"] == min(50, len(found)), resp.content[:300]
        stations_url = "/api/v1/stations?near=60.18755649,24.9770684&radius=1000&kind=scooter"
        n_stations = client.get(stations_url).json()["count"]
        assert n_stations > 0
        api_s = timed(lambda: client.get(stations_url), args.reads)

        med = statistics.median
        print(f"GBFS sync, {args.vehicles} vehicles + 300 stations, PostgreSQL, {args.rounds} rounds:")
        print(f"  full sync (HTTP + parse + COPY + flip + prune): median {med(sync_s) * 1000:.0f} ms "
              f"(min {min(sync_s) * 1000:.0f}, max {max(sync_s) * 1000:.0f})  goal <= 1000 ms")
        print(f"  snapshot swap only (COPY + flip + prune):      median {med(swap_s) * 1000:.0f} ms")
        print(f"  fetch {fetch_s * 1000:.0f} ms, parse {parse_s * 1000:.0f} ms (single run); "
              f"vehicle rows kept after prune: {total_rows} (2 snapshots)")
        print(f"Read path ({args.reads} calls each, single client in-process; {len(found)} vehicles within 500 m):")
        print(f"  selectors.vehicles_near 500 m: median {med(sel_s) * 1000:.1f} ms -> {1 / med(sel_s):.0f}/s")
        print(f"  GET /api/v1/vehicles 500 m:    median {med(api_v) * 1000:.1f} ms -> {1 / med(api_v):.0f} req/s")
        print(f"  GET /api/v1/stations 1000 m ({n_stations} stations): "
              f"median {med(api_s) * 1000:.1f} ms -> {1 / med(api_s):.0f} req/s")
    finally:
        httpd.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
