"""Demo parking data: the Liipi facilities and the Kalasatama area with its 0.5-per-household cap."""
from decimal import Decimal

from django.core.management import BaseCommand, call_command

from maas.parking.models import Facility, ParkingArea

KALASATAMA_LIIPI_ID = 1037  # Kalasatama (Kauppakeskus REDI)


class Command(BaseCommand):
    help = "Import the Liipi fixtures and create the Kalasatama permit area (0.5 spaces per household)."

    def handle(self, *args, **options):
        call_command("import_parking_facilities", stdout=self.stdout)
        facility = Facility.objects.get(liipi_id=KALASATAMA_LIIPI_ID)
        area, created = ParkingArea.objects.get_or_create(
            code="kalasatama",
            defaults={"name": "Kalasatama residents", "blocks": "KS-1,KS-2,KS-3", "facility": facility,
                      "capacity_type": "CAR", "cap_rule": ParkingArea.PER_HOUSEHOLD,
                      "spaces_per_household": Decimal("0.50")},
        )
        self.stdout.write(f"Parking area {area.code}: {area.rule_label()} ({'created' if created else 'kept'})")
