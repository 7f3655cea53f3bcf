"""Unknown or missing settings stop start-up with a message naming the variable."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(env_overrides, code="import django; django.setup()", unset=()):
    """Run `code` in a fresh Python on maas.settings with DEBUG on, the overrides set and `unset` removed."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", *unset}}
    env.update({"DJANGO_SETTINGS_MODULE": "maas.settings", "DEBUG": "true"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_unknown_routing_engine_stops_startup_naming_variable_and_allowed_values():
    result = _start({"ROUTING_ENGINE": "foo"})
    assert result.returncode != 0
    assert "ROUTING_ENGINE='foo' is not valid; allowed values: embedded, r5py" in result.stderr


def test_known_routing_engine_starts():
    result = _start({"ROUTING_ENGINE": "r5py"})
    assert result.returncode == 0, result.stderr


def test_secret_key_has_no_default_outside_debug():
    result = _start({"DEBUG": "false", "SECRET_KEY": "", "STRIPE_API_KEY": "sk_x", "STRIPE_WEBHOOK_SECRET": "w"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_stripe_secrets_have_no_default_outside_debug():
    result = _start({"DEBUG": "false", "SECRET_KEY": "x" * 50, "STRIPE_API_KEY": ""})
    assert "STRIPE_API_KEY must be set when DEBUG is off" in result.stderr


def test_demo_defaults_are_sqlite_and_eager_celery():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.ROUTING_ENGINE)"
    )
    result = _start({}, code, unset=("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER",
                                     "ROUTING_ENGINE"))
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "embedded"], result.stderr


def test_unknown_parking_allocator_stops_startup():
    result = _start({"PARKING_ALLOCATOR": "fast"})
    assert result.returncode != 0
    assert "PARKING_ALLOCATOR='fast' is not valid; allowed values: sql, orm" in result.stderr


def test_tuning_variables_override_module_defaults_with_their_types():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(repr(s.BOOKING_HOLD_SECONDS), repr(s.PROVIDERS_FEED_TIMEOUT_S), repr(s.PARKING_ASYNC_COMMIT), "
        "hasattr(s, 'BOOKING_CANCEL_FEE_CENTS'))"
    )
    result = _start({"BOOKING_HOLD_SECONDS": "60", "PROVIDERS_FEED_TIMEOUT_S": "2.5", "PARKING_ASYNC_COMMIT": "true"},
                    code, unset=("BOOKING_CANCEL_FEE_CENTS",))
    assert result.stdout.split() == ["60", "2.5", "True", "False"], result.stderr


def test_production_keeps_database_connections_with_health_checks_and_demo_does_not():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])")
    prod = _start({"DEBUG": "false", "SECRET_KEY": "x" * 50, "STRIPE_API_KEY": "sk_x",
                   "STRIPE_WEBHOOK_SECRET": "w", "DATABASE_URL": "postgres://maas@127.0.0.1:5432/maas"},
                  code, unset=("DB_CONN_MAX_AGE",))
    assert prod.stdout.split() == ["60", "True"], prod.stderr
    demo = _start({}, code, unset=("DB_CONN_MAX_AGE",))
    assert demo.stdout.split() == ["0", "True"], demo.stderr
    tuned = _start({"DEBUG": "false", "SECRET_KEY": "x" * 50, "STRIPE_API_KEY": "sk_x",
                    "STRIPE_WEBHOOK_SECRET": "w", "DB_CONN_MAX_AGE": "300"}, code)
    assert tuned.stdout.split() == ["300", "True"], tuned.stderr
