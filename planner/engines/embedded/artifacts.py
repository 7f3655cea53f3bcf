"""Where the embedded engine's artifacts of a feed version live (one set per feed version).

`<NETWORK_DIR>/<feed>-v<version>-<hash12>.cafein` is cafein's saved TransportNetwork,
`... .split.cafein` the per-pattern split network (`split`), `... .meta.pickle` its FeedMeta side-car and
`... .pois.json` the OSM points of interest extracted with it.
"""
from __future__ import annotations

from pathlib import Path


def network_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "NETWORK_DIR", Path("var/networks")))


def artifact_paths(feed, directory: Path | None = None) -> tuple[Path, Path]:
    """(network, meta) paths for a FeedVersion."""
    directory = Path(directory or network_dir())
    stem = f"{feed.name}-v{feed.version}-{(feed.content_hash or 'nohash')[:12]}"
    return directory / f"{stem}.cafein", directory / f"{stem}.meta.pickle"


def split_path(network_path) -> Path:
    """The per-pattern split network saved beside the plain one (see write_split_feed)."""
    return Path(str(network_path).removesuffix(".cafein") + ".split.cafein")


def pois_path(network_path) -> Path:
    """Where the OSM points of interest extracted with a network are kept."""
    return Path(str(network_path).removesuffix(".cafein") + ".pois.json")

