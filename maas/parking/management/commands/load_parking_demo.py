"""Demo parking data: the Liipi facilities, the Kalasatama area (0.5 spaces per household) and its daily task."""
from decimal import Decimal

from django.core.management import BaseCommand, call_command

from maas.accounts import services as accounts
from maas.accounts.models import Household
from maas.parking.models import Facility, ParkingArea

KALASATAMA_LIIPI_ID = 1037  # Kalasatama (Kauppakeskus REDI)
DEMO_BLOCKS = ["KS-1", "KS-2", "KS-3"]
DEMO_HOUSEHOLDS = 40  # synthetic, so the 0.5 rule gives the demo area a cap of ~20 spaces


class Command(BaseCommand):
    help = ("Import the Liipi fixtures, create the Kalasatama permit area (0.5 spaces per household) with "
            "synthetic demo households, and schedule the daily parking task (idempotent).")

    def handle(self, *args, **options):
        call_command("import_parking_facilities", stdout=self.stdout)
        facility = Facility.objects.get(liipi_id=KALASATAMA_LIIPI_ID)
        area, created = ParkingArea.objects.get_or_create(
            code="kalasatama",
            defaults={"name": "Kalasatama residents", "blocks": ",".join(DEMO_BLOCKS), "facility": facility,
                      "capacity_type": "CAR", "cap_rule": ParkingArea.PER_HOUSEHOLD,
                      "spaces_per_household": Decimal("0.50")},
        )
        existing = Household.objects.filter(address__startswith="Demo household ").count()
        for i in range(existing, DEMO_HOUSEHOLDS):
            accounts.create_household(address=f"Demo household {i + 1}, Kalasatama",
                                      block=DEMO_BLOCKS[i % len(DEMO_BLOCKS)])
        self.stdout.write(f"Parking area {area.code}: {area.rule_label()} ({'created' if created else 'kept'})")
