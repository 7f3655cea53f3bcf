"""The subsidized-fare groups, after HSL's discount categories. Percentages are illustrative defaults that
staff can change in the admin (HSL's real reductions differ per ticket type)."""
from django.db import migrations

GROUPS = [
    ("child", 50, {"fi": "Lapsi (7–17 v)", "sv": "Barn (7–17 år)", "en": "Child (7–17)"}),
    ("student", 50, {"fi": "Opiskelija", "sv": "Studerande", "en": "Student"}),
    ("senior", 50, {"fi": "Seniori (70+)", "sv": "Senior (70+)", "en": "Senior (70+)"}),
    ("low_income", 50, {"fi": "Pienituloinen", "sv": "Låginkomsttagare", "en": "Low income"}),
]


def add_groups(apps, schema_editor):
    DiscountGroup = apps.get_model("accounts", "DiscountGroup")
    for code, percent, names in GROUPS:
        DiscountGroup.objects.get_or_create(code=code, defaults={"percent": percent, "names": names})


def remove_groups(apps, schema_editor):
    apps.get_model("accounts", "DiscountGroup").objects.filter(code__in=[g[0] for g in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_profile_households_privacy")]

    operations = [migrations.RunPython(add_groups, remove_groups)]
