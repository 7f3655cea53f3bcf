"""Where the embedded engine's artifacts live: one set per set of feed versions routed together.

`<NETWORK_DIR>/feeds_<token>+<token>....cafein` is cafein's saved TransportNetwork over those feed
versions (each token `<feed>-v<version>-<hash12>`, in feed-name order), `... .split.cafein` the
per-pattern split network (`split`), `... .meta.pickle` its FeedMeta side-car and `... .pois.json` the OSM
points of interest extracted with it. Activating, deactivating or replacing a feed changes the set, so
its network is another file: the one serving is never written over.
"""
from __future__ import annotations

from pathlib import Path

PREFIX = "feeds_"
SUFFIXES = (".split.cafein", ".cafein", ".meta.pickle", ".pois.json", ".meta.tmp", ".pois.tmp")


def network_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "NETWORK_DIR", Path("var/networks")))


def feed_token(feed) -> str:
    """One feed version's part of an artifact name."""
    return f"{feed.name}-v{feed.version}-{(feed.content_hash or 'nohash')[:12]}"


def artifact_paths(feeds, directory: Path | None = None) -> tuple[Path, Path]:
    """(network, meta) paths for a set of FeedVersions routed together (or one FeedVersion alone)."""
    directory = Path(directory or network_dir())
    feeds = [feeds] if hasattr(feeds, "content_hash") else sorted(feeds, key=lambda f: f.name)
    stem = PREFIX + "+".join(feed_token(f) for f in feeds)
    return directory / f"{stem}.cafein", directory / f"{stem}.meta.pickle"


def artifacts_with(feed, directory: Path | None = None) -> list[Path]:
    """Every artifact file of a network that includes `feed` (what deleting the version deletes)."""
    directory = Path(directory or network_dir())
    token = feed_token(feed)
    if not directory.exists():
        return []
    found = []
    for path in directory.glob(f"{PREFIX}*"):
        stem = path.name.removeprefix(PREFIX)
        stem = next((stem.removesuffix(s) for s in SUFFIXES if stem.endswith(s)), stem)
        if token in stem.split("+"):
            found.append(path)
    return found


def split_path(network_path) -> Path:
    """The per-pattern split network saved beside the plain one (see write_split_feed)."""
    return Path(str(network_path).removesuffix(".cafein") + ".split.cafein")


def pois_path(network_path) -> Path:
    """Where the OSM points of interest extracted with a network are kept."""
    return Path(str(network_path).removesuffix(".cafein") + ".pois.json")
