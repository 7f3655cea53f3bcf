"""Bench: the GDPR export (GET /api/v1/me/export) and the permit list of a resident with many rows.

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (created and dropped here); no Stripe
(the residents have no Stripe customer).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_privacy .venv/bin/python bench/privacy.py --bookings 500

Prints medians and p95 in milliseconds.
"""
import argparse
import statistics
import time

import _django  # noqa: E402  (bench/ is sys.path[0] when run as a script)

_django.setup(LOG_LEVEL="WARNING")

from django.db import connection  # noqa: E402


def timings_ms(fn, rounds):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return round(statistics.median(samples), 1), round(samples[int(0.95 * (len(samples) - 1))], 1)


def seed(bookings, permits):
    from datetime import date

    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from maas.accounts import households, services
    from maas.bookings.models import Booking, BookingEvent
    from maas.parking.models import ParkingArea, Permit

    resident = services.register_resident(email="bench@example.org", password="bench-pass-123")
    household = households.create_household(address="Työpajankatu 2", apartment="A 1", block="KS-1")
    households.join_household(resident, households.issue_join_code(household).code)
    leg = {"mode": "scooter", "from": {"name": "A", "lat": 60.18, "lon": 24.97},
           "to": {"name": "B", "lat": 60.19, "lon": 24.96}}
    rows = Booking.objects.bulk_create([Booking(user=resident.user, provider_id=1, mode="scooter", leg=leg,
                                                state="FINISHED", vehicle_id=f"v{i}") for i in range(bookings)])
    BookingEvent.objects.bulk_create([BookingEvent(booking=b, from_state="STARTED", to_state="FINISHED",
                                                   actor_label="bench", reason="bench") for b in rows])
    for i in range(permits):
        area = ParkingArea.objects.create(code=f"b{i}", name=f"Bench {i}", blocks="KS-1")
        Permit.objects.create(resident=resident, household=household, area=area, plate=f"BEN-{i + 1}",
                              status=Permit.WAITLISTED, valid_from=date.today())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(resident.user).access_token}",
                       HTTP_ACCEPT_LANGUAGE="en")
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=500)
    parser.add_argument("--permits", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        client = seed(args.bookings, args.permits)
        assert client.get("/api/v1/me/export").status_code == 200
        export = timings_ms(lambda: client.get("/api/v1/me/export"), args.rounds)
        permits = timings_ms(lambda: client.get("/api/v1/parking/permits"), args.rounds)
        print(f"export ({args.bookings} bookings with events): median {export[0]} ms, p95 {export[1]} ms")
        print(f"permit list ({args.permits} waitlisted permits): median {permits[0]} ms, p95 {permits[1]} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
