"""Bench: booking creation (Stripe authorisation + TOMP offer/book), idempotent replays, 20 concurrent
same-key requests, a whole ride (create -> start -> finish -> capture), and city-bike station bookings
(per-station lock + hold count) with 10 concurrent requests for a station's last bike.

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (created and dropped here), with
localstripe and the local TOMP-like operator from the tests, both on 127.0.0.1.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bookings .venv/bin/python bench/bookings.py

Prints medians in milliseconds (in-process API calls through DRF's test client).
"""
import argparse
import statistics
import threading
import time

import _django  # noqa: E402  (bench/ is sys.path[0] when run as a script)

_django.setup(LOG_LEVEL="WARNING")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def ms(seconds):
    return round(seconds * 1000, 1)


def _gbfs_station_provider(n):
    """A GBFS-only city-bike provider: one station with plenty of bikes, five with one bike each."""
    from django.utils import timezone

    from providers.services import register_provider
    from providers.snapshots import Section, swap_snapshot

    provider = register_provider(name="Bench GBFS city bikes", kind="bike_share")
    now = timezone.now()
    rows = [{"station_id": "S-many", "name": "Many", "lat": 60.1874, "lon": 24.9770, "capacity": n * 2,
             "bikes_available": n * 2, "docks_available": 0, "last_reported": now}]
    rows += [{"station_id": f"S-one-{r}", "name": f"One {r}", "lat": 60.1874, "lon": 24.9770, "capacity": 5,
              "bikes_available": 1, "docks_available": 4, "last_reported": now} for r in range(5)]
    swap_snapshot(provider, source="import", now=now, ttl=3600,
                  sections={"stations": Section(last_updated=now, rows=rows)})
    provider.refresh_from_db()
    return provider


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)

    from providers.tomp_operator import TompServer
    from tests.bookings.conftest import add_card, book, client_for, make_leg
    from tests.stripe_server import point_stripe_at, start_localstripe

    stripe_server = start_localstripe()
    point_stripe_at(stripe_server)
    try:
        with TompServer() as tomp:
            from maas.accounts.services import register_resident
            from providers.services import register_provider

            call_command("load_billing_plans", verbosity=0)
            provider = register_provider(name="Bench TOMP", kind="scooter", booking_api_url=tomp.url)
            resident = register_resident(email="bench@example.org", password="bench-pass-123456")
            add_card(resident.user)
            api = client_for(resident.user)
            n = args.rounds
            tomp.state.available.update({f"B-{i}": True for i in range(n * 30)})
            assets = iter(f"B-{i}" for i in range(n * 30))

            create, replay, ride = [], [], []
            for i in range(n):
                leg = make_leg(provider.pk, vehicle_id=next(assets))
                t0 = time.perf_counter()
                response = book(api, leg, key=f"create-{i}")
                create.append(time.perf_counter() - t0)
                assert response.status_code == 201, response.content
                t0 = time.perf_counter()
                assert book(api, leg, key=f"create-{i}").status_code == 201
                replay.append(time.perf_counter() - t0)
                booking_id = response.json()["id"]
                t0 = time.perf_counter()
                api.post(f"/api/v1/bookings/{booking_id}/start")
                assert api.post(f"/api/v1/bookings/{booking_id}/finish").json()["state"] == "FINISHED"
                ride.append(time.perf_counter() - t0)

            concurrent = []
            for r in range(min(5, n)):
                leg = make_leg(provider.pk, vehicle_id=next(assets))
                barrier, statuses = threading.Barrier(20), []

                def worker(key=f"concurrent-{r}", leg=leg, barrier=barrier, statuses=statuses):
                    client = client_for(resident.user)
                    barrier.wait()
                    try:
                        statuses.append(book(client, leg, key=key).status_code)
                    finally:
                        connection.close()

                threads = [threading.Thread(target=worker) for _ in range(20)]
                t0 = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                concurrent.append(time.perf_counter() - t0)
                assert statuses == [201] * 20, statuses

            station = []
            gbfs = _gbfs_station_provider(n)
            for i in range(n):
                t0 = time.perf_counter()
                response = book(api, make_leg(gbfs.pk, mode="city_bike", station_id="S-many"), key=f"station-{i}")
                station.append(time.perf_counter() - t0)
                assert response.status_code == 201, response.content
            last_bike = []
            for r in range(min(5, n)):
                barrier, statuses = threading.Barrier(10), []

                def worker(key, barrier=barrier, statuses=statuses, station_id=f"S-one-{r}"):
                    client = client_for(resident.user)
                    barrier.wait()
                    try:
                        statuses.append(book(client, make_leg(gbfs.pk, mode="city_bike", station_id=station_id),
                                             key=key).status_code)
                    finally:
                        connection.close()

                threads = [threading.Thread(target=worker, args=(f"last-{r}-{i}",)) for i in range(10)]
                t0 = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                last_bike.append(time.perf_counter() - t0)
                assert sorted(statuses) == [201] + [409] * 9, statuses

        print(f"bookings bench ({n} rounds, localstripe + local TOMP on 127.0.0.1, PostgreSQL)")
        print(f"  create booking (authorise + offer + book), median: {ms(statistics.median(create))} ms")
        print(f"  idempotent replay, median:                        {ms(statistics.median(replay))} ms")
        print(f"  start + finish + capture, median:                 {ms(statistics.median(ride))} ms")
        print(f"  20 concurrent same-key requests (wall), median:   {ms(statistics.median(concurrent))} ms")
        print(f"  city-bike station booking (lock + count), median: {ms(statistics.median(station))} ms")
        print(f"  10 concurrent for a station's last bike (wall):   {ms(statistics.median(last_bike))} ms")
    finally:
        stripe_server.process.terminate()
        stripe_server.process.wait(timeout=5)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
