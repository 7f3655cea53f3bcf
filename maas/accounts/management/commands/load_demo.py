"""Load the Kalasatama demo: fixtures of every app plus (only under DEBUG) a demo resident and admin."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

from maas.accounts import households, services
from maas.accounts.models import Household, JoinCode

DEMO_PASSWORD = "kalasatama-demo"
# (email, first name, language): demo residents, all in one Kalasatama household (apartment A 1, block KS-1).
DEMO_ADDRESS = "Työpajankatu 2, Kalasatama"
DEMO_RESIDENTS = [("resident@example.org", "Aino", "fi"), ("neighbour@example.org", "Bo", "sv")]

# (label, management command, args). Each app adds the command that loads its fixtures.
DEMO_STEPS = [
    ("billing: plans, entitlements, pay-as-you-go tariffs", "load_billing_plans", []),
    ("parking: HSL Liipi facilities + Kalasatama area (0.5/household)", "load_parking_demo", []),
    ("providers: HSL city-bike stations around Kalasatama", "import_citybike_stations", []),
    ("providers: synthesized e-scooter feed (GBFS 2.3, geofencing) on Kalasatama streets", "import_gbfs_feed",
     ["fixtures/providers/gbfs/kalasatama-scooters", "--name", "Kalasatama Scooters", "--kind", "scooter"]),
    ("providers: synthesized car-share feed (GBFS 3.0) on Kalasatama streets", "import_gbfs_feed",
     ["fixtures/providers/gbfs/kalasatama-carshare", "--name", "Kalasatama Car Share", "--kind", "car_share"]),
    ("providers: synthesized taxi provider booked through the demo's loopback TOMP operator", "import_providers",
     ["fixtures/providers/taxi/kalasatama-taxi.json"]),
    ("planner: Kalasatama GTFS (HSL tram 1 + synthesized metro) and OSM network, activated; the service "
     "calendar moved by whole weeks to cover the current weeks", "load_transit_demo", ["--shift-to-today"]),
    ("planner: routing network (cafein) over the active feeds + OSM, built once per set of versions", "build_network",
     []),
]


class Command(BaseCommand):
    help = "Load the Kalasatama fixtures and, under DEBUG, create demo logins (idempotent)."

    def handle(self, *args, **options):
        for label, command, command_args in DEMO_STEPS:
            self.stdout.write(f"-> {label}")
            call_command(command, *command_args)
        if not settings.DEBUG:  # a known password on a real server is a way in
            self.stdout.write(self.style.WARNING("DEBUG is off: fixtures loaded, no demo logins created."))
            return
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
        household, _created = Household.objects.get_or_create(address=DEMO_ADDRESS, apartment="A 1",
                                                              defaults={"block": "KS-1"})
        for email, first_name, language in DEMO_RESIDENTS:
            user = User.objects.filter(username=email).first()
            if user is None:
                services.register_resident(email=email, password=DEMO_PASSWORD, first_name=first_name,
                                           language=language, household=household)
            elif (resident := services.resident_for(user)).household is None:  # an older demo database
                resident.household = household
                resident.save(update_fields=["household"])
        self.stdout.write(self.style.SUCCESS(
            f"Demo logins: admin / {DEMO_PASSWORD} (admin site); residents resident@example.org and "
            f"neighbour@example.org / {DEMO_PASSWORD} (web page at /, API: POST /api/v1/auth/token with "
            '{"username": EMAIL, "password": ...} or {"email": ..., "password": ...})'
        ))
        self.stdout.write(f"Household join code for a new sign-up (POST /api/v1/me/household): {self._join_code()}")

    def _join_code(self):
        """An open one-time code of the demo's second apartment (a new one once the last was used)."""
        household, _created = Household.objects.get_or_create(
            address="Työpajankatu 2, Kalasatama", apartment="B 7", defaults={"block": "KS-1"})
        row = JoinCode.objects.filter(household=household, used_at__isnull=True).first()
        return (row or households.issue_join_code(household)).code
