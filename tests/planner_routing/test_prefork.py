"""gunicorn's master loads the routing network before forking, so the workers share it (maas/prefork.py)."""
import gc
import runpy
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from planner.engines.base import EngineUnavailable, PlanRequest
from planner.engines.embedded import EmbeddedEngine, EmbeddedNetwork
from planner.engines.embedded.artifacts import artifact_paths

from .conftest import at

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def gunicorn_conf():
    conf = runpy.run_path(str(CONFIG))
    yield conf
    gc.unfreeze()


@pytest.mark.django_db(transaction=True)
def test_the_master_loads_the_active_network_before_forking_and_workers_do_not_load_it_again(
        gunicorn_conf, routed_feed_osm, monkeypatch):
    assert gunicorn_conf["preload_app"] is True
    connection.ensure_connection()

    gunicorn_conf["when_ready"](None)

    network_path, _ = artifact_paths(routed_feed_osm)
    engine = EmbeddedEngine.instance()
    assert list(engine._networks) == [str(network_path)]
    network = engine._networks[str(network_path)]
    assert network.net.mapped is True  # streets: one copy in the page cache for every process
    assert network.meta._stop_index is not None  # the area, computed once before the fork
    assert gc.get_freeze_count() > 0
    assert connection.connection is None  # no database socket handed down to the workers

    def no_second_load(*args, **kwargs):
        raise AssertionError("a worker loaded the network again")

    monkeypatch.setattr(EmbeddedNetwork, "load", no_second_load)
    itineraries = engine.plan(PlanRequest(origin=(60.18761, 24.97721), destination=(60.16885, 24.93118),
                                          departure=at(8, 30)))
    assert itineraries and itineraries[0]["legs"]


@pytest.mark.django_db(transaction=True)
def test_without_a_built_network_the_server_still_starts_and_requests_say_why(gunicorn_conf, active_feed):
    gunicorn_conf["when_ready"](None)

    assert EmbeddedEngine.instance()._networks == {}
    with pytest.raises(EngineUnavailable) as exc:
        EmbeddedEngine.instance().current()
    assert exc.value.code == "network_not_built"


def test_an_unreachable_database_at_start_leaves_the_loading_to_the_workers(gunicorn_conf, monkeypatch, caplog,
                                                                            fresh_engine):
    def down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(EmbeddedEngine, "current", down)
    gunicorn_conf["on_reload"](None)

    assert EmbeddedEngine.instance()._networks == {}
    assert "routing network not preloaded" in caplog.text
