"""Run test calls truly in parallel: one thread (and one DB connection) per call, released together."""
import threading

from django.db import connection


def run_concurrently(calls, timeout=120):
    """Run the callables in one thread each behind one barrier; returns their results in order, an exception
    in place of a result when a call raised. Each thread closes its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
