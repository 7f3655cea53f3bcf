"""The poll loop keeps its cadence: tick k starts at anchor + k * period, whatever the polls before it took."""
from planner.realtime import polling


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        self.now += seconds


def test_ticks_stay_on_the_grid_and_an_overrun_skips_only_the_ticks_it_covers():
    clock = FakeClock()
    durations = iter([0.3, 0.5, 16.0, 0.2, 0.4])

    def poll():
        clock.now += next(durations)

    ticks = polling.run(poll, 15.0, cycles=5, clock=clock, sleep=clock.sleep)
    assert [t.number for t in ticks] == [0, 1, 2, 4, 5]
    assert [t.started - 1000.0 for t in ticks] == [0.0, 15.0, 30.0, 60.0, 75.0]
    assert [round(t.ended - t.started, 1) for t in ticks] == [0.3, 0.5, 16.0, 0.2, 0.4]
