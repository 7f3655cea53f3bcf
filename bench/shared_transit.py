"""Bench: street geometry cost and shared vehicles with transit, on the fixture and the HSL-sized network.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench .venv/bin/python bench/shared_transit.py [--queries 60]

In a throw-away test database, in-process POST /api/v1/plans (DRF test client, authenticated resident):
1. Fixture (fixtures/gtfs/kalasatama.zip, the demo scooter feed, HSL city-bike stations) and 2. the HSL-sized
   synthetic network of bench/plan.py (8,000 stops, centred on Kalasatama) with 5,000 free-floating scooters
   spread over the Kalasatama OSM extract (a generated GBFS 2.3 feed: the demo feed's types and geofencing,
   loaded through import_gbfs_feed). Origins inside the OSM extract, destinations near random served stops.
Per network, modes walk+transit, scooter, scooter+walk+transit: p50/p95 with the OSM street network active
(street legs with geometry and steps, shared rides to and from transit on streets) and without (straight
lines), and their p50 ratio (goal <= 1.5x). Prints the load average.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from plan import BENCH_DIR, FIXTURE, FIXTURE_DAY, HSL, ROOT, SYNTH_DAY, TZ, activate, pct  # noqa: E402  (django set up)

from planner.engines.embedded.build import build_artifacts  # noqa: E402
from tests.support.synthetic import write_feed  # noqa: E402

OSM = ROOT / "fixtures" / "osm" / "kalasatama.osm.pbf"
OSM_BOX = (60.150, 24.900, 60.210, 25.080)  # inside the extract's clip (lat0, lon0, lat1, lon1)
FIXTURE_BOX = (60.181, 24.968, 60.193, 24.994)
SCOOTERS = ROOT / "fixtures" / "providers" / "gbfs" / "kalasatama-scooters"
MODES = (["walk", "transit"], ["scooter"], ["scooter", "walk", "transit"])


def scooter_feed(directory: Path, n: int, seed=5) -> Path:
    """The demo scooter feed with `n` available vehicles spread uniformly over OSM_BOX."""
    shutil.copytree(SCOOTERS, directory, dirs_exist_ok=True)
    status = json.loads((directory / "free_bike_status.json").read_text())
    template = status["data"]["bikes"][1]
    rnd = random.Random(seed)
    status["data"]["bikes"] = [template | {"bike_id": f"bench-{i:05d}", "is_disabled": False, "is_reserved": False,
                                           "lat": round(rnd.uniform(OSM_BOX[0], OSM_BOX[2]), 6),
                                           "lon": round(rnd.uniform(OSM_BOX[1], OSM_BOX[3]), 6),
                                           "current_range_meters": rnd.choice([4000, 9000, 15000, 28000])}
                               for i in range(n)]
    (directory / "free_bike_status.json").write_text(json.dumps(status))
    return directory


def requests(box, stops, day, n, seed, hours=(7, 9)):
    """(origin in box, destination near a random stop, departure) triples."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        o = {"lat": rnd.uniform(box[0], box[2]), "lon": rnd.uniform(box[1], box[3])}
        lat, lon = stops[rnd.randrange(len(stops))]
        d = {"lat": lat + rnd.uniform(-0.0013, 0.0013), "lon": lon + rnd.uniform(-0.0026, 0.0026)}
        when = datetime.combine(day, datetime.min.time(), tzinfo=TZ).replace(hour=hours[0]) + timedelta(
            seconds=rnd.randint(0, (hours[1] - hours[0]) * 3600))
        out.append((o, d, when.isoformat()))
    return out


def run(client, reqs, modes):
    times, cpu, found, combined = [], [], 0, 0
    for o, d, when in reqs:
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.post("/api/v1/plans", {"from": o, "to": d, "departure": when, "modes": modes}, format="json")
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        its = r.json().get("itineraries", []) if r.status_code == 200 else []
        found += bool(its)
        combined += any({leg["mode"] for leg in it["legs"]} & {"scooter"} and any(leg["transit"] for leg in it["legs"])
                        for it in its)
    return times, cpu, found, combined


def bench_network(label, client, reqs):
    from planner.engines.embedded import EmbeddedEngine
    from planner.models import OsmNetwork

    rows = {}
    for active in (False, True):
        OsmNetwork.objects.all().delete()
        if active:
            OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(OSM), content_hash="bench")
        EmbeddedEngine._instance = None
        client.post("/api/v1/plans", {"from": reqs[0][0], "to": reqs[0][1], "departure": reqs[0][2]}, format="json")
        for modes in MODES:
            rows[active, "+".join(modes)] = run(client, reqs, modes)
    print(f"{label}: {len(reqs)} plans per row, in-process POST /api/v1/plans; load average "
          f"{Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
    for modes in MODES:
        key = "+".join(modes)
        (crow, crow_cpu, n0, c0), (streets, streets_cpu, n1, c1) = rows[False, key], rows[True, key]
        c50, c95, s50, s95 = (pct(crow, 50) * 1e3, pct(crow, 95) * 1e3, pct(streets, 50) * 1e3,
                              pct(streets, 95) * 1e3)
        u50, v50 = pct(crow_cpu, 50) * 1e3, pct(streets_cpu, 50) * 1e3
        print(f"  {key:22s} straight p50 {c50:6.1f} ms p95 {c95:6.1f} ms | streets+geometry+steps p50 {s50:6.1f} ms "
              f"p95 {s95:6.1f} ms | ratio p50 {s50 / c50:.2f}x, CPU-time p50 {u50:.1f} -> {v50:.1f} ms "
              f"{v50 / u50:.2f}x (goal <= 1.5x) | with a trip {n0}/{n1}, scooter+transit offered {c0}/{c1}",
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--vehicles", type=int, default=5000)
    parser.add_argument("--skip-hsl", action="store_true")
    args = parser.parse_args()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from rest_framework.test import APIClient

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    settings.NETWORK_DIR = BENCH_DIR / "active"
    build_artifacts(FIXTURE, BENCH_DIR / "fixture.cafein", BENCH_DIR / "fixture.meta.pickle", osm_path=OSM)
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    quiet = open("/dev/null", "w")
    try:
        user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
        client = APIClient()
        client.force_authenticate(user)
        call_command("import_citybike_stations", stdout=quiet)
        call_command("import_gbfs_feed", str(SCOOTERS), name="Kalasatama Scooters", kind="scooter", stdout=quiet)
        feed = activate(FIXTURE, BENCH_DIR / "fixture")
        from planner.models import Stop

        stops = list(Stop.objects.filter(feed=feed, lat__isnull=False).values_list("lat", "lon"))
        bench_network("fixture (65 stops, 120 demo scooters)", client,
                      requests(FIXTURE_BOX, stops, FIXTURE_DAY, args.queries, seed=1))
        if args.skip_hsl:
            return
        feed_dir = BENCH_DIR / "hsl_synthetic"
        if not (feed_dir / "stop_times.txt").exists():
            write_feed(feed_dir, **HSL)
        stem = BENCH_DIR / "hsl"
        if not Path(f"{stem}.split.cafein").exists():
            build_artifacts(feed_dir, f"{stem}.cafein", f"{stem}.meta.pickle")
        with tempfile.TemporaryDirectory() as tmp:
            call_command("import_gbfs_feed", str(scooter_feed(Path(tmp) / "feed", args.vehicles)),
                         name="Bench Scooters", kind="scooter", stdout=quiet)
        feed = activate(feed_dir, stem)
        stops = list(Stop.objects.filter(feed=feed, lat__isnull=False).values_list("lat", "lon"))
        bench_network(f"HSL-sized ({len(stops):,} stops, {args.vehicles:,} scooters)", client,
                      requests(OSM_BOX, stops, SYNTH_DAY, args.queries, seed=3, hours=(6, 8)))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
