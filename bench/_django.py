"""Shared start of the bench scripts: the project on sys.path and Django set up (demo-style env defaults)."""
import os
import sys
from pathlib import Path


def setup(**env_defaults):
    """Put the project on sys.path, default DEBUG / eager Celery (the caller's env wins), django.setup()."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    defaults = {"DJANGO_SETTINGS_MODULE": "maas.settings", "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "true"}
    for name, value in {**defaults, **env_defaults}.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
