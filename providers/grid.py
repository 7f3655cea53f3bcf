"""A fixed lat/lon grid for nearest-first searches on plain B-tree indexes (PostgreSQL and SQLite alike).

Every station and vehicle row stores `cell` (an integer: grid row × COLS + grid column) next to a
(snapshot, cell) index. A search reads squares of cells around the point, growing outwards, and stops
once `limit` results lie within the distance the squares already cover: anything nearer is then known.
A cell is 0.001° of latitude (111 m) by 0.002° of longitude (111 m at Helsinki's 60° N).
"""
import math

from django.db.models import Q

from maas.geo import METRES_PER_DEGREE_LAT

CELL_LAT = 0.001
CELL_LON = 0.002
COLS = 200_000  # > 360 / CELL_LON
METRES_PER_DEGREE = METRES_PER_DEGREE_LAT  # on the sphere of maas.geo, which the distances use
# Half-widths (in cells) of the squares read one after another: each step reads only the new ring.
STEPS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256)
# Beyond this half-width a ring would need too many cell ranges (SQLite's expression depth): the whole
# square is read by its lat/lon box instead (few rows there, or the search would have stopped sooner).
MAX_CELL_RING = 8
EPS = 1e-9


def cell_of(lat, lon):
    """The grid cell of a point (None without coordinates)."""
    if lat is None or lon is None:
        return None
    return _row(lat) * COLS + _col(lon)


def _row(lat):
    return int(math.floor((lat + 90.0) / CELL_LAT))


def _col(lon):
    return int(math.floor((lon + 180.0) / CELL_LON))


def covered_m(lat, half_width):
    """Distance from a point to the outside of the square of `half_width` cells around its cell."""
    edge_lat = min(89.9, abs(lat) + (half_width + 1) * CELL_LAT)
    cell_m = min(CELL_LAT * METRES_PER_DEGREE, CELL_LON * METRES_PER_DEGREE * math.cos(math.radians(edge_lat)))
    return half_width * cell_m


def _ranges(row0, col0, inner, outer):
    """(low, high) cell ranges of the ring between the squares of half-width `inner` (excluded) and `outer`."""
    if inner < 0:  # the first square: every row of it, whole
        return [((r * COLS) + col0 - outer, (r * COLS) + col0 + outer)
                for r in range(row0 - outer, row0 + outer + 1)]
    ranges = []
    for r in range(row0 - outer, row0 + outer + 1):
        base = r * COLS
        if abs(r - row0) > inner:
            ranges.append((base + col0 - outer, base + col0 + outer))
        else:
            ranges.append((base + col0 - outer, base + col0 - inner - 1))
            ranges.append((base + col0 + inner + 1, base + col0 + outer))
    return ranges


def _box(row0, col0, outer):
    lat0, lat1 = (row0 - outer) * CELL_LAT - 90.0, (row0 + outer + 1) * CELL_LAT - 90.0
    lon0, lon1 = (col0 - outer) * CELL_LON - 180.0, (col0 + outer + 1) * CELL_LON - 180.0
    return Q(lat__range=(lat0 - EPS, lat1 + EPS), lon__range=(lon0 - EPS, lon1 + EPS))


def rings(lat, lon, radius_m):
    """Yield (Q for the next ring, distance fully covered so far) outwards until radius_m is covered.

    Rows may come back twice (a large square re-reads its inside): callers keep the first by key."""
    row0, col0 = _row(lat), _col(lon)
    inner = -1
    for outer in STEPS:
        if outer > MAX_CELL_RING:
            q = _box(row0, col0, outer)
        else:
            q = Q()
            for low, high in _ranges(row0, col0, inner, outer):
                q |= Q(cell__range=(low, high))
        covered = covered_m(lat, outer)
        yield q, covered
        if covered >= radius_m:
            return
        inner = outer


def square(lat, lon, radius_m):
    """Q for the whole smallest square of STEPS covering radius_m: one read when no early stop is possible."""
    row0, col0 = _row(lat), _col(lon)
    outer = next((o for o in STEPS if covered_m(lat, o) >= radius_m), STEPS[-1])
    if outer > MAX_CELL_RING:
        return _box(row0, col0, outer)
    q = Q()
    for low, high in _ranges(row0, col0, -1, outer):
        q |= Q(cell__range=(low, high))
    return q
