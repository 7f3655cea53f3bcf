"""The resident page in a real headless Debian chromium: sign in, plan Kalasatama -> Kamppi (itineraries listed,
legs drawn on the map over the OSM streets), book a city-bike leg, switch language. Screenshots are saved
under var/test-artifacts/."""
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from billing import test_cards
from maas.accounts import services as accounts
from maas.parking import services as parking
from maas.parking.models import ParkingArea

from .conftest import HAKANIEMI, KALASATAMA, KAMPPI

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


def _click_map(page, point):
    """A real mouse click on the map at a coordinate (Leaflet converts it to a pixel)."""
    x, y = page.evaluate("([lat, lon]) => { const p = maasMap.latLngToContainerPoint([lat, lon]); "
                         "return [p.x, p.y]; }", [point["lat"], point["lon"]])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _plan(page, origin, destination, modes, when):
    page.evaluate("maasMap.setView([60.1790, 24.9540], 14)")
    _click_map(page, origin)
    _click_map(page, destination)
    for box in page.locator("#modes input").all():
        box.set_checked(box.get_attribute("value") in modes)
    page.fill("#departure", when)
    page.click("#plan-button")
    page.wait_for_selector("#itineraries li.itinerary", timeout=30_000)


@pytest.mark.browser
def test_resident_plans_books_and_switches_language_in_browser(world, live_server):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Debian chromium is required at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    resident = accounts.register_resident(email="aino@example.org", password="browser-pass-123", language="fi",
                                          household=world["household"])
    test_cards.add_test_card(resident.user, "visa")
    area = ParkingArea.objects.get(code="kalasatama")
    parking.apply_for_permit(resident, area.pk, plate="KLS-101")
    tomorrow_8 = (timezone.localdate() + timedelta(days=1)).isoformat() + "T08:00"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="fi-FI")
            page.goto(f"{live_server.url}/")
            page.wait_for_function("Number(document.body.dataset.streets || 0) > 1000", timeout=60_000)
            page.fill("#login-email", "aino@example.org")
            page.fill("#login-password", "browser-pass-123")
            page.click("#login-submit")
            page.wait_for_selector("#whoami:not([hidden])")
            whoami = page.inner_text("#whoami-email")
            page.wait_for_selector("#permits li")
            permits = page.inner_text("#permits")

            _plan(page, KALASATAMA, KAMPPI, {"walk", "transit"}, tomorrow_8)
            itineraries = page.locator("#itineraries li.itinerary")
            count = itineraries.count()
            first = itineraries.first.inner_text()
            legs_drawn = int(page.evaluate("document.body.dataset.legsDrawn"))
            leg_paths = page.locator(".leaflet-overlay-pane path.leg").count()
            metro_paths = page.locator(".leaflet-overlay-pane path.leg-metro").count()
            page.screenshot(path=str(ARTIFACTS / "plan-kalasatama-kamppi.png"))

            _plan(page, KALASATAMA, HAKANIEMI, {"city_bike"}, tomorrow_8)
            book = page.locator("button.book[data-mode=city_bike]").first
            book.click()
            page.wait_for_selector("button.book.done")
            booked_label = book.inner_text()
            page.wait_for_selector("#bookings li[data-state]")
            bookings = page.inner_text("#bookings")
            page.screenshot(path=str(ARTIFACTS / "book-city-bike.png"))

            page.select_option("#language-select", "sv")
            page.click("[data-testid=language-submit]")
            page.wait_for_selector("html[lang=sv]")
            page.wait_for_selector("#bookings li[data-state]")
            swedish = {"title": page.inner_text("h1"), "plan": page.inner_text("#plan-button"),
                       "bookings": page.inner_text("#bookings")}
            page.screenshot(path=str(ARTIFACTS / "swedish.png"))
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    assert whoami == "aino@example.org"
    assert "KLS-101" in permits and "kalasatama" in permits
    assert count >= 1
    assert "metro" in first and "Hinta" in first and "CO₂" in first and "kertamaksu" in first, first
    assert legs_drawn >= 2 and leg_paths == legs_drawn and metro_paths >= 1, (legs_drawn, leg_paths, metro_paths)
    assert booked_label.startswith("Varattu"), booked_label
    assert "kaupunkipyörä" in bookings and "CONFIRMED" in bookings, bookings
    assert swedish["title"] == "Fiskehamnens MaaS" and swedish["plan"] == "Planera", swedish
    assert "stadscykel" in swedish["bookings"], swedish
    for name in ("plan-kalasatama-kamppi.png", "book-city-bike.png", "swedish.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
