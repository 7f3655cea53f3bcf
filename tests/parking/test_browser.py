"""End to end in a real headless Debian chromium: an admin lowers a cap below current use."""
import os
import shutil

import pytest

from maas.parking import services
from maas.parking.models import CapChange, ParkingArea

from .conftest import make_area, make_facility, make_residents

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_lowers_cap_in_browser_and_sees_over_cap(live_server, django_user_model):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Debian chromium is required at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    django_user_model.objects.create_superuser("capadmin", "capadmin@example.org", "cap-admin-pw-1")
    residents = make_residents(4, block="B-1")
    area = make_area(code="browser", blocks="B-1", facility=make_facility())  # 0.5 x 4 = cap 2
    for i, r in enumerate(residents[:2]):
        assert services.apply_for_permit(r, area.pk, plate=f"BRW-{i}").status == "granted"

    # Playwright's sync API runs an event loop in this thread; the ORM is only used before/after it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{live_server.url}/admin/login/?next=/admin/parking/parkingarea/{area.pk}/change/")
            page.fill("#id_username", "capadmin")
            page.fill("#id_password", "cap-admin-pw-1")
            page.click("input[type=submit]")
            page.wait_for_selector("#id_spaces_per_household")
            page.fill("#id_spaces_per_household", "0.25")  # cap 1, use 2
            page.click("input[name=_save]")
            page.wait_for_selector("ul.messagelist")
            warning = page.inner_text("ul.messagelist li.warning")
            over_cap_cell = page.inner_text("td.field-over_cap")
            page.goto(f"{live_server.url}/admin/parking/parkingarea/utilization/")
            polylines = page.locator("#area-browser svg polyline").count()
            audit_row = page.inner_text("#cap-changes tbody tr")
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    assert "the cap (1) is below current use (2 granted, 1 over cap)" in warning
    assert over_cap_cell == "OVER CAP by 1"
    assert polylines == 3
    assert "0.50 per household → 0.25 per household" in audit_row and "capadmin" in audit_row
    change = CapChange.objects.get(area=area)
    assert (change.changed_by.username, change.old_cap, change.new_cap, change.used_at_change) == (
        "capadmin", 2, 1, 2)
    assert ParkingArea.objects.get(pk=area.pk).spaces_per_household == 0.25
