"""Zip members a feed may not have: paths outside the archive root and names given twice.

GTFS readers find a table by its base name (`stops.txt`), so `../../stops.txt`, `/etc/stops.txt` or two
members that are both `stops.txt` would be read silently; the import rejects them, naming the member.
"""
from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from planner.gtfs.issues import FeedInvalid, Issue


def member_issues(names: list[str]) -> list[Issue]:
    """Findings for unsafe or duplicated member names (empty when the archive is fine)."""
    issues, seen, tables = [], set(), {}
    for name in names:
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            issues.append(Issue(name, None, None, "unsafe_member", f"zip member {name!r} has an absolute path"))
        elif ".." in parts:
            issues.append(Issue(name, None, None, "unsafe_member",
                                f"zip member {name!r} points outside the archive ('..')"))
        if name in seen:
            issues.append(Issue(name, None, None, "duplicate_member", f"zip member {name!r} appears more than once"))
        seen.add(name)
        base = parts[-1] if parts else name
        if base.endswith(".txt") and not name.endswith("/"):
            if base in tables and tables[base] != name:
                issues.append(Issue(name, None, None, "duplicate_member",
                                    f"zip members {tables[base]!r} and {name!r} are both {base}"))
            tables.setdefault(base, name)
    return issues


def check_archive(path: Path) -> None:
    """Raise FeedInvalid naming each unsafe or duplicated member of the zip at `path` (folders pass)."""
    if path.is_dir() or not zipfile.is_zipfile(path):
        return
    with zipfile.ZipFile(path) as zf:
        issues = member_issues(zf.namelist())
    if issues:
        raise FeedInvalid(issues)
