"""import_osm: merged OSM network kept under OSM_DIR; walking on the fixture reaches Kalasatama."""
import io
from pathlib import Path

import pyrosm
import pytest
from django.core.management import CommandError, call_command

from planner import selectors
from planner.models import OsmNetwork
from planner.osm.merge import merge_pbfs

from .conftest import KALASATAMA_OSM

# The walkability rule cafein 0.29 applies (streets._walking_network): pyrosm's "walking" filter without
# its cycleway/platform/sidewalk=separate exclusions, so Helsinki's shared foot-and-cycle paths stay in.
UNWALKABLE = {"area": ["yes"], "highway": ["abandoned", "construction", "motor", "motorway", "motorway_link",
                                           "proposed", "raceway"], "foot": ["no"], "service": ["private"]}


def _components(edges):
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in zip(edges["u"], edges["v"]):
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[ru] = rv
    return find


def _nearest(nodes, lat, lon):
    d = (nodes["lat"] - lat) ** 2 + ((nodes["lon"] - lon) * 0.5) ** 2
    row = nodes.loc[d.idxmin()]
    return row["id"], (d.min() ** 0.5) * 111_000


@pytest.mark.django_db
def test_import_osm_records_active_network_and_walking_reaches_kalasatama(feed_dirs):
    out = io.StringIO()
    call_command("import_osm", str(KALASATAMA_OSM), "--activate", stdout=out)
    network = selectors.active_osm_network()
    assert network is not None and Path(network.pbf_path).parent == feed_dirs / "osm"
    assert network.stats["ways"] == 42169 and network.stats["nodes"] == 201089

    nodes, edges = pyrosm.OSM(network.pbf_path).get_network(
        network_type="walking", custom_filter=UNWALKABLE, filter_type="exclude", nodes=True)
    find = _components(edges)
    kamppi, d1 = _nearest(nodes, 60.16890, 24.93150)  # Kamppi metro
    kalasatama, d2 = _nearest(nodes, 60.18761, 24.97721)  # Kalasatama metro platforms 1100601/1100602
    assert d1 < 20 and d2 < 20
    assert find(kamppi) == find(kalasatama)

    call_command("import_osm", str(KALASATAMA_OSM), "--activate", "--skip-if-unchanged", stdout=out)
    assert OsmNetwork.objects.count() == 1


def test_merge_keeps_each_osm_id_once_and_clips_to_bbox(tmp_path):
    bbox = (24.94, 60.165, 24.95, 60.172)
    alone = merge_pbfs([KALASATAMA_OSM], tmp_path / "a.osm.pbf", bbox=bbox)
    twice = merge_pbfs([KALASATAMA_OSM, KALASATAMA_OSM], tmp_path / "b.osm.pbf", bbox=bbox)
    assert alone == twice and 0 < alone["ways"] < 42169
    assert (tmp_path / "a.osm.pbf").read_bytes() == (tmp_path / "b.osm.pbf").read_bytes()


def test_fixture_rebuilds_from_two_overlapping_extracts_of_it(tmp_path):
    """The fixture's build (several extracts merged, then clipped to BBOX) run on two overlapping extracts
    cut from the fixture itself (west and east, each way kept whole) gives the fixture back byte for byte:
    objects in both are written once, nothing inside BBOX is lost, output order and metadata are stable."""
    from scripts.fixtures.build_kalasatama_osm import BBOX

    min_lon, min_lat, max_lon, max_lat = BBOX
    west = merge_pbfs([KALASATAMA_OSM], tmp_path / "west.osm.pbf", bbox=(min_lon, min_lat, 24.96, max_lat))
    east = merge_pbfs([KALASATAMA_OSM], tmp_path / "east.osm.pbf", bbox=(24.95, min_lat, max_lon, max_lat))
    assert 0 < west["ways"] < 42169 and 0 < east["ways"] < 42169
    stats = merge_pbfs([tmp_path / "west.osm.pbf", tmp_path / "east.osm.pbf"], tmp_path / "k.osm.pbf", bbox=BBOX)
    assert stats["ways"] == 42169 and stats["nodes"] == 201089
    assert (tmp_path / "k.osm.pbf").read_bytes() == KALASATAMA_OSM.read_bytes()


@pytest.mark.django_db
def test_import_osm_rejects_bad_input(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_osm", str(tmp_path / "missing.pbf"))
    with pytest.raises(CommandError, match="expected min_lon,min_lat,max_lon,max_lat"):
        call_command("import_osm", str(KALASATAMA_OSM), "--bbox", "25,60,24,61")
    assert OsmNetwork.objects.count() == 0
