"""Write-side operations on providers: registry, API keys, reservations, sync scheduling."""
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from providers.models import Provider, ProviderApiKey, Vehicle, VehicleHold

KEY_PREFIX = "pk_"
STALE_SWEEP_TASK = "providers.mark_stale_providers"


def hash_key(raw_key: str) -> str:
    """SHA-256 hex of a key (keys are 256-bit random, so a fast hash is sufficient)."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def create_api_key(provider, label="") -> tuple[ProviderApiKey, str]:
    """A new key for `provider`; returns (record, raw key). The raw key is not stored: show it once."""
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}.{secrets.token_urlsafe(32)}"
    record = ProviderApiKey.objects.create(provider=provider, label=label, prefix=prefix, key_hash=hash_key(raw))
    return record, raw


def revoke_api_key(key: ProviderApiKey):
    """Revoke a key; it stops authenticating immediately."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def rotate_api_key(key: ProviderApiKey) -> tuple[ProviderApiKey, str]:
    """Issue a replacement key for the same provider and revoke the old one (atomically)."""
    with transaction.atomic():
        new, raw = create_api_key(key.provider, label=key.label)
        revoke_api_key(key)
    return new, raw


def authenticate_key(raw_key: str) -> ProviderApiKey | None:
    """The active key matching `raw_key`, or None."""
    if not raw_key or not raw_key.startswith(KEY_PREFIX) or "." not in raw_key:
        return None
    prefix = raw_key[len(KEY_PREFIX):].split(".", 1)[0]
    key = ProviderApiKey.objects.select_related("provider").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw_key)):
        return None
    ProviderApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def mark_vehicle_reserved(provider_id, vehicle_id, reserved: bool):
    """Hold (or release) a vehicle for one of our bookings.

    A hold survives snapshot swaps, so a re-sync doesn't offer the vehicle again until released;
    the current snapshot's row is updated as well.
    """
    with transaction.atomic():
        if reserved:
            VehicleHold.objects.get_or_create(provider_id=provider_id, vehicle_id=vehicle_id)
        else:
            VehicleHold.objects.filter(provider_id=provider_id, vehicle_id=vehicle_id).delete()
        snapshot_id = Provider.objects.filter(pk=provider_id).values_list("current_snapshot_id", flat=True).first()
        if snapshot_id:
            Vehicle.objects.filter(snapshot_id=snapshot_id, vehicle_id=vehicle_id).update(is_reserved=reserved)


def sync_task_name(provider) -> str:
    return f"providers.sync:{provider.pk}"


def schedule_sync(provider, min_interval_s=None):
    """Create/update the provider's pull-sync periodic task at the feed's ttl (or remove it)."""
    from django.conf import settings

    from maas import schedules

    if not provider.gbfs_url or not provider.active:
        schedules.remove(sync_task_name(provider))
        return None
    floor = min_interval_s if min_interval_s is not None else int(
        getattr(settings, "PROVIDERS_MIN_SYNC_INTERVAL_S", 30))
    return schedules.put_interval(sync_task_name(provider), "providers.sync_provider",
                                  max(floor, provider.ttl_s or 0), args=[provider.pk])


def register_provider(*, name, kind, gbfs_url="", booking_api_url="", active=True) -> Provider:
    """Create or update a provider by name and (re)schedule its pull sync."""
    provider, _ = Provider.objects.update_or_create(
        name=name, defaults={"kind": kind, "gbfs_url": gbfs_url, "booking_api_url": booking_api_url,
                             "active": active})
    schedule_sync(provider)
    return provider
