"""Run test calls truly in parallel: one thread (and one DB connection) per call, released together."""
import contextlib
import threading

from django.db import connection


def run_concurrently(calls, timeout=120, max_parallel=None):
    """Run the callables in one thread each behind one barrier; returns their results in order, an exception
    in place of a result when a call raised. Each thread closes its own DB connection; `max_parallel` caps
    how many calls (so DB connections) run at once."""
    barrier = threading.Barrier(len(calls))
    gate = threading.BoundedSemaphore(max_parallel) if max_parallel else contextlib.nullcontext()
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            with gate:
                try:
                    results[i] = call()
                finally:
                    connection.close()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
