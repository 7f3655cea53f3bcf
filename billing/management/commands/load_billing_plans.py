"""Load plans, entitlements and pay-as-you-go tariffs from a JSON fixture (atomic, idempotent)."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from billing.models import MODE_CATEGORIES, Entitlement, Plan, Tariff

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "billing" / "plans.json"
CATEGORIES = {code for code, _label in MODE_CATEGORIES}
ZONES = {"A", "B", "C", "D"}

PLAN_FIELDS = {"code": str, "name": str, "description": str, "price_cents": int, "vat_rate_bp": int,
               "interval": str, "is_payg": bool, "sort_order": int, "names": dict, "descriptions": dict}
TRANSLATED = {"names", "descriptions"}
TRANSLATION_LANGUAGES = {"fi", "sv", "en"}
ENTITLEMENT_FIELDS = {"category": str, "zones": list, "rides_per_period": int, "minutes_per_period": int,
                      "max_ride_minutes": int, "discount_percent": int}
TARIFF_FIELDS = {"code": str, "category": str, "name": str, "zones": list, "start_cents": int,
                 "per_minute_cents": int, "per_km_cents": int, "included_minutes": int, "overtime_cents": int,
                 "overtime_block_minutes": int, "validity_minutes": int, "vat_rate_bp": int, "source": str}
REQUIRED = {"plan": {"code", "name", "price_cents", "vat_rate_bp", "interval"},
            "entitlement": {"category"}, "tariff": {"code", "category", "name", "vat_rate_bp", "source"}}


def _without_entitlements(row):
    return {k: v for k, v in row.items() if k != "entitlements"} if isinstance(row, dict) else row


class Command(BaseCommand):
    help = "Load billing plans and tariffs from fixtures/billing/plans.json (or --file)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_PATH))

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: cannot read JSON: {exc}") from exc
        plans = [self._clean(path, f"plans[{i}]", "plan", _without_entitlements(row), PLAN_FIELDS)
                 for i, row in enumerate(data.get("plans", []))]
        tariffs = [self._clean(path, f"tariffs[{i}]", "tariff", row, TARIFF_FIELDS)
                   for i, row in enumerate(data.get("tariffs", []))]
        for i, (plan, raw) in enumerate(zip(plans, data.get("plans", []))):
            plan["entitlements"] = [
                self._clean(path, f"plans[{i}].entitlements[{j}]", "entitlement", row, ENTITLEMENT_FIELDS)
                for j, row in enumerate(raw.get("entitlements", []))
            ]
        with transaction.atomic():
            for plan in plans:
                entitlements = plan.pop("entitlements")
                obj, _created = Plan.objects.update_or_create(code=plan.pop("code"), defaults=plan)
                obj.entitlements.all().delete()
                for ent in entitlements:
                    Entitlement.objects.create(plan=obj, **ent)
            for tariff in tariffs:
                Tariff.objects.update_or_create(code=tariff.pop("code"), defaults=tariff)
        if options["verbosity"]:
            self.stdout.write(f"billing: {len(plans)} plans, {len(tariffs)} tariffs loaded from {path.name}")

    def _clean(self, path, where, kind, row, fields):
        if not isinstance(row, dict):
            raise CommandError(f"{path}: {where}: expected an object")
        unknown = set(row) - set(fields)
        if unknown:
            raise CommandError(f"{path}: {where}: unknown field {sorted(unknown)[0]!r}")
        missing = REQUIRED[kind] - set(row)
        if missing:
            raise CommandError(f"{path}: {where}: missing field {sorted(missing)[0]!r}")
        for name, value in row.items():
            expected = fields[name]
            ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            if value is None and name in ("rides_per_period", "minutes_per_period", "max_ride_minutes",
                                          "validity_minutes"):
                ok = True
            if name in TRANSLATED and ok:
                bad = [k for k, v in value.items() if k not in TRANSLATION_LANGUAGES or not isinstance(v, str) or not v]
                if bad:
                    raise CommandError(f"{path}: {where}: field {name!r}: {bad[0]!r} must be one of fi, sv, en "
                                       "with a non-empty text")
            if not ok or (expected is int and value is not None and value < 0):
                wanted = "a non-negative int" if expected is int else expected.__name__
                raise CommandError(f"{path}: {where}: field {name!r} must be {wanted}")
        if "category" in row and row["category"] not in CATEGORIES:
            raise CommandError(f"{path}: {where}: field 'category' must be one of {sorted(CATEGORIES)}")
        if "zones" in row and not set(row["zones"]) <= ZONES:
            raise CommandError(f"{path}: {where}: field 'zones' must hold HSL zones A-D")
        if row.get("interval") not in (None, "month", "none"):
            raise CommandError(f"{path}: {where}: field 'interval' must be 'month' or 'none'")
        if row.get("discount_percent", 0) > 100:
            raise CommandError(f"{path}: {where}: field 'discount_percent' must be at most 100")
        return dict(row)
