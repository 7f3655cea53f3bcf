"""Two legs recorded at once for the last included ride: exactly one is covered (PostgreSQL row lock)."""
import threading

from django.db import connection

from billing import services
from billing.models import UsageRecord


def test_last_ride_is_covered_once(transactional_db, billing_plans, resident, subscribe_locally):
    user = resident.user
    subscribe_locally(user, "urban")
    for n in range(19):
        services.record_usage(user, mode="city_bike", leg_ref=f"r{n}", minutes=10)
    barrier = threading.Barrier(4)
    errors = []

    def ride(ref):
        try:
            barrier.wait(timeout=10)
            services.record_usage(user, mode="city_bike", leg_ref=ref, minutes=10)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ride, args=(f"last-{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    last = UsageRecord.objects.filter(user=user, leg_ref__startswith="last-")
    assert sorted(last.values_list("charge_cents", flat=True)) == [0, 500, 500, 500]
    assert sum(last.values_list("covered_rides", flat=True)) == 1
