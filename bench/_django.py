"""Shared start of the bench scripts: the project on sys.path and Django set up (demo-style env defaults)."""
import os
import sys
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
