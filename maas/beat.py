"""The beat scheduler: django-celery-beat's DatabaseScheduler with its interval tasks at a fixed rate.

django-celery-beat runs an interval task `every` seconds after its last run was *sent* (`last_run_at` is the send
time), so each run's lateness (beat's tick, its database save, a busy beat) carries into every later run: a 15 s
real-time poll drifts. Here an interval task's runs are due at fixed points `phase + k * every` (epoch seconds; the
phase comes from the task's name, so tasks of one interval do not all fire together): a late run delays only itself,
and runs beat missed while down are not made up (one run, then the next point). Crontab tasks are unchanged.
Settings: CELERY_BEAT_SCHEDULER = "maas.beat:FixedRateScheduler".
"""
from __future__ import annotations

import math
import zlib

from celery import schedules
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry


class FixedRate(schedules.schedule):
    """Due at phase_s + k * run_every (epoch seconds), whenever the last run was sent."""

    def __init__(self, run_every, phase_s: float = 0.0, nowfun=None, app=None):
        super().__init__(run_every, nowfun=nowfun, app=app)
        self.phase_s = phase_s % self.seconds

    def _slot(self, when) -> int:
        return math.floor((when.timestamp() - self.phase_s) / self.seconds)

    def _until_after(self, slot: int, now) -> float:
        """Seconds from `now` to the start of the slot after `slot`."""
        return max(0.0, (slot + 1) * self.seconds + self.phase_s - now.timestamp())

    def remaining_estimate(self, last_run_at):
        from datetime import timedelta

        return timedelta(seconds=self._until_after(self._slot(last_run_at), self.now()))

    def is_due(self, last_run_at):
        now = self.now()
        slot = self._slot(now)
        if slot > self._slot(last_run_at):  # a point passed since the last run: run now, then at the next one
            return schedules.schedstate(True, self._until_after(slot, now))
        return schedules.schedstate(False, self._until_after(slot, now))

    def __repr__(self):
        return f"<fixed rate: every {self.human_seconds}, phase {self.phase_s:.0f} s>"

    def __reduce__(self):
        return self.__class__, (self.run_every, self.phase_s, self.nowfun)


def phase_s(name: str, every_s: float) -> float:
    """A stable offset within the interval for the task `name`."""
    return zlib.crc32(name.encode()) % max(1, int(every_s))


class FixedRateEntry(ModelEntry):
    """A database entry whose interval schedule is a FixedRate one."""

    def __init__(self, model, app=None):
        super().__init__(model, app)
        plain = getattr(self, "schedule", None)
        if type(plain) is schedules.schedule:
            self.schedule = FixedRate(plain.run_every, phase_s(model.name, plain.seconds), nowfun=plain.nowfun,
                                      app=self.app)


class FixedRateScheduler(DatabaseScheduler):
    Entry = FixedRateEntry
