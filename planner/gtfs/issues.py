"""Validation findings: each names a file, a row (line number in the file, header = line 1) and a field."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    file: str
    row: int | None  # line number in the CSV file (the header is line 1); None for file-level issues
    field: str | None
    code: str
    message: str
    count: int = 1  # rows sharing this finding (e.g. one unknown stop_id used in 87 rows)
    value: str | None = None

    def __str__(self):
        where = self.file + (f" row {self.row}" if self.row is not None else "") + \
            (f" field {self.field}" if self.field else "")
        more = f" ({self.count} rows)" if self.count > 1 else ""
        return f"{where}: {self.message}{more}"


class FeedInvalid(Exception):
    """The feed has errors; nothing was written."""

    def __init__(self, issues: list[Issue]):
        super().__init__(f"{len(issues)} error(s) in feed")
        self.issues = issues


def format_report(issues: list[Issue], limit: int = 20) -> str:
    """First `limit` issues one per line, then counts per file/field/code."""
    lines = [str(i) for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"... and {len(issues) - limit} more; counts by file/field/kind:")
    counts = Counter()
    values: dict[tuple, list[str]] = {}
    for i in issues:
        key = (i.file, i.field or "-", i.code)
        counts[key] += i.count
        if i.code.startswith("unknown_") and i.value is not None:
            values.setdefault(key, []).append(i.value)
    totals = []
    for key, n in sorted(counts.items()):
        line = f"{key[0]} {key[1]} {key[2]}: {n} rows"
        if key in values:  # name every unknown id (up to 50), e.g. the missing stop_ids
            ids = sorted(set(values[key]))
            line += f", {len(ids)} ids: " + ", ".join(ids[:50]) + (" ..." if len(ids) > 50 else "")
        totals.append(line)
    lines.append("Totals:\n  " + "\n  ".join(totals))
    return "\n".join(lines)
