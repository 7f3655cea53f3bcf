"""Write GTFS tables to a zip with fixed member timestamps (same tables -> same bytes)."""
from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

ORDER = ("agency", "feed_info", "stops", "routes", "trips", "stop_times", "calendar", "calendar_dates",
         "transfers", "shapes", "frequencies", "translations")


def write_zip(tables: dict[str, pd.DataFrame | bytes | None], path: str | Path, compresslevel: int = 6) -> Path:
    """Write every non-empty table (a DataFrame, or ready CSV bytes) as <name>.txt into a zip at `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name: parallel test databases may write the same target at once.
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    names = [n for n in ORDER if tables.get(n) is not None and len(tables[n])] + \
        sorted(n for n in tables if n not in ORDER and tables[n] is not None and len(tables[n]))
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
            for name in names:
                info = zipfile.ZipInfo(f"{name}.txt", date_time=(1980, 1, 1, 0, 0, 0))
                table = tables[name]
                data = (table if isinstance(table, bytes)
                        else table.to_csv(index=False, lineterminator="\n").encode("utf-8"))
                zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path
