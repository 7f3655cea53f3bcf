"""The demo's synthesized GBFS feeds: rebuilt byte for byte by their script, loaded through the sync's parser."""
import filecmp
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers import selectors
from providers.models import Provider

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "fixtures" / "providers" / "gbfs"


def test_script_rebuilds_the_fixture_feeds_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts/fixtures/build_shared_mobility_gbfs.py"), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    for feed in ("kalasatama-scooters", "kalasatama-carshare"):
        names = sorted(p.name for p in (FEEDS / feed).iterdir())
        assert names == sorted(p.name for p in (tmp_path / feed).iterdir())
        match, mismatch, errors = filecmp.cmpfiles(FEEDS / feed, tmp_path / feed, names, shallow=False)
        assert (mismatch, errors) == ([], [])


@pytest.mark.django_db
def test_scooter_feed_loads_with_its_geofencing_rules():
    call_command("import_gbfs_feed", "fixtures/providers/gbfs/kalasatama-scooters", name="Kalasatama Scooters",
                 kind="scooter")
    provider = Provider.objects.get(name="Kalasatama Scooters")
    assert (provider.gbfs_version, provider.current_snapshot.vehicle_count) == ("2.3", 120)
    near = selectors.vehicles_near(60.1875, 24.977, 1500)
    assert 60 < len(near) < 120  # disabled ones left out
    assert all(v["range_m"] and v["fresh"] for v in near)
    metro_square = (60.18755, 24.9775)
    assert not selectors.parking_allowed_at(provider.pk, *metro_square, vehicle_type_id="escooter")
    assert selectors.parking_allowed_at(provider.pk, 60.1890, 24.9780, vehicle_type_id="escooter")  # 10 km/h zone
    zones = {z.name: z.rules[0] for z in provider.current_snapshot.geofencing_zones.all()}
    assert zones["Sompasaari waterfront park"]["ride_through_allowed"] is False
    assert zones["Työpajankatu pedestrian street"]["maximum_speed_kph"] == 10
    call_command("import_gbfs_feed", "fixtures/providers/gbfs/kalasatama-scooters", name="Kalasatama Scooters",
                 kind="scooter")  # idempotent: not newer, nothing replaced
    assert Provider.objects.get(pk=provider.pk).current_snapshot_id == provider.current_snapshot_id


@pytest.mark.django_db
def test_car_share_feed_v3_global_rules_forbid_ending_outside_home_area():
    call_command("import_gbfs_feed", str(FEEDS / "kalasatama-carshare"), name="Kalasatama Car Share",
                 kind="car_share")
    provider = Provider.objects.get(name="Kalasatama Car Share")
    assert provider.gbfs_version == "3.0"
    assert len(selectors.vehicles_near(60.1875, 24.977, 3000, kind="car_share")) == 12
    assert selectors.parking_allowed_at(provider.pk, 60.1875, 24.977, vehicle_type_id="ev-compact")
    assert not selectors.parking_allowed_at(provider.pk, 60.1699, 24.9384, vehicle_type_id="ev-compact")


@pytest.mark.django_db
def test_missing_directory_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no gbfs.json"):
        call_command("import_gbfs_feed", str(tmp_path), name="X", kind="scooter")


@pytest.mark.django_db
def test_ride_check_blocks_no_ride_through_zone_and_slows_in_max_speed_zone():
    call_command("import_gbfs_feed", str(FEEDS / "kalasatama-scooters"), name="Kalasatama Scooters", kind="scooter")
    pid = Provider.objects.get(name="Kalasatama Scooters").pk
    across_park = [(24.9770, 60.1825), (24.9770, 60.1855)]  # south to north over Sompasaari waterfront park
    check = selectors.ride_check(pid, across_park, "escooter")
    assert not check.through_allowed and check.blocked_by == ["Sompasaari waterfront park"]
    beside_park = [(24.9820, 60.1825), (24.9820, 60.1855)]
    assert selectors.ride_check(pid, beside_park, "escooter").through_allowed
    along_tyopajankatu = [(24.9770, 60.1895), (24.9770, 60.1880)]  # 167 m, 122 m of it in the 10 km/h zone
    slow = selectors.ride_check(pid, along_tyopajankatu, "escooter")
    assert slow.through_allowed and len(slow.slow_m) == 1 and slow.slow_m[0][1] == 10
    assert 115 < slow.slow_m[0][0] < 130
    metres = 167.0
    assert slow.duration_s(metres, 4.2) == round((metres - slow.slow_m[0][0]) / 4.2 + slow.slow_m[0][0] / (10 / 3.6))
    assert slow.duration_s(metres, 4.2) > round(metres / 4.2) + 10
