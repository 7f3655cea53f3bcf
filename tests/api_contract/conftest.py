"""Demo-like data for the contract, journey and browser tests: billing plans, HSL city-bike stations, the
Kalasatama timetable moved to the current weeks (+ OSM network), the parking area, a scooter provider."""
import pytest
from django.core.management import call_command

from maas.accounts.models import Household
from providers import services as providers

KALASATAMA = {"lat": 60.1873, "lon": 24.9770}
KAMPPI = {"lat": 60.1690, "lon": 24.9310}
HAKANIEMI = {"lat": 60.1786, "lon": 24.9515}  # the Hakaniemi metro city-bike station is ~60 m away


@pytest.fixture
def world(transactional_db, localstripe, settings):
    settings.DEBUG = True  # test cards through the API, as in the demo
    call_command("load_billing_plans", verbosity=0)
    call_command("import_citybike_stations", verbosity=0)
    call_command("load_parking_demo", verbosity=0)
    call_command("load_transit_demo", "--shift-to-today", verbosity=0)
    call_command("build_network", "--no-osm", verbosity=0)
    provider = providers.register_provider(name="Contract Scooters", kind="scooter")
    _, key = providers.create_api_key(provider, label="contract")
    household = Household.objects.create(address="Työpajankatu 2", block="KS-1")
    return {"provider": provider, "key": key, "household": household}


def this_morning() -> str:
    """08:00 today in Helsinki: inside the shifted demo timetable whatever the wall-clock time of the run."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    helsinki = ZoneInfo("Europe/Helsinki")
    return datetime.combine(datetime.now(helsinki).date(), time(8), tzinfo=helsinki).isoformat()
