"""Geometry on the WGS84 sphere shared by every app: distances, bounding boxes, point in polygon.

One earth radius (the IUGG mean radius) for all of them. Coordinates are (lat, lon) in degrees,
except GeoJSON geometries, which are lon/lat as the format says.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180  # ≈ 111 195 m


class BBox(NamedTuple):
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distances_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """`distance_m` over numpy arrays (broadcasting: one point against many, or pairwise)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """The smallest lat/lon box holding every point within radius_m of (lat, lon) (for index range queries)."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    return BBox(lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def bbox_of(lats, lons) -> BBox:
    """The lat/lon box of a set of points."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    return BBox(float(lats.min()), float(lons.min()), float(lats.max()), float(lons.max()))


def covers(geometry: dict, lat: float, lon: float) -> bool:
    """True when the GeoJSON (Multi)Polygon `geometry` contains (lat, lon) or has it on its boundary."""
    from shapely.geometry import Point, shape

    return shape(geometry).covers(Point(lon, lat))
