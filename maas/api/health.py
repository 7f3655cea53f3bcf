"""Liveness and readiness probes."""
import functools

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from maas.api.errors import error_body, method_not_allowed

_PROBE_METHODS = ("GET", "HEAD")


def _probe(view):
    """GET/HEAD only; any other method is a 405 in the error envelope (not a CSRF page)."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request):
        if request.method not in _PROBE_METHODS:
            return method_not_allowed(request, _PROBE_METHODS)
        return view(request)

    return wrapped


@_probe
def healthz(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    if not settings.CELERY_BROKER_URL:
        return "eager"  # demo mode: tasks run in-process, nothing to reach
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@_probe
def readyz(request):
    """Readiness: database and broker answer; 503 naming the failing part otherwise."""
    checks, failing = {}, []
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is reported
            checks[name] = f"unavailable: {exc.__class__.__name__}: {exc}"
            failing.append(name)
    if failing:
        body = error_body(
            "not_ready",
            _("Not ready: %(parts)s unavailable.") % {"parts": ", ".join(failing)},
            {"failing": failing, "checks": checks},
        )
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ready", "checks": checks, "details": {"feeds": _feeds()}})


def _feeds():
    """Timetable feeds and their last refresh (a failed refresh is reported, the service stays ready)."""
    from planner.refresh.status import feed_status

    try:
        return feed_status()
    except Exception as exc:  # details only: never turns a ready service unready
        return {"unavailable": f"{exc.__class__.__name__}: {exc}"}
