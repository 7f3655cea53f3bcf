"""Import a Digitransit `bikeRentalStations` response as the HSL city-bike provider's station snapshot."""
import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from maas.geo import distance_m
from providers import services
from providers.models import Provider
from providers.snapshots import Section, swap_snapshot

DEFAULT_FIXTURE = "fixtures/providers/hsl_citybike_stations_kalasatama.json"
KALASATAMA = (60.18755649, 24.9770684)  # Kalasataman metroasema city-bike station 126


def _resolve(path):
    p = Path(path)
    return p if p.is_absolute() or p.exists() else Path(settings.BASE_DIR) / p


def parse_stations(path, doc):
    """Validated station rows from a Digitransit response; CommandError names file, row and field."""
    try:
        items = doc["data"]["bikeRentalStations"]
    except (KeyError, TypeError):
        raise CommandError(f"{path}: expected {{'data': {{'bikeRentalStations': [...]}}}}")
    if not isinstance(items, list):
        raise CommandError(f"{path}: data.bikeRentalStations is not a list")
    rows, seen = [], set()
    for i, s in enumerate(items):
        where = f"{path}: bikeRentalStations[{i}]"
        if not isinstance(s, dict):
            raise CommandError(f"{where}: not an object")
        sid = s.get("stationId")
        if not isinstance(sid, str) or not sid.strip():
            raise CommandError(f"{where}.stationId: missing or empty ({sid!r})")
        if sid in seen:
            raise CommandError(f"{where}.stationId: duplicate {sid!r}")
        seen.add(sid)
        for field, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
            v = s.get(field)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo <= v <= hi:
                raise CommandError(f"{where}.{field}: invalid {v!r} (station {sid})")
        for field in ("bikesAvailable", "spacesAvailable"):
            v = s.get(field)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise CommandError(f"{where}.{field}: not a non-negative integer {v!r} (station {sid})")
        on = s.get("state", "Station on") == "Station on"
        rows.append({"station_id": sid, "name": str(s.get("name") or "")[:200], "lat": float(s["lat"]),
                     "lon": float(s["lon"]), "capacity": s["bikesAvailable"] + s["spacesAvailable"],
                     "bikes_available": s["bikesAvailable"], "docks_available": s["spacesAvailable"],
                     "is_installed": on, "is_renting": on, "is_returning": on})
    return rows


class Command(BaseCommand):
    help = ("Import HSL city-bike stations from a Digitransit bikeRentalStations JSON (default: the Kalasatama "
            "fixture) into the push-only provider 'HSL city bikes'; optionally write a filtered fixture.")

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default=DEFAULT_FIXTURE)
        parser.add_argument("--near", default=f"{KALASATAMA[0]},{KALASATAMA[1]}", help="lat,lon centre")
        parser.add_argument("--radius", type=float, default=None, help="keep stations within metres of --near")
        parser.add_argument("--provider", default="HSL city bikes")
        parser.add_argument("--as-of", default=None,
                            help="ISO time of the data (default: the file's _provenance.as_of, else now)")
        parser.add_argument("--write-fixture", default=None, help="write the filtered stations to this path")
        parser.add_argument("--no-db", action="store_true", help="only write the fixture")
        parser.add_argument("--stale-after", type=int, default=0,
                            help="provider's stale_after_s; 0 (default) = a static seed that never goes stale")

    def handle(self, *args, source, near, radius, provider, as_of, write_fixture, no_db, stale_after, **options):
        path = _resolve(source)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file")
        except ValueError as exc:
            raise CommandError(f"{path}: invalid JSON ({exc})")
        rows = parse_stations(path, doc)
        kept_items = doc["data"]["bikeRentalStations"]
        if radius is not None:
            try:
                lat, lon = (float(x) for x in near.split(","))
            except ValueError:
                raise CommandError(f"--near: expected lat,lon, got {near!r}")
            keep = [distance_m(lat, lon, r["lat"], r["lon"]) <= radius for r in rows]
            rows = [r for r, k in zip(rows, keep) if k]
            kept_items = [s for s, k in zip(kept_items, keep) if k]
        if not rows:
            raise CommandError(f"{path}: no stations {'within the radius' if radius else 'in the file'}")
        provenance = doc.get("_provenance") or {}
        when = as_of or provenance.get("as_of")
        try:
            last_updated = datetime.fromisoformat(when) if when else timezone.now()
        except ValueError:
            raise CommandError(f"--as-of / _provenance.as_of: not an ISO time ({when!r})")
        if write_fixture:
            out = _resolve(write_fixture) if not Path(write_fixture).is_absolute() else Path(write_fixture)
            out.parent.mkdir(parents=True, exist_ok=True)
            derived = {"_provenance": {
                "source": "mnvr/bikes Bikes/MockResponses.swift @99f30488 (via ../shared/data/gbfs/"
                          "digitransit_bikeRentalStations_helsinki_2019_mnvr-bikes.json)",
                "licence": "CC BY 4.0 © HSL (Helsinki Region Transport)",
                "filter": f"stations within {radius:g} m of {near}" if radius else "all stations",
                "as_of": as_of, "note": "Digitransit bikeRentalStations response, rows copied unchanged.",
            }, "data": {"bikeRentalStations": kept_items}}
            out.write_text(json.dumps(derived, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            self.stdout.write(f"Wrote {len(kept_items)} stations to {out}")
        if no_db:
            return
        if stale_after < 0:
            raise CommandError("--stale-after: must be >= 0")
        record = services.register_provider(name=provider, kind="bike_share")
        Provider.objects.filter(pk=record.pk).update(stale_after_s=stale_after)
        result = swap_snapshot(record, source="import", sections={"stations": Section(rows, last_updated)},
                               now=max(timezone.now(), last_updated))
        if result.snapshot is None:
            self.stdout.write(f"{provider}: already holds these stations (as of {last_updated.isoformat()}).")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{provider}: {result.snapshot.station_count} stations imported from {path.name}."))
