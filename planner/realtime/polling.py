"""A poll loop at a fixed cadence that does not drift: tick k is due at anchor + k * period (a slow poll
delays only its own tick's successors that it overlaps, which are skipped, never shifting the ones after).

`manage.py poll_realtime --loop` runs it (a process instead of the Celery beat task, which runs at the same fixed
rate: maas.beat);
bench/realtime_poll.py measures it."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass
class Tick:
    number: int  # k: due at anchor + k * period
    due: float
    started: float
    ended: float


def run(poll, period_s: float, cycles: int | None = None, clock=time.monotonic, sleep=time.sleep) -> list[Tick]:
    """Call `poll()` at anchor + k * period_s (k = 0, 1, ...), `cycles` times (None: forever); ticks a poll
    overran are skipped. Returns the ticks run."""
    anchor = clock()
    ticks: list[Tick] = []
    k = 0
    while cycles is None or len(ticks) < cycles:
        due = anchor + k * period_s
        wait = due - clock()
        if wait > 0:
            sleep(wait)
        started = clock()
        try:
            poll()
        finally:
            ticks.append(Tick(k, due, started, clock()))
        k = max(k + 1, math.floor((clock() - anchor) / period_s) + 1)
    return ticks
