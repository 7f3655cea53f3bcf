"""Points of interest (accessibility destinations) extracted from an OSM extract with pyrosm."""
from __future__ import annotations

POI_CATEGORIES = {
    "schools": {"amenity": ["school", "kindergarten", "college", "university"]},
    "health": {"amenity": ["hospital", "clinic", "doctors", "dentist", "pharmacy"]},
    "shops": {"shop": True},
}


def extract_pois(osm_path) -> list[dict]:
    """Schools, health services and shops from an OSM extract: [{"id","name","category","lat","lon"}]."""
    import pyrosm

    osm = pyrosm.OSM(str(osm_path))
    out = []
    for category, flt in POI_CATEGORIES.items():
        frame = osm.get_pois(custom_filter=flt)
        if frame is None or frame.empty:
            continue
        points = frame.geometry.representative_point()
        for (_, row), pt in zip(frame.iterrows(), points):
            name = row.get("name")
            out.append({"id": f"osm:{row.get('osm_type', 'node')}/{row['id']}",
                        "name": name if isinstance(name, str) and name else category,
                        "category": category, "lat": round(pt.y, 6), "lon": round(pt.x, 6)})
    return out

