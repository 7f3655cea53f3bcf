"""Two refreshes of one feed at once (two workers, a beat task and the command): the second is skipped while the
first downloads, imports and builds, so the feed is imported once; a refresh of another feed is not held up."""
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from planner.models import FeedSource, FeedVersion
from planner.refresh.service import refresh_feeds

from .test_refresh import feed_bytes, renamed


@pytest.mark.django_db(transaction=True)
def test_a_second_refresh_of_the_same_feed_is_skipped_while_the_first_runs(server, tmp_path):
    server.publish(feed_bytes(tmp_path), 1_700_000_000)
    call_command("feed_source", "metro", server.url, "--every", "1h", verbosity=0)
    server.gate = threading.Event()
    first: list = []

    def refresh_in_another_worker():
        try:
            first.extend(refresh_feeds("metro"))
        finally:
            connection.close()  # this thread's own database session (and its advisory lock, were it held)

    worker = threading.Thread(target=refresh_in_another_worker)
    worker.start()
    try:
        assert server.arrived.wait(30)  # the first refresh holds the feed's lock and is downloading
        (second,) = refresh_feeds("metro")
        assert (second.name, second.outcome, str(second)) == (
            "metro", "busy", "metro: skipped: another refresh of this feed is running")
        assert len(server.requests) == 1  # the second never downloaded
        assert FeedSource.objects.get(name="metro").last_outcome == ""  # a skip records nothing
    finally:
        server.gate.set()
        worker.join(60)
    assert [(o.outcome, o.feed.version) for o in first] == [("updated", 1)]
    assert list(FeedVersion.objects.filter(name="metro").values_list("version", "is_active")) == [(1, True)]
    # The lock went with the first refresh: the next one runs (and finds the feed unchanged).
    server.gate = None
    assert [o.outcome for o in refresh_feeds("metro")] == ["unchanged"]
    # A changed feed afterwards is imported once more, as version 2.
    server.publish(feed_bytes(tmp_path, "v2.zip", stops__txt=renamed("Fiskehamnen")), 1_700_100_000)
    assert [(o.outcome, o.feed.version) for o in refresh_feeds("metro")] == [("updated", 2)]
