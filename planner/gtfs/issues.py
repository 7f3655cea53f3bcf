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
    for i in issues:
        counts[(i.file, i.field or "-", i.code)] += i.count
    lines.append("Totals: " + "; ".join(f"{f} {fld} {code}: {n}" for (f, fld, code), n in sorted(counts.items())))
    return "\n".join(lines)
