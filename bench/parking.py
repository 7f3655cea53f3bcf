"""Bench: permit grant latency under 200 concurrent requests for the last 10 spaces, and over-allocation.

Runs against PostgreSQL (DATABASE_URL) in a throwaway test database (test_<name>, created and dropped
here), so nothing is left behind. Each round: an area with 380 households at 0.5 spaces per household
(cap 190) and 180 permits already granted; then 200 threads, released together by a barrier, apply
at once. Default model: an app server with --connections workers holding persistent connections
(CONN_MAX_AGE); all 200 requests arrive at t0 and queue for a worker. --connection-per-request instead
starts one thread per request, each opening its own connection (at most --connections at once: the
shared server allows 100 in total). --processes runs the --connections workers as forked processes
(no shared GIL, like app-server worker processes). --allocator sql|orm picks the allocation path.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_parking .venv/bin/python bench/parking.py

Prints per round and overall: median and p95 of the service call (lock wait + grant/waitlist decision;
plus connecting in --connection-per-request) and of the whole request including the wait for a free
worker/connection; grants, waitlisted, over-allocation (granted beyond the cap: must be 0).
"""
import argparse
import os
import statistics
import sys
import threading
import time

from django.db import connection  # noqa: E402
from load import free_port, server_env, start_gunicorn  # noqa: E402  (sets Django up with the bench JWT key)

HOUSEHOLDS, PREFILLED, REQUESTS = 380, 180, 200


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def seed_area(n):
    """Round n's area (cap 190 of 380 households, facility of 1,000 spaces) with 180 permits granted;
    returns (area, the 200 residents still to apply, cap)."""
    from decimal import Decimal

    from maas.accounts import services as accounts
    from maas.parking import selectors, services
    from maas.parking.models import Facility, FacilityCapacity, ParkingArea

    block = f"BENCH-{n}"
    facility = Facility.objects.create(name=f"Bench facility {n}", lat=60.187, lon=24.979, usages=["PARK_AND_RIDE"])
    FacilityCapacity.objects.create(facility=facility, capacity_type="CAR", capacity=1000)
    area = ParkingArea.objects.create(code=f"bench-{n}", name=f"Bench {n}", blocks=block, facility=facility,
                                      cap_rule=ParkingArea.PER_HOUSEHOLD, spaces_per_household=Decimal("0.5"))
    residents = []
    for i in range(HOUSEHOLDS):
        household = accounts.create_household(address=f"Bench street {n}-{i}", block=block)
        residents.append(accounts.register_resident(email=f"bench{n}-{i}@example.org", password=None,
                                                    household=household))
    for i, r in enumerate(residents[:PREFILLED]):
        services.apply_for_permit(r, area.pk, plate=f"PRE-{i}")
    return area, residents[PREFILLED:], selectors.area_usage(area)["cap"]


def one_round(n, connections, pool=False, processes=False):
    from maas.parking import services
    from maas.parking.models import Permit

    area, applicants, cap = seed_area(n)
    barrier = threading.Barrier(REQUESTS)
    gate = threading.BoundedSemaphore(connections)
    service_ms, total_ms, outcomes = [None] * REQUESTS, [None] * REQUESTS, [None] * REQUESTS

    def worker(i, resident):
        barrier.wait()
        t0 = time.perf_counter()
        with gate:
            t1 = time.perf_counter()
            try:
                outcomes[i] = services.apply_for_permit(resident, area.pk, plate=f"NEW-{i}").status
            except Exception as exc:
                outcomes[i] = f"error: {exc!r}"
            finally:
                t2 = time.perf_counter()
                connection.close()
        service_ms[i], total_ms[i] = (t2 - t1) * 1000, (t2 - t0) * 1000

    if processes:
        wall = time.perf_counter()
        service_ms, total_ms, outcomes = process_pool(area.pk, applicants, connections)
        threads = []
    elif pool:
        # K long-lived workers with persistent connections take the 200 requests, which all arrive at t0.
        import queue
        jobs = queue.SimpleQueue()
        for item in enumerate(applicants):
            jobs.put(item)
        ready = threading.Barrier(connections + 1)

        def pool_worker():
            connection.ensure_connection()
            ready.wait()
            while True:
                try:
                    i, resident = jobs.get_nowait()
                except queue.Empty:
                    break
                t1 = time.perf_counter()
                try:
                    outcomes[i] = services.apply_for_permit(resident, area.pk, plate=f"NEW-{i}").status
                except Exception as exc:
                    outcomes[i] = f"error: {exc!r}"
                t2 = time.perf_counter()
                service_ms[i], total_ms[i] = (t2 - t1) * 1000, (t2 - start[0]) * 1000
            connection.close()

        start = [0.0]
        threads = [threading.Thread(target=pool_worker) for _ in range(connections)]
        for t in threads:
            t.start()
        start[0] = wall = time.perf_counter()
        ready.wait()
    else:
        threads = [threading.Thread(target=worker, args=(i, r)) for i, r in enumerate(applicants)]
        wall = time.perf_counter()
        for t in threads:
            t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    granted_total = Permit.objects.filter(area=area, status="granted").count()
    return {
        "service_ms": service_ms, "total_ms": total_ms, "wall_s": wall, "cap": cap,
        "granted": outcomes.count("granted"), "waitlisted": outcomes.count("waitlisted"),
        "errors": [o for o in outcomes if o not in ("granted", "waitlisted")],
        "over_allocation": max(0, granted_total - cap),
    }


def process_pool(area_id, applicants, workers):
    """Like the thread pool, but `workers` forked processes (app-server workers, no shared GIL).

    All requests are queued at t0 (after every worker has connected); returns (service_ms, total_ms, outcomes).
    """
    import multiprocessing as mp

    from maas.parking import services

    ctx = mp.get_context("fork")
    jobs, results = ctx.Queue(), ctx.Queue()
    ready, go = ctx.Barrier(workers + 1), ctx.Event()
    for i in range(len(applicants)):
        jobs.put(i)
    for _ in range(workers):
        jobs.put(None)
    connection.close()  # children open their own connections

    def work():
        connection.ensure_connection()
        ready.wait()
        go.wait()
        while (i := jobs.get()) is not None:
            t1 = time.perf_counter()
            try:
                outcome = services.apply_for_permit(applicants[i], area_id, plate=f"NEW-{i}").status
            except Exception as exc:
                outcome = f"error: {exc!r}"
            results.put((i, outcome, t1, time.perf_counter()))
        connection.close()

    procs = [ctx.Process(target=work) for _ in range(workers)]
    for proc in procs:
        proc.start()
    ready.wait()
    t0 = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
    go.set()
    service_ms, total_ms, outcomes = [None] * len(applicants), [None] * len(applicants), [None] * len(applicants)
    for _ in applicants:
        i, outcome, t1, t2 = results.get()
        outcomes[i], service_ms[i], total_ms[i] = outcome, (t2 - t1) * 1000, (t2 - t0) * 1000
    for proc in procs:
        proc.join()
    return service_ms, total_ms, outcomes


def http_round(n, base):
    """200 POST /api/v1/parking/permits through gunicorn, all sent at t0 on their own connections.

    Returns per-request milliseconds from connect+send to the whole answer, outcomes and over-allocation.
    """
    import asyncio
    import json

    from rest_framework_simplejwt.tokens import RefreshToken

    from maas.parking.models import Permit

    area, applicants, cap = seed_area(n)
    tokens = [str(RefreshToken.for_user(r.user).access_token) for r in applicants]
    host, port = base.removeprefix("http://").split(":")

    async def one(i):
        body = json.dumps({"area_id": area.pk, "plate": f"NEW-{i}"}).encode()
        head = (f"POST /api/v1/parking/permits HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {tokens[i]}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        t0 = time.perf_counter()
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(head.encode() + body)
        answer = await reader.read()
        elapsed = (time.perf_counter() - t0) * 1000
        writer.close()
        status_line, _, rest = answer.partition(b"\r\n")
        payload = rest.partition(b"\r\n\r\n")[2]
        try:
            outcome = json.loads(payload)["status"] if b" 201 " in status_line else status_line.decode()
        except ValueError:
            outcome = status_line.decode()
        return elapsed, outcome

    async def run():
        return await asyncio.gather(*(one(i) for i in range(len(applicants))))

    wall = time.perf_counter()
    results = asyncio.run(run())
    wall = time.perf_counter() - wall
    total_ms, outcomes = [r[0] for r in results], [r[1] for r in results]
    granted_total = Permit.objects.filter(area=area, status="granted").count()
    return {"service_ms": total_ms, "total_ms": total_ms, "wall_s": wall, "cap": cap,
            "granted": outcomes.count("granted"), "waitlisted": outcomes.count("waitlisted"),
            "errors": [o for o in outcomes if o not in ("granted", "waitlisted")],
            "over_allocation": max(0, granted_total - cap)}


def http_bench(args):
    """--http: the rounds through gunicorn (production settings, --workers) instead of in-process calls."""
    import urllib.request

    port = free_port()
    proc = start_gunicorn(port, args.workers, server_env())
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(4 * args.workers):  # every worker connected to the database once
            with urllib.request.urlopen(f"{base}/readyz", timeout=30):
                pass
        all_total, over, failures = [], 0, 0
        for n in range(1, args.rounds + 1):
            r = http_round(n, base)
            all_total += r["total_ms"]
            over += r["over_allocation"]
            failures += len(r["errors"])
            print(f"round {n}: {REQUESTS} concurrent POST /api/v1/parking/permits, last 10 of cap {r['cap']}: "
                  f"granted {r['granted']}, waitlisted {r['waitlisted']}, errors {len(r['errors'])}, "
                  f"over-allocation {r['over_allocation']} | request median {statistics.median(r['total_ms']):.1f}"
                  f" ms p95 {pct(r['total_ms'], 95):.1f} ms | wall {r['wall_s']:.2f} s", flush=True)
            for e in r["errors"][:3]:
                print("   ", e)
        print(f"ALL {args.rounds} rounds over HTTP ({len(all_total)} requests, gunicorn {args.workers} sync workers, "
              f"{allocator_name()} allocator): request median {statistics.median(all_total):.1f} ms, "
              f"p95 {pct(all_total, 95):.1f} ms; over-allocation {over}; errors {failures}; goal p95 <= 100 ms: "
              f"{'met' if pct(all_total, 95) <= 100 else 'NOT met'}; load average {os.getloadavg()[0]:.2f}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def baseline(n=100):
    """Latency of one application at a time on a warm connection (the serialized cost per grant)."""

    from maas.accounts import services as accounts
    from maas.parking import services
    from maas.parking.models import Facility, FacilityCapacity, ParkingArea

    facility = Facility.objects.create(name="Bench baseline facility", lat=60.187, lon=24.979)
    FacilityCapacity.objects.create(facility=facility, capacity_type="CAR", capacity=1000)
    area = ParkingArea.objects.create(code="bench-base", name="Bench baseline", blocks="BASE", facility=facility,
                                      cap_rule=ParkingArea.ABSOLUTE, absolute_cap=n // 2)
    residents = [accounts.register_resident(email=f"base-{i}@example.org", password=None,
                                            household=accounts.create_household(address=f"Base {i}", block="BASE"))
                 for i in range(n)]
    times = []
    for i, r in enumerate(residents):
        t0 = time.perf_counter()
        services.apply_for_permit(r, area.pk, plate=f"BAS-{i}")
        times.append((time.perf_counter() - t0) * 1000)
    return times


def allocator_name():
    from maas.parking.services import use_sql_allocator

    return "sql function" if use_sql_allocator() else "ORM"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16, help="max DB connections held at once")
    parser.add_argument("--connection-per-request", action="store_true",
                        help="one thread and one new DB connection per request (at most --connections at once) "
                             "instead of --connections app-server workers with persistent connections")
    parser.add_argument("--switch-interval-ms", type=float, default=None,
                        help="sys.setswitchinterval for the GIL (default: Python's 5 ms)")
    parser.add_argument("--async-commit", action="store_true",
                        help="settings.PARKING_ASYNC_COMMIT=True (synchronous_commit off for allocations)")
    parser.add_argument("--processes", action="store_true",
                        help="--connections forked worker processes instead of threads (no shared GIL)")
    parser.add_argument("--http", action="store_true",
                        help="POST /api/v1/parking/permits through gunicorn (production settings, Redis cache) "
                             "instead of calling the service in-process")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers with --http")
    parser.add_argument("--allocator", choices=["sql", "orm"], default=None,
                        help="settings.PARKING_ALLOCATOR (default: the setting's value)")
    args = parser.parse_args()
    if args.allocator:
        from django.conf import settings
        settings.PARKING_ALLOCATOR = args.allocator
    if args.async_commit:
        from django.conf import settings
        settings.PARKING_ASYNC_COMMIT = True
    if args.switch_interval_ms:
        sys.setswitchinterval(args.switch_interval_ms / 1000)
    if connection.vendor != "postgresql":
        sys.exit("bench/parking.py needs PostgreSQL: set DATABASE_URL=postgres://...")

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        if args.http:
            return http_bench(args)
        base = baseline()
        print(f"allocator: {allocator_name()}")
        print(f"baseline: {len(base)} sequential applications, no contention: median "
              f"{statistics.median(base):.2f} ms, p95 {pct(base, 95):.2f} ms")
        all_service, all_total, over, failures = [], [], 0, 0
        for n in range(1, args.rounds + 1):
            r = one_round(n, args.connections, not args.connection_per_request, args.processes)
            all_service += r["service_ms"]
            all_total += r["total_ms"]
            over += r["over_allocation"]
            failures += len(r["errors"])
            print(f"round {n}: {REQUESTS} concurrent requests, last 10 of cap {r['cap']}: "
                  f"granted {r['granted']}, waitlisted {r['waitlisted']}, errors {len(r['errors'])}, "
                  f"over-allocation {r['over_allocation']} | "
                  f"service median {statistics.median(r['service_ms']):.1f} ms "
                  f"p95 {pct(r['service_ms'], 95):.1f} ms | request median {statistics.median(r['total_ms']):.1f} ms "
                  f"p95 {pct(r['total_ms'], 95):.1f} ms | wall {r['wall_s']:.2f} s")
            for e in r["errors"][:3]:
                print("   ", e)
        print(f"ALL {args.rounds} rounds ({len(all_service)} requests, {args.connections} connections"
              f"{' in worker processes' if args.processes else ''}, "
              f"{allocator_name()} allocator, "
              f"{'async' if args.async_commit else 'synchronous'} commit): "
              f"service median {statistics.median(all_service):.1f} ms, p95 {pct(all_service, 95):.1f} ms; "
              f"request median {statistics.median(all_total):.1f} ms, p95 {pct(all_total, 95):.1f} ms; "
              f"over-allocation {over}; errors {failures}; goal p95 <= 100 ms: "
              f"service {'met' if pct(all_service, 95) <= 100 else 'NOT met'}, "
              f"request {'met' if pct(all_total, 95) <= 100 else 'NOT met'}")
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
