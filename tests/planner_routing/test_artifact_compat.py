"""Side-cars written before the engine became a package still load (no rebuild needed after upgrading)."""
import pickle
from datetime import date

from planner.engines.embedded.feedmeta import FeedMeta


def test_side_car_pickled_under_the_old_module_name_loads(tmp_path):
    meta = FeedMeta(stops={"s": {"name": "S", "names": {}, "lat": 60.0, "lon": 25.0, "wheelchair": 0, "zone": None}},
                    routes={}, trips={}, trip_stops={}, calendar={}, added={}, removed={},
                    service_start=date(2024, 1, 1), service_end=date(2024, 1, 2), min_transfer_s={},
                    pair_transfer_s={}, footpaths=[])
    raw = pickle.dumps(meta, protocol=0).replace(b"planner.engines.embedded.feedmeta", b"planner.engines.embedded_gtfs")
    assert b"planner.engines.embedded_gtfs" in raw
    path = tmp_path / "old.meta.pickle"
    path.write_bytes(raw)
    loaded = FeedMeta.load(path)
    assert isinstance(loaded, FeedMeta) and loaded.stops == meta.stops and loaded.service_end == date(2024, 1, 2)
