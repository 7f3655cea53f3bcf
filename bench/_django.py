"""Shared start of the bench scripts: the project on sys.path and Django set up (demo-style env defaults)."""
import os
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path


def setup(**env_defaults):
    """Put the project on sys.path, default DEBUG / eager Celery / loopback feeds (the caller's env wins), setup."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    defaults = {"DJANGO_SETTINGS_MODULE": "maas.settings", "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "true",
                "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"}  # the benches serve feeds on loopback
    for name, value in {**defaults, **env_defaults}.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


@contextmanager
def throwaway_postgres_db(script):
    """Run the block in a throwaway PostgreSQL test database (test_<name>), created here and dropped after;
    exits naming `script` when DATABASE_URL is not PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"{script} needs PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def p50_p95_ms(samples):
    """(median, 95th percentile) of durations in seconds, in milliseconds."""
    s = sorted(samples)
    return statistics.median(s) * 1000, s[int(0.95 * (len(s) - 1))] * 1000
