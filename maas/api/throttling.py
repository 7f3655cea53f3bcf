"""Request throttling (DRF throttle) on a cache shared between processes (Redis in production).

Every API request counts against "anon" (per client IP) or "user" (per account); the views named in
SCOPES count against their own, stricter scopes too: login per IP and per account name, sign-up and
token refresh per IP. Rates come from the setting API_THROTTLE_RATES ({scope: "N/second|minute|hour|day"}).
Counters are fixed windows incremented atomically (cache.incr: INCR on Redis). Over the rate: 429
`throttled` in the error envelope with Retry-After.
"""
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

DEFAULT_RATES = {
    "anon": "300/minute", "user": "1200/minute",
    "login_ip": "60/hour", "login_account": "10/hour", "signup_ip": "10/hour", "refresh_ip": "120/hour",
}
# URL name -> extra scopes, each with the request part that identifies the client for it.
SCOPES = {
    "token": (("login_ip", "ip"), ("login_account", "account")),
    "signup": (("signup_ip", "ip"),),
    "token-refresh": (("refresh_ip", "ip"),),
}
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INCR_WITH_TTL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def parse_rate(rate):
    """"10/hour" -> (10, 3600); None -> (None, None) (unlimited)."""
    if rate is None:
        return None, None
    num, period = rate.split("/")
    return int(num), _PERIODS[period.strip()[0]]


def rates():
    return {**DEFAULT_RATES, **getattr(settings, "API_THROTTLE_RATES", {})}


def _account(request):
    """The account name a login tries (hashed: any text may arrive), or None."""
    data = request.data  # a body that does not parse fails here, as it would in the view
    name = data.get("username") or data.get("email") if hasattr(data, "get") else None
    if not isinstance(name, str) or not name.strip():
        return None
    return hashlib.sha256(name.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _count(cache, key, timeout):
    """Add one to the counter `key` (created with `timeout` seconds to live); returns the new count.

    On Redis one round trip: a script that increments and, on the first count, sets the time to live (Django's
    cache API needs two, add and incr). Other caches (files in the demo, memory in tests): add, then incr.
    """
    if isinstance(cache, RedisCache):
        full = cache.make_and_validate_key(key)
        return cache._cache.get_client(full, write=True).eval(_INCR_WITH_TTL, 1, full, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


class ApiThrottle(BaseThrottle):
    """The project's one throttle class (DEFAULT_THROTTLE_CLASSES)."""

    cache_alias = "default"

    def _checks(self, request, view):
        ip = self.get_ident(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            yield "user", str(user.pk)
        else:
            yield "anon", ip
        match = getattr(request, "resolver_match", None)
        for scope, part in SCOPES.get(match.url_name if match else None, ()):
            ident = ip if part == "ip" else _account(request)
            if ident:
                yield scope, ident

    def allow_request(self, request, view):
        self.wait_s = 0
        configured, cache, now = rates(), caches[self.cache_alias], time.time()
        for scope, ident in self._checks(request, view):
            num, period = parse_rate(configured.get(scope))
            if num is None:
                continue
            window = int(now // period)
            count = _count(cache, f"throttle:{scope}:{ident}:{window}", period + 1)
            if count > num:
                self.wait_s = max(self.wait_s, (window + 1) * period - now)
        return self.wait_s == 0

    def wait(self):
        return self.wait_s or None
