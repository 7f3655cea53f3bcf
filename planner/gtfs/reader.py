"""Read a GTFS feed (zip, directory or http(s) URL) into DataFrames with gtfs-kit's `read_feed`."""
from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import gtfs_kit
import pandas as pd
from gtfs_kit import constants as gk_constants

from planner.gtfs.issues import FeedInvalid, Issue

TABLES = ("agency", "stops", "routes", "trips", "stop_times", "calendar", "calendar_dates", "transfers",
          "shapes", "frequencies", "feed_info", "translations")
_CSV = {"na_values": ["", " ", "nan", "NaN", "null"], "keep_default_na": True, "encoding": "utf-8-sig"}


@contextmanager
def local_source(path_or_url: str):
    """Yield a local Path for `path_or_url`, downloading URLs to a temporary file first."""
    if str(path_or_url).startswith(("http://", "https://")):
        import requests

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "feed.zip"
            with requests.get(path_or_url, stream=True, timeout=(10, 120)) as response:
                response.raise_for_status()
                with open(target, "wb") as fh:
                    shutil.copyfileobj(response.raw, fh)
            yield target
    else:
        path = Path(path_or_url)
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
        yield path


def content_hash(path: Path, *extra: Path) -> str:
    """sha256 over the feed's bytes (files of a directory in name order) and any extra inputs."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for p in [*files, *extra]:
        digest.update(p.name.encode())
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _open_member(path: Path, table: str):
    """A binary file object for `<table>.txt` in a zip or directory, or None."""
    if path.is_dir():
        p = path / f"{table}.txt"
        return open(p, "rb") if p.exists() else None
    with zipfile.ZipFile(path) as zf:
        names = {Path(n).name: n for n in zf.namelist()}
        if f"{table}.txt" not in names:
            return None
        return io.BytesIO(zf.read(names[f"{table}.txt"]))


def member_bytes(path: Path, table: str) -> bytes | None:
    """The raw bytes of <table>.txt in a zip or directory (a UTF-8 BOM removed), or None."""
    fh = _open_member(Path(path), table)
    if fh is None:
        return None
    with fh:
        data = fh.read()
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _locate_type_errors(path: Path) -> list[Issue]:
    """After read_feed failed on a type conversion: find the file/row/field cells that don't parse."""
    issues = []
    for table, dtypes in gk_constants.DTYPES.items():
        fh = _open_member(path, table)
        if fh is None:
            continue
        with fh:
            df = pd.read_csv(fh, dtype=str, **_CSV)
        df.columns = [c.strip() for c in df.columns]
        for column, dtype in dtypes.items():
            if column not in df.columns or str(dtype) in ("str", "string"):
                continue
            values = df[column]
            parsed = pd.to_numeric(values, errors="coerce")
            bad = values.notna() & parsed.isna()
            if str(dtype).lower().startswith("int"):
                bad |= parsed.notna() & (parsed != parsed.round())
            for idx in bad[bad].index[:50]:
                issues.append(Issue(f"{table}.txt", int(idx) + 2, column, "bad_number",
                                    f"{values[idx]!r} is not a valid {dtype}", value=str(values[idx])))
    return issues


def _copy_members(path: Path, target: Path, exclude: tuple[str, ...]) -> Path:
    """The feed's .txt members except `exclude` copied into the directory `target`."""
    if path.is_dir():
        for member in path.iterdir():
            if member.is_file() and member.stem not in exclude:
                shutil.copyfile(member, target / member.name)
    else:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                base = Path(name).name
                if base.endswith(".txt") and Path(base).stem not in exclude:
                    with zf.open(name) as src, open(target / base, "wb") as dst:
                        shutil.copyfileobj(src, dst)
    return target


def read_tables(path: Path, exclude: tuple[str, ...] = ()) -> dict[str, pd.DataFrame | None]:
    """{table: DataFrame or None} via gtfs_kit.read_feed, plus translations.txt (which gtfs-kit skips).

    Tables named in `exclude` (e.g. "shapes") are not read (None). Raises FeedInvalid naming
    file/row/field when a numeric column holds text.
    """
    if exclude:
        with tempfile.TemporaryDirectory() as tmp:
            tables = read_tables(_copy_members(path, Path(tmp), exclude))
        return {**tables, **{t: None for t in exclude}}
    try:
        feed = gtfs_kit.read_feed(path, dist_units="km")
    except (ValueError, TypeError) as exc:
        issues = _locate_type_errors(path)
        if not issues:
            issues = [Issue(path.name, None, None, "unreadable", f"gtfs-kit could not read the feed: {exc}")]
        raise FeedInvalid(issues) from exc
    except zipfile.BadZipFile as exc:
        raise FeedInvalid([Issue(path.name, None, None, "unreadable", f"not a zip file: {exc}")]) from exc
    tables = {t: getattr(feed, t, None) for t in TABLES if t != "translations"}
    fh = _open_member(path, "translations")
    tables["translations"] = None
    if fh is not None:
        with fh:
            tables["translations"] = pd.read_csv(fh, dtype="string", **_CSV)
    return {t: (df.reset_index(drop=True) if df is not None else None) for t, df in tables.items()}
