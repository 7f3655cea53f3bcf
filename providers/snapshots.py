"""Atomic snapshot swap: build a whole new Snapshot, then flip the provider's pointer in one transaction.

Sections ("stations", "vehicles", ...) carry the feed's last_updated. A section whose incoming data is
not newer than what the current snapshot holds is carried over unchanged (never newer -> older).
"""
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from providers.freshness import is_stale
from providers.grid import cell_of
from providers.models import GeofencingZone, PricingPlan, Provider, Snapshot, Station, Vehicle, VehicleType

logger = logging.getLogger(__name__)

SECTION_MODELS = {
    "stations": Station,
    "vehicles": Vehicle,
    "vehicle_types": VehicleType,
    "pricing_plans": PricingPlan,
    "geofencing_zones": GeofencingZone,
}
# Sections whose last_updated tells whether the provider's feed is still updating.
DYNAMIC_SECTIONS = ("stations", "vehicles")


@dataclass
class Section:
    """Incoming rows of one section (dicts of model field values, without snapshot)."""

    rows: list
    last_updated: datetime | None = None


@dataclass
class SwapResult:
    snapshot: Snapshot | None
    replaced: list = field(default_factory=list)   # sections written from the incoming data
    ignored: list = field(default_factory=list)    # sections not newer than what we hold
    stale: bool = False


def _columns(model):
    return [f for f in model._meta.concrete_fields if f.name not in ("id", "snapshot")]


def _insert(model, snapshot_id, rows):
    """Insert rows for one snapshot: COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if any(f.name == "cell" for f in model._meta.concrete_fields):
        rows = [{**r, "cell": cell_of(r.get("lat"), r.get("lon"))} for r in rows]
    fields = _columns(model)
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(snapshot_id=snapshot_id, **r) for r in rows], batch_size=2000)
        return
    names = [f.column for f in fields]
    defaults = {f.name: f.get_default() for f in fields}
    json_fields = {f.name for f in fields if f.get_internal_type() == "JSONField"}
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in ["snapshot_id", *names])
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for r in rows:
                values = [snapshot_id]
                for f in fields:
                    v = r.get(f.name, defaults[f.name])
                    values.append(json.dumps(v) if f.name in json_fields else v)
                copy.write_row(values)


def _carry_over(model, from_snapshot_id, to_snapshot_id):
    cols = ", ".join(connection.ops.quote_name(f.column) for f in _columns(model))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (snapshot_id, {cols}) SELECT %s, {cols} FROM {table} WHERE snapshot_id = %s",
            [to_snapshot_id, from_snapshot_id],
        )


def _parse_iso(value):
    return datetime.fromisoformat(value) if value else None


def swap_snapshot(provider, *, source, sections, report=(), global_rules=None, ttl=None, version=None,
                  now=None) -> SwapResult:
    """Write a new snapshot from `sections` (dict name -> Section) and make it current, atomically.

    Returns a SwapResult; `snapshot` is None when no section was newer than the current data.
    Any exception leaves the previous snapshot current and nothing of the new one behind.
    """
    now = now or timezone.now()
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        current = provider.current_snapshot
        held = current.sections if current else {}
        result = sort_sections(sections, held)
        if ttl is not None:
            provider.ttl_s = max(0, int(ttl))
        if version:
            provider.gbfs_version = str(version)
        provider.last_checked_at = now
        if result.replaced:
            snapshot = write_snapshot(provider, current, result.replaced, sections, source=source, report=report,
                                      global_rules=global_rules, now=now)
            provider.current_snapshot = snapshot
            provider.last_updated = snapshot.last_updated
            result.snapshot = snapshot
        provider.stale = False
        provider.stale = is_stale(provider, now)
        result.stale = provider.stale
        provider.save(update_fields=["current_snapshot", "last_updated", "last_checked_at", "ttl_s",
                                     "gbfs_version", "stale"])
    if result.snapshot is not None:
        prune_snapshots(provider)
    return result


def sort_sections(sections: dict, held: dict) -> SwapResult:
    """Which incoming sections replace what the current snapshot holds (newer, or no date to compare)
    and which are ignored (not newer)."""
    result = SwapResult(snapshot=None)
    for name, section in sections.items():
        if name not in SECTION_MODELS:
            raise ValueError(f"unknown section {name!r}")
        old = _parse_iso(held.get(name))
        if old is not None and section.last_updated is not None and section.last_updated <= old:
            result.ignored.append(name)
        else:
            result.replaced.append(name)
    return result


def write_snapshot(provider, current, replaced: list, sections: dict, *, source, report, global_rules, now
                   ) -> Snapshot:
    """A new Snapshot: the `replaced` sections from the incoming rows, the others carried over from `current`."""
    held = current.sections if current else {}
    new_sections = dict(held)
    for name in replaced:
        new_sections[name] = (sections[name].last_updated or now).isoformat()
    snapshot = Snapshot.objects.create(
        provider=provider, source=source, sections=new_sections, report=list(report),
        global_rules=(global_rules if global_rules is not None and "geofencing_zones" in replaced
                      else (current.global_rules if current else [])),
    )
    for name, model in SECTION_MODELS.items():
        if name in replaced:
            _insert(model, snapshot.pk, sections[name].rows)
        elif current and name in held:
            _carry_over(model, current.pk, snapshot.pk)
    snapshot.station_count = Station.objects.filter(snapshot=snapshot).count()
    snapshot.vehicle_count = Vehicle.objects.filter(snapshot=snapshot).count()
    dynamic = [_parse_iso(new_sections[s]) for s in DYNAMIC_SECTIONS if s in new_sections]
    snapshot.last_updated = max(dynamic) if dynamic else max(_parse_iso(v) for v in new_sections.values())
    snapshot.save(update_fields=["station_count", "vehicle_count", "last_updated"])
    return snapshot


def prune_snapshots(provider, keep=None):
    """Delete all but the newest `keep` snapshots (never the current one)."""
    keep = keep or int(getattr(settings, "PROVIDERS_KEEP_SNAPSHOTS", 2))
    ids = list(Snapshot.objects.filter(provider=provider).order_by("-created_at", "-pk")
               .values_list("pk", flat=True)[keep:])
    ids = [i for i in ids if i != provider.current_snapshot_id]
    if ids:
        with transaction.atomic():
            for model in SECTION_MODELS.values():
                model.objects.filter(snapshot_id__in=ids).delete()
            Snapshot.objects.filter(pk__in=ids).delete()
