"""Validation helpers for settings read from the environment."""
import ipaddress

from django.core.exceptions import ImproperlyConfigured


def env_choice(env, name, allowed, default):
    """Return env var `name`, or stop start-up naming the variable and the allowed values."""
    value = env.str(name, default=default).strip()
    if value not in allowed:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not valid; allowed values: {', '.join(allowed)}"
        )
    return value


def env_secret(env, name, debug, demo_default):
    """Return a secret; only DEBUG may fall back to a (non-working outside DEBUG) demo default."""
    value = env.str(name, default="")
    if value:
        return value
    if debug:
        return demo_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")


def env_networks(env, name):
    """A comma-separated list of CIDR networks (e.g. "127.0.0.0/8,::1/128"); stops start-up on a bad one."""
    values = [v.strip() for v in env.list(name, default=[]) if v.strip()]
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP network (CIDR, e.g. 127.0.0.0/8)") from None
    return values


def env_rates(env, name, scopes):
    """Throttle rates "scope=N/period,..." (period second|minute|hour|day); stops start-up on a bad one."""
    rates = {}
    for item in [v.strip() for v in env.list(name, default=[]) if v.strip()]:
        scope, _, rate = item.partition("=")
        num, _, period = rate.partition("/")
        if scope not in scopes or not num.isdigit() or period not in ("second", "minute", "hour", "day"):
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not scope=N/second|minute|hour|day with scope one of {', '.join(scopes)}")
        rates[scope] = rate
    return rates
