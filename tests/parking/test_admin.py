"""Admin: over-cap warning and column, audit log, utilization page with a server-rendered SVG chart."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from maas.parking import services
from maas.parking.models import CapChange, UtilizationSnapshot

from .conftest import make_area, make_residents

pytestmark = pytest.mark.django_db


@pytest.fixture
def area_in_use(facility):
    residents = make_residents(6)
    area = make_area(code="adm", facility=facility)  # cap 3
    for i, r in enumerate(residents):
        services.apply_for_permit(r, area.pk, plate=f"ADM-{i}")
    return area  # 3 granted, 3 waitlisted


def test_lowering_cap_in_admin_warns_and_shows_over_cap(admin_client, admin_user, area_in_use):
    url = f"/admin/parking/parkingarea/{area_in_use.pk}/change/"
    form = {
        "name": area_in_use.name, "code": area_in_use.code, "blocks": area_in_use.blocks,
        "facility": area_in_use.facility_id, "capacity_type": "CAR", "max_permits_per_household": 1,
        "cap_rule": "per_household", "spaces_per_household": "0.17", "absolute_cap": "",
        "cap_changes-TOTAL_FORMS": 0, "cap_changes-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, form, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "the cap (1) is below current use (3 granted, 2 over cap)" in text
    assert "OVER CAP by 2" in text  # changelist column
    change = CapChange.objects.get()
    assert (change.changed_by, change.old_cap, change.new_cap) == (admin_user, 3, 1)
    area_in_use.refresh_from_db()
    assert area_in_use.spaces_per_household == Decimal("0.17")
    # The change form itself keeps warning while the area is over its cap.
    assert "below current use" in admin_client.get(url).content.decode()


def test_utilization_page_draws_cap_used_and_waitlist(admin_client, area_in_use):
    today = timezone.localdate()
    for back, used in [(3, 1), (2, 2), (1, 3)]:
        UtilizationSnapshot.objects.create(area=area_in_use, day=today - timedelta(days=back), cap=3, used=used,
                                           waitlist=0)
    page = admin_client.get("/admin/parking/parkingarea/utilization/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<polyline") == 3
    assert 'class="series-used"' in html and 'class="series-waitlist"' in html
    chart = page.context["areas"][0]["chart"]
    assert [r["used"] for r in chart["rows"]] == [1, 2, 3, 3]
    assert [r["waitlist"] for r in chart["rows"]] == [0, 0, 0, 3]
    used_points = next(s for s in chart["series"] if s["key"] == "used")["dots"]
    assert used_points[0][1] > used_points[-1][1]  # more use is drawn higher (smaller y)
    assert "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")
    assert "/admin/parking/parkingarea/utilization/" in admin_client.get("/admin/parking/parkingarea/").content.decode()


def test_admin_cancel_action_promotes(admin_client, area_in_use, django_capture_on_commit_callbacks):
    granted = area_in_use.permits.filter(status="granted").order_by("id").first()
    first_waiting = area_in_use.permits.filter(status="waitlisted").order_by("requested_at", "id").first()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/parking/permit/", {"action": "cancel_permits", "_selected_action": [granted.pk]})
    first_waiting.refresh_from_db()
    assert first_waiting.status == "granted"


def test_every_parking_admin_page_renders(admin_client, area_in_use):
    permit = area_in_use.permits.first()
    for url in ["/admin/parking/facility/", f"/admin/parking/facility/{area_in_use.facility_id}/change/",
                "/admin/parking/parkingarea/", "/admin/parking/parkingarea/add/", "/admin/parking/permit/",
                f"/admin/parking/permit/{permit.pk}/change/", "/admin/parking/capchange/",
                "/admin/parking/utilizationsnapshot/", "/admin/parking/parkandridereservation/",
                "/admin/parking/notification/"]:
        assert admin_client.get(url).status_code == 200, url
    assert "ADM-" in admin_client.get("/admin/parking/permit/").content.decode()


def test_raising_a_facilitys_capacity_in_the_admin_promotes_its_areas_waitlist(
        admin_client, django_capture_on_commit_callbacks):
    from maas.parking.models import FacilityCapacity, Permit

    from .conftest import make_facility

    facility = make_facility(car=1)
    area = make_area(absolute=5, facility=facility)
    first, second = [services.apply_for_permit(r, area.pk, plate=f"FA-{i}") for i, r in enumerate(make_residents(2))]
    assert (first.status, second.status) == ("granted", "waitlisted")
    capacity = FacilityCapacity.objects.get(facility=facility)
    form = {
        "name": facility.name, "name_fi": "", "name_sv": "", "lat": facility.lat, "lon": facility.lon,
        "polygon": "null", "status": "IN_OPERATION", "usages": '["PARK_AND_RIDE"]',
        "liipi_id": "",
        "capacities-TOTAL_FORMS": "1", "capacities-INITIAL_FORMS": "1", "capacities-MIN_NUM_FORMS": "0",
        "capacities-MAX_NUM_FORMS": "1000",
        "capacities-0-id": capacity.pk, "capacities-0-facility": facility.pk,
        "capacities-0-capacity_type": "CAR", "capacities-0-capacity": "2",
        "capacities-0-spaces_available": "", "capacities-0-reported_at_0": "", "capacities-0-reported_at_1": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/parking/facility/{facility.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FacilityCapacity.objects.get(pk=capacity.pk).capacity == 2
    assert Permit.objects.get(pk=second.pk).status == "granted"
