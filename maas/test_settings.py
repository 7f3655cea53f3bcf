"""Settings for the test suite: PostgreSQL and Redis on loopback unless the environment says otherwise."""
import os
from pathlib import Path

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maas")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("OUTBOUND_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")  # local test servers
os.environ.setdefault("STRIPE_API_BASE", "http://127.0.0.1:8420")

from maas.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A server a test starts in a subprocess is given the test's own directories (TEST_NETWORK_DIR, TEST_GTFS_FEED_DIR).
NETWORK_DIR = Path(os.environ.get("TEST_NETWORK_DIR", BASE_DIR / "var" / "test-networks"))  # noqa: F405
GTFS_FEED_DIR = Path(os.environ.get("TEST_GTFS_FEED_DIR", BASE_DIR / "var" / "test-feeds"))  # noqa: F405
OSM_DIR = BASE_DIR / "var" / "test-osm"  # noqa: F405
# One process per test run: an in-memory cache, throttles far above what any test sends (tests of the
# throttles set their own rates; tests/hardening/test_throttling.py runs servers on a shared Redis cache).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
API_THROTTLE_RATES = {scope: "100000/minute" for scope in
                      ("anon", "user", "login_ip", "login_account", "signup_ip", "refresh_ip")}
