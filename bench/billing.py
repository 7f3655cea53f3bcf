"""Bench: price_itinerary (pay-as-you-go and Urban residents), record_usage, a signed webhook through the
API, and Stripe round trips on localstripe (authorize + capture, subscribe).

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (created and dropped here), with
localstripe on 127.0.0.1.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_billing .venv/bin/python bench/billing.py

Prints medians in milliseconds.
"""
import argparse
import json
import statistics
import time

import _django  # noqa: E402  (bench/ is sys.path[0] when run as a script)

_django.setup(LOG_LEVEL="WARNING")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

ITINERARY = {"legs": [
    {"mode": "walk", "start_time": "2026-11-25T08:00:00+02:00", "duration_s": 240},
    {"mode": "metro", "start_time": "2026-11-25T08:04:00+02:00", "duration_s": 480, "zones": ["A"]},
    {"mode": "bus", "start_time": "2026-11-25T08:20:00+02:00", "duration_s": 720, "zones": ["A", "B"]},
    {"mode": "city_bike", "start_time": "2026-11-25T08:35:00+02:00", "duration_s": 2700, "distance_m": 6000},
]}


def median_ms(fn, rounds):
    samples = []
    for n in range(rounds):
        start = time.perf_counter()
        fn(n)
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples) * 1000, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--stripe-rounds", type=int, default=15)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    import stripe
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from billing import selectors, services
    from billing.models import Subscription
    from tests.billing.conftest import add_card
    from tests.stripe_server import point_stripe_at, sign_webhook, start_localstripe

    server = start_localstripe()
    point_stripe_at(server)
    try:
        from maas.accounts.services import register_resident

        call_command("load_billing_plans", verbosity=0)
        payg = register_resident(email="payg@example.org", password="bench-pass-123456").user
        urban = register_resident(email="urban@example.org", password="bench-pass-123456").user
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(urban).access_token}")
        add_card(api)
        services.subscribe(urban, "urban")
        results = {
            "price_itinerary PAYG (4 legs)": median_ms(lambda n: selectors.price_itinerary(payg, ITINERARY),
                                                       args.rounds),
            "price_itinerary Urban (4 legs)": median_ms(lambda n: selectors.price_itinerary(urban, ITINERARY),
                                                        args.rounds),
            "record_usage (city bike)": median_ms(
                lambda n: services.record_usage(urban, mode="city_bike", leg_ref=f"bench-{n}", minutes=12),
                args.rounds),
            "price_itineraries Urban (5 x 4 legs, one context)": median_ms(
                lambda n: selectors.price_itineraries(urban, [ITINERARY] * 5), args.rounds),
        }
        sub = Subscription.objects.get(user=urban)
        obj = stripe.StripeClient(server.api_key, base_addresses={"api": server.url}).v1.subscriptions.retrieve(
            sub.stripe_subscription_id).to_dict()
        anon = APIClient()

        def webhook(n):
            event = {"id": f"evt_bench_{n}", "type": "customer.subscription.updated", "created": int(time.time()) + n,
                     "object": "event", "data": {"object": obj}}
            payload = json.dumps(event).encode()
            response = anon.post("/api/v1/billing/webhooks/stripe", data=payload, content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE=sign_webhook(payload))
            assert response.status_code == 200

        results["webhook subscription.updated (signed, applied)"] = median_ms(webhook, args.rounds)
        results["webhook duplicate delivery"] = median_ms(lambda n: webhook(0), args.rounds)

        def authorize_capture(n):
            payment = services.authorize_payment(urban, amount_cents=295, idempotency_key=f"bench-{n}",
                                                 description="bench")
            services.capture_payment(payment, 295)

        results["authorize + capture on localstripe"] = median_ms(authorize_capture, args.stripe_rounds)

        # residents made outside the timing (password hashing is not billing's cost)
        users = [register_resident(email=f"s{n}@example.org", password="bench-pass-123456").user
                 for n in range(args.stripe_rounds)]

        def subscribe_cycle(n):
            user = users[n]
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
            add_card(client)
            services.subscribe(user, "urban")

        results["card setup + subscribe on localstripe"] = median_ms(subscribe_cycle, args.stripe_rounds)
        for name, value in results.items():
            print(f"{name:50s} median {value:8.2f} ms")
    finally:
        server.process.terminate()
        server.process.wait(timeout=5)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
