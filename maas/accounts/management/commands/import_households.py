"""Import a housing company's apartment list: one household and one one-time join code per apartment."""
import csv
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from maas.accounts import households
from maas.accounts.models import Household

REQUIRED = ("address", "apartment")
OPTIONAL = ("postal_code", "block")
LIMITS = {"address": 200, "apartment": 20, "postal_code": 10, "block": 50}


class Command(BaseCommand):
    help = ("Create households from a CSV (address, apartment[, postal_code, block]) and write one new "
            "one-time join code per apartment to --codes-out (for the housing company to hand out).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--codes-out", required=True, help="CSV written with address, apartment, code")

    def handle(self, *args, **options):
        path = Path(options["file"])
        rows = self._read(path)
        created = 0
        out = []
        with transaction.atomic():
            for row in rows:
                household, was_created = Household.objects.get_or_create(
                    address=row["address"], apartment=row["apartment"],
                    defaults={"postal_code": row.get("postal_code") or "00540", "block": row.get("block", "")})
                created += was_created
                out.append((household.address, household.apartment, households.issue_join_code(household).code))
        with open(options["codes_out"], "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["address", "apartment", "code"])
            writer.writerows(out)
        self.stdout.write(f"households: {created} created, {len(out) - created} existing; "
                          f"{len(out)} join codes written to {options['codes_out']}")

    def _read(self, path):
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                header = reader.fieldnames or []
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise CommandError(f"{path}: row 1 (header): missing column {missing[0]!r}")
                unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
                if unknown:
                    raise CommandError(f"{path}: row 1 (header): unknown column {unknown[0]!r}")
                rows, seen = [], {}
                for number, raw in enumerate(reader, start=2):
                    row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
                    for field in REQUIRED:
                        if not row.get(field):
                            raise CommandError(f"{path}: row {number}: field {field!r} is empty")
                    for field, limit in LIMITS.items():
                        if len(row.get(field, "")) > limit:
                            raise CommandError(f"{path}: row {number}: field {field!r} is longer than {limit}")
                    key = (row["address"].lower(), row["apartment"].lower())
                    if key in seen:
                        raise CommandError(f"{path}: row {number}: field 'apartment' repeats row {seen[key]}")
                    seen[key] = number
                    rows.append(row)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"{path}: cannot read CSV: {exc}") from exc
        return rows
