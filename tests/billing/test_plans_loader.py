"""load_billing_plans: idempotent, atomic, errors name file, row and field."""
import json

import pytest
from django.core.management import CommandError, call_command

from billing.models import Entitlement, Plan, Tariff


def test_load_twice_is_idempotent(db):
    call_command("load_billing_plans", verbosity=0)
    call_command("load_billing_plans", verbosity=0)
    assert sorted(Plan.objects.values_list("code", flat=True)) == ["payg", "unlimited", "urban"]
    assert Entitlement.objects.filter(plan__code="urban").count() == 3
    assert Tariff.objects.get(code="hsl-ab-single").start_cents == 295
    assert Tariff.objects.get(code="hsl-ab-single").vat_rate_bp == 1350


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["plans"][1].update(price_cents=69.9), "plans[1]: field 'price_cents' must be a non-negative int"),
    (lambda d: d["plans"][2]["entitlements"][0].update(zones=["A", "X"]),
     "plans[2].entitlements[0]: field 'zones' must hold HSL zones A-D"),
    (lambda d: d["tariffs"][3].pop("source"), "tariffs[3]: missing field 'source'"),
    (lambda d: d["tariffs"][0].update(category="hoverboard"), "tariffs[0]: field 'category' must be one of"),
])
def test_bad_rows_are_reported_and_nothing_is_written(db, tmp_path, mutate, message):
    from billing.management.commands.load_billing_plans import DEFAULT_PATH

    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("load_billing_plans", file=str(path), verbosity=0)
    assert str(path) in str(exc.value)
    assert message in str(exc.value)
    assert not Plan.objects.exists() and not Tariff.objects.exists()
