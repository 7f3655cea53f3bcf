"""Scheduled Liipi pulls from a Liipi-compatible API on loopback: facilities, utilizations, freshness, limits."""
import json
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from maas.parking import liipi_pull, selectors
from maas.parking.models import Facility, FacilityCapacity
from tests.support.http import LoopbackServer

pytestmark = pytest.mark.django_db
REDI = (60.1871, 24.9794)


class LiipiServer(LoopbackServer):
    def __init__(self, documents):
        self.documents, self.hits = documents, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.hits.append(self.path)
                body = json.dumps(server.documents.get(self.path.rsplit("/", 1)[-1])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(Handler)
        self.url = f"{self.base}/api/v1/"


@pytest.fixture
def liipi(settings):
    data = json.loads((settings.BASE_DIR / "fixtures/parking/facilities.json").read_text())
    for facility in data["results"]:
        if facility["id"] == 1037:
            del facility["usages"]  # the older schema
    server = LiipiServer({"facilities": data, "utilizations": []})
    settings.PARKING_LIIPI_URL = server.url
    yield server
    server.close()


def test_schedules_are_registered():
    tasks = dict(PeriodicTask.objects.filter(task__startswith="parking.pull_liipi")
                 .values_list("task", "interval__every"))
    assert tasks == {"parking.pull_liipi_facilities": 3600, "parking.pull_liipi_utilizations": 600}


def test_pulls_are_off_without_a_url(settings):
    settings.PARKING_LIIPI_URL = ""
    assert liipi_pull.pull_facilities() is None and liipi_pull.pull_utilizations() is None


def test_facilities_then_fresh_utilizations_bound_park_and_ride(liipi):
    stats = liipi_pull.pull_facilities()
    assert stats["facilities"] == 4 and liipi.hits == ["/api/v1/facilities"]
    assert Facility.objects.get(liipi_id=1037).is_park_and_ride  # no usages, CAR capacity
    now = timezone.now().replace(microsecond=0)
    liipi.documents["utilizations"] = [
        {"facilityId": 1037, "capacityType": "CAR", "usage": "PARK_AND_RIDE", "timestamp": now.isoformat(),
         "spacesAvailable": 7, "capacity": 300},
        {"facilityId": 4242, "capacityType": "CAR", "timestamp": now.isoformat(), "spacesAvailable": 1},
    ]
    assert liipi_pull.pull_utilizations() == {"utilizations": 1, "skipped": 1}
    [redi] = [o for o in selectors.park_and_ride_options(*REDI, 1000, timezone.localdate())]
    assert redi["free_spaces"] == 7
    assert redi["utilization"] == {"spaces_available": 7, "reported_at": now.isoformat(), "fresh": True}
    # an older reading never replaces a newer one
    liipi.documents["utilizations"][0].update(timestamp=(now - timedelta(hours=1)).isoformat(), spacesAvailable=0)
    assert liipi_pull.pull_utilizations()["utilizations"] == 0
    assert FacilityCapacity.objects.get(facility__liipi_id=1037, capacity_type="CAR").spaces_available == 7


def test_stale_reading_is_flagged_and_does_not_bound(liipi):
    liipi_pull.pull_facilities()
    old = timezone.now() - timedelta(hours=2)
    FacilityCapacity.objects.filter(facility__liipi_id=1037, capacity_type="CAR").update(
        spaces_available=0, reported_at=old)
    [redi] = selectors.park_and_ride_options(*REDI, 1000, timezone.localdate())
    assert redi["free_spaces"] == 300 and redi["utilization"]["fresh"] is False
    assert selectors.park_and_ride_options(*REDI, 1000, date(2030, 1, 1))[0]["free_spaces"] == 300


def test_oversized_answer_is_refused(liipi, settings):
    settings.PARKING_LIIPI_MAX_BYTES = 1000
    with pytest.raises(liipi_pull.LiipiError, match="larger than 1000 bytes"):
        liipi_pull.pull_facilities()
    assert not Facility.objects.exists()


def test_private_address_refused_before_connecting(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    settings.PARKING_LIIPI_URL = "http://10.255.255.1/api/v1/"
    with pytest.raises(liipi_pull.LiipiError, match="not allowed"):
        liipi_pull.pull_utilizations()


def test_bad_reading_names_url_row_and_field(liipi):
    liipi_pull.pull_facilities()
    liipi.documents["utilizations"] = [{"facilityId": 1037, "capacityType": "CAR", "timestamp": "yesterday",
                                        "spacesAvailable": 3}]
    with pytest.raises(liipi_pull.LiipiError, match=r"utilizations row 1: field"):
        liipi_pull.pull_utilizations()
