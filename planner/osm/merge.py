"""Merge several OSM PBF extracts (same OSM ids) into one file, optionally clipped to a bbox.

An object present in several inputs is written once, in its highest version. With a bbox, nodes inside
it are kept, ways with at least one node inside are kept whole (with all their nodes), and relations
with a kept member are kept (members outside stay as dangling references, as in any extract).
Everything is held in memory: fine for district-sized extracts, not for a country.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import osmium
from osmium.osm import mutable

HIGHWAY_WALK = {"footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
                "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
                "primary_link", "track", "cycleway", "corridor", "road", "bridleway", "crossing"}


def _inside(location, bbox) -> bool:
    min_lon, min_lat, max_lon, max_lat = bbox
    return location.valid() and min_lon <= location.lon <= max_lon and min_lat <= location.lat <= max_lat


def _meta(obj) -> dict:
    return {"id": obj.id, "version": obj.version, "visible": True, "changeset": obj.changeset,
            "timestamp": obj.timestamp, "uid": obj.uid, "user": obj.user, "tags": dict(obj.tags)}


def merge_pbfs(inputs: list[str | Path], output: str | Path, bbox: tuple[float, float, float, float] | None = None
               ) -> dict:
    """Write the merged (and clipped) extract to `output`; return counts and the walkable way count."""
    inputs = [Path(p) for p in inputs]
    inside = nodes_inside(inputs, bbox) if bbox is not None else None
    ways, relations = read_ways_and_relations(inputs, inside)
    needed = None
    if inside is not None:
        needed = needed_nodes(inside, ways)
        relations = {rid: rel for rid, rel in relations.items()
                     if any((t == "w" and ref in ways) or (t == "n" and ref in needed) for t, ref, _ in rel.members)}
    nodes = read_nodes(inputs, needed)
    write_extract(Path(output), nodes, ways, relations)
    walkable = sum(1 for w in ways.values() if w.tags.get("highway") in HIGHWAY_WALK)
    return {"nodes": len(nodes), "ways": len(ways), "relations": len(relations), "walkable_ways": walkable}


def nodes_inside(inputs: list[Path], bbox) -> set[int]:
    """Ids of the inputs' nodes inside `bbox`."""
    inside: set[int] = set()
    for path in inputs:
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if _inside(node.location, bbox):
                inside.add(node.id)
    return inside


def _newer(objects: dict, obj_id: int, version: int) -> bool:
    return obj_id not in objects or objects[obj_id].version < version


def read_ways_and_relations(inputs: list[Path], inside: set[int] | None) -> tuple[dict, dict]:
    """Every way (with a node in `inside`, when given) and relation, each once in its highest version."""
    ways: dict[int, mutable.Way] = {}
    relations: dict[int, mutable.Relation] = {}
    for path in inputs:
        for obj in osmium.FileProcessor(str(path), osmium.osm.WAY | osmium.osm.RELATION):
            if obj.is_way():
                refs = [n.ref for n in obj.nodes]
                if inside is not None and not any(r in inside for r in refs):
                    continue
                if _newer(ways, obj.id, obj.version):
                    ways[obj.id] = mutable.Way(nodes=refs, **_meta(obj))
            elif _newer(relations, obj.id, obj.version):
                relations[obj.id] = mutable.Relation(members=[(m.type, m.ref, m.role) for m in obj.members],
                                                     **_meta(obj))
    return ways, relations


def needed_nodes(inside: set[int], ways: dict) -> set[int]:
    """The nodes a clipped extract keeps: those inside, and every node of a kept way."""
    needed = set(inside)
    for way in ways.values():
        needed.update(way.nodes)
    return needed


def read_nodes(inputs: list[Path], needed: set[int] | None) -> dict:
    """The nodes (all, or those in `needed`), each once in its highest version."""
    nodes: dict[int, mutable.Node] = {}
    for path in inputs:
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if needed is not None and node.id not in needed:
                continue
            if _newer(nodes, node.id, node.version):
                nodes[node.id] = mutable.Node(location=(node.location.lon, node.location.lat), **_meta(node))
    return nodes


def write_extract(output: Path, nodes: dict, ways: dict, relations: dict) -> None:
    """Nodes, ways, relations in id order, written to a unique temporary name and renamed into place."""
    output.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name (parallel imports may target the same file); osmium needs the suffix.
    tmp = output.with_name(f"{output.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part.osm.pbf")
    writer = osmium.SimpleWriter(str(tmp))
    try:
        for nid in sorted(nodes):
            writer.add_node(nodes[nid])
        for wid in sorted(ways):
            writer.add_way(ways[wid])
        for rid in sorted(relations):
            writer.add_relation(relations[rid])
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    writer.close()
    tmp.replace(output)
