"""What a street leg shows of its path: GeoJSON, encoded polyline (precision 5) and turn-by-turn steps."""
from __future__ import annotations

import math

from maas.geo import distance_m

# Relative direction by the change of heading in degrees (OpenTripPlanner's RelativeDirection names).
_TURNS = ((-160, "uturn_left"), (-110, "hard_left"), (-45, "left"), (-15, "slightly_left"), (15, "continue"),
          (45, "slightly_right"), (110, "right"), (160, "hard_right"), (181, "uturn_right"))


def encode_polyline(coordinates, precision=5) -> str:
    """Google encoded polyline of [(lon, lat)] (the order GeoJSON uses), latitude first in the encoding."""
    factor, out, prev = 10 ** precision, [], (0, 0)
    for lon, lat in coordinates:
        point = (int(round(lat * factor)), int(round(lon * factor)))
        for value in (point[0] - prev[0], point[1] - prev[1]):
            value = ~(value << 1) if value < 0 else value << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        prev = point
    return "".join(out)


def decode_polyline(text, precision=5) -> list:
    """[(lon, lat)] of an encoded polyline."""
    factor, coords, index, lat, lon = 10 ** precision, [], 0, 0, 0
    while index < len(text):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[index]) - 63
                index += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat, lon = lat + deltas[0], lon + deltas[1]
        coords.append((lon / factor, lat / factor))
    return coords


def bearing(a, b) -> float:
    """Initial heading in degrees (0 = north, clockwise) from (lon, lat) a to b."""
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    dl = math.radians(b[0] - a[0])
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


def relative_direction(before: float, after: float) -> str:
    turn = (after - before + 540) % 360 - 180
    return next(name for limit, name in _TURNS if turn <= limit)


def absolute_direction(heading: float) -> str:
    return ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")[
        int(((heading + 22.5) % 360) // 45)]


def street_name(tags, language):
    """The way's name in `language` (name:fi / name:sv where OSM has it), else its name; None if unnamed."""
    if tags is None:
        return None
    return tags.get(f"name:{language}") or tags.get("name")


def steps(coordinates, ways, way_tags, language="fi") -> list:
    """Turn-by-turn steps: one per run of segments on the same street (connectors join their neighbour).

    [{"street_name", "relative_direction", "absolute_direction", "distance_m", "lat", "lon", "bogus_name"}]
    where lat/lon is where the step starts; unnamed ways get the highway kind as name and bogus_name true.
    """
    runs = []  # [name, bogus, first segment index, last segment index, metres]
    for i in range(len(coordinates) - 1):
        tags = way_tags[ways[i]] if ways[i] is not None else None
        metres = distance_m(coordinates[i][1], coordinates[i][0], coordinates[i + 1][1], coordinates[i + 1][0])
        if tags is None and runs:
            runs[-1][3], runs[-1][4] = i, runs[-1][4] + metres
            continue
        name = street_name(tags, language)
        bogus = name is None
        name = name or (tags or {}).get("highway", "path")
        if runs and runs[-1][0] == name:
            runs[-1][3], runs[-1][4] = i, runs[-1][4] + metres
        else:
            runs.append([name, bogus, i, i, metres])
    out = []
    for k, (name, bogus, first, last, metres) in enumerate(runs):
        a, b = coordinates[first], coordinates[first + 1]
        heading = bearing(a, b) if a != b else 0.0
        if k == 0:
            rel = "depart"
        else:
            prev_end = runs[k - 1][3]
            p, q = coordinates[prev_end], coordinates[prev_end + 1]
            rel = relative_direction(bearing(p, q), heading) if p != q and a != b else "continue"
        out.append({"street_name": name, "bogus_name": bogus, "relative_direction": rel,
                    "absolute_direction": absolute_direction(heading), "distance_m": int(round(metres)),
                    "lat": round(a[1], 6), "lon": round(a[0], 6)})
    return out
