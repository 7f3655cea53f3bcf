"""A refresh swaps the network under concurrent plan requests: none fails, and later ones see the new version."""
import io
import json
import threading
import urllib.request

import pytest
from django.core.management import call_command
from rest_framework_simplejwt.tokens import RefreshToken

from planner.engines.embedded import EmbeddedEngine
from planner.models import FeedVersion

from .feed_server import FeedServer
from .test_refresh import feed_bytes, renamed

BODY = {"from": {"stop_id": "1100602"}, "to": {"stop_id": "1111602"}, "departure": "2022-03-02T23:50:00+02:00",
        "modes": ["walk", "transit"]}
CLIENTS = 3


@pytest.mark.django_db(transaction=True)
def test_refresh_swaps_the_network_while_plans_are_served_and_no_request_fails(live_server, settings, tmp_path,
                                                                              make_resident):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ROUTING_FEED_RECHECK_S = 0  # every request asks which version is active
    EmbeddedEngine._instance = None
    server = FeedServer()
    try:
        server.publish(feed_bytes(tmp_path), 1_700_000_000)
        call_command("feed_source", "hsl", server.url, "--every", "1h", stdout=io.StringIO())
        call_command("refresh_feeds", stdout=io.StringIO())
        token = str(RefreshToken.for_user(make_resident().user).access_token)
        results: list[tuple[str, int, str | None]] = []  # (phase, status, first transit leg's origin name)
        lock = threading.Lock()
        phase = {"now": "before"}
        warmed, swapped_seen, stop = threading.Event(), threading.Event(), threading.Event()

        def client():
            while not stop.is_set():
                request = urllib.request.Request(
                    f"{live_server.url}/api/v1/plans", data=json.dumps(BODY).encode(), method="POST",
                    headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                started = phase["now"]
                try:
                    with urllib.request.urlopen(request, timeout=60) as resp:
                        status, body = resp.status, json.loads(resp.read())
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, {}
                legs = [leg for it in body.get("itineraries", []) for leg in it["legs"] if leg["transit"]]
                name = legs[0]["from"]["name"] if legs else None
                with lock:
                    results.append((started, status, name))
                    if len(results) >= 2 * CLIENTS:
                        warmed.set()
                    if started == "after" and sum(r[0] == "after" for r in results) >= 2 * CLIENTS:
                        swapped_seen.set()

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            assert warmed.wait(120)
            server.publish(feed_bytes(tmp_path, "v2.zip", stops__txt=renamed("Fiskehamnen")), 1_700_000_100)
            phase["now"] = "during"
            out = io.StringIO()
            call_command("refresh_feeds", stdout=out)
            phase["now"] = "after"
            assert "hsl v2 (active) is now active" in out.getvalue()
            assert swapped_seen.wait(120)
        finally:
            stop.set()
            for t in threads:
                t.join(120)
    finally:
        server.close()
        EmbeddedEngine._instance = None
    assert [r for r in results if r[1] != 200 or r[2] is None] == []  # every request answered with a transit trip
    assert {r[2] for r in results if r[0] == "before"} == {"Kalasatama"}
    assert {r[2] for r in results if r[0] == "after"} == {"Fiskehamnen"}
    assert any(r[0] == "during" for r in results)  # requests were served while v2 was imported and built
    assert FeedVersion.objects.get(is_active=True).version == 2
