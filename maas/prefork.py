"""What a server's master process does before forking its workers (gunicorn.conf.py, preload_app).

The routing network is loaded once here, and so is what every worker's first request would otherwise
load for itself (the views, message catalogs, JWT and cache modules, the network's area): N workers then
share one copy of those pages (copy-on-write) instead of each holding its own, and the collector is frozen
so that it never writes to them. A worker still loads a network itself when the active feed version
changes after it forked: reload the server (SIGHUP) to share the new version. Streets are memory-mapped
(cafein), shared by every process anyway. bench/shared_network.py measures it.
"""
from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def load_shared_state() -> str | None:
    """Load the routing engine's network in this process; returns what was loaded (None: workers load it).

    Never raises: a server whose database is not reachable yet still starts, its workers load lazily.
    """
    from django.db import connections
    from django.urls import get_resolver

    from planner.engines.base import get_engine

    get_resolver().url_patterns  # noqa: B018 - imports every view and what it imports
    _load_translations()
    _import_request_modules()
    gc.unfreeze()  # on a reload: what the previous network left becomes collectable again
    try:
        loaded = get_engine().preload()
    except Exception:  # noqa: BLE001 - the workers retry per request and answer why
        logger.exception("routing network not preloaded")
        loaded = None
    finally:
        connections.close_all()  # a forked worker must never share the master's database socket
    gc.collect()
    gc.freeze()
    if loaded:
        logger.info("routing network %s loaded before forking workers", loaded)
    return loaded


def _load_translations():
    """Every language's message catalogs (Django reads them on a language's first use)."""
    from django.conf import settings
    from django.utils import translation

    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Not found.")


def _import_request_modules():
    """What DRF and the cache import on a first request: authentication (JWT), throttles, the cache client
    (created without a connection: each worker opens its own)."""
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework_simplejwt.state import token_backend

    api_settings.DEFAULT_AUTHENTICATION_CLASSES  # noqa: B018 - imports them
    api_settings.DEFAULT_THROTTLE_CLASSES  # noqa: B018
    token_backend.get_verifying_key  # noqa: B018
    getattr(cache, "_cache", None)
