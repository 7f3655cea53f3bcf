"""Parking test helpers: facilities, areas, and residents living in a block."""
from decimal import Decimal

import pytest

from maas.accounts import services as accounts
from maas.parking.models import Facility, FacilityCapacity, ParkingArea


def make_facility(name="Test P+R", car=300, status="IN_OPERATION", lat=60.1871, lon=24.9795, usages=None):
    facility = Facility.objects.create(name=name, lat=lat, lon=lon, status=status,
                                       usages=usages if usages is not None else ["PARK_AND_RIDE"])
    FacilityCapacity.objects.create(facility=facility, capacity_type="CAR", capacity=car)
    return facility


def make_area(code="ks", blocks="KS-1", facility=None, per_household="0.50", absolute=None, **kwargs):
    rule = ParkingArea.ABSOLUTE if absolute is not None else ParkingArea.PER_HOUSEHOLD
    return ParkingArea.objects.create(
        code=code, name=f"Area {code}", blocks=blocks, facility=facility, cap_rule=rule,
        spaces_per_household=Decimal(per_household) if absolute is None else None, absolute_cap=absolute,
        **kwargs,
    )


def make_residents(n, block="KS-1", prefix="r"):
    """n residents, each in their own new household in `block`."""
    out = []
    for i in range(n):
        household = accounts.create_household(address=f"Työpajankatu {i} {prefix}", block=block)
        out.append(accounts.register_resident(email=f"{prefix}{i}@example.org", password="pw-123-secret",
                                              household=household))
    return out


@pytest.fixture
def facility(db):
    return make_facility()


@pytest.fixture(params=["sql", "sql_async_commit", "orm"])
def allocator(request, settings):
    """Run a test with each allocator: the PostgreSQL function (durable or async commit) and the ORM path."""
    settings.PARKING_ALLOCATOR = "orm" if request.param == "orm" else "sql"
    settings.PARKING_ASYNC_COMMIT = request.param == "sql_async_commit"
    return request.param
