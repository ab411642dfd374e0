"""Write a synthetic Denmark-sized ``.osm.pbf`` by tiling the real extracts of ``data/osm/``.

Run: ``.venv/bin/python -m benchmarks.national_extract [--cols 24 --rows 17] [--out PATH]``
(default ``benchmarks/out/denmark_synthetic.osm.pbf``, git-ignored; about 2 min).

Each tile is one copy of the real Samsø roads (all ``highway=*`` and ``route=ferry`` ways with
their nodes, tags kept) plus one copy of the Aarhus C extract (with its turn restrictions) set
beside Samsø's east coast, both shifted in longitude/latitude, with fresh ids per tile (the
original id + tile × 10¹¹). Neighbouring tiles, and each tile's two parts, are joined by short
two-node ``highway=secondary`` ways (``maxspeed=80``) between their closest road nodes, so the
result is one connected network, as the roads of a country are. 24 × 17 tiles span
8.0–15.2 °E and 54.6–58.7 °N: the size of Denmark's road network (the real Geofabrik extract
has about 1.3 million drivable ways); this one has more than 4 million way nodes and 600,000
drivable ways, as ``smartspot roads build`` counts them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import osmium
from osmium.osm.mutable import Node, Relation, Way
from scipy.spatial import cKDTree

from smartspot.resources import DATA_DIR
from smartspot.travel.speeds import way_speed_kmh

OUT = Path(__file__).parent / "out" / "denmark_synthetic.osm.pbf"
ID_STEP = 10**11
STEP_LON, STEP_LAT = 0.30, 0.24  # one tile: Samsø's roads span 0.16° × 0.23°, Aarhus C east
ORIGIN_LON, ORIGIN_LAT = 8.0, 54.6
AARHUS_SHIFT = (0.53, -0.28)  # puts Aarhus C just east of Samsø's coast inside the tile
JOINS_PER_SIDE = 6
CONNECTOR_TAGS = {"highway": "secondary", "maxspeed": "80", "note": "synthetic tile join"}


class Part:
    """The road ways, their nodes and the restriction relations of one extract."""

    def __init__(self, path: Path, shift: tuple[float, float] = (0.0, 0.0)) -> None:
        self.ways: list[tuple[int, list[int], dict[str, str]]] = []
        self.relations: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = []
        used: set[int] = set()
        drivable: set[int] = set()
        for obj in osmium.FileProcessor(str(path), osmium.osm.WAY | osmium.osm.RELATION):
            tags = dict(obj.tags)
            if obj.is_way() and ("highway" in tags or tags.get("route") == "ferry"):
                refs = [n.ref for n in obj.nodes]
                self.ways.append((obj.id, refs, tags))
                used.update(refs)
                if way_speed_kmh(tags) is not None:
                    drivable.update(refs)
            elif obj.is_relation() and tags.get("type") == "restriction":
                members = [(m.type, m.ref, m.role) for m in obj.members]
                self.relations.append((obj.id, members, tags))
        ids, lon, lat = [], [], []
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if node.id in used:
                ids.append(node.id)
                lon.append(node.location.lon + shift[0])
                lat.append(node.location.lat + shift[1])
        order = np.argsort(ids)
        self.node_ids = np.array(ids, dtype=np.int64)[order]
        self.lon = np.array(lon)[order]
        self.lat = np.array(lat)[order]
        self.drivable = np.isin(self.node_ids, np.fromiter(drivable, dtype=np.int64))
        way_ids = {w[0] for w in self.ways}
        self.relations = [r for r in self.relations if _complete(r[1], way_ids, used)]


def _complete(members: list[tuple[str, int, str]], ways: set[int], nodes: set[int]) -> bool:
    return all((t == "w" and r in ways) or (t == "n" and r in nodes) for t, r, _ in members)


def _closest_pairs(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], k: int
) -> list[tuple[int, int]]:
    """``k`` well-spread closest pairs (index in a, index in b) between two node sets."""
    scale = np.cos(np.radians(56.0))
    pa = np.column_stack([a[0] * scale, a[1]])
    pb = np.column_stack([b[0] * scale, b[1]])
    distance, nearest = cKDTree(pb).query(pa)
    pairs: list[tuple[int, int]] = []
    taken: list[np.ndarray] = []
    for i in np.argsort(distance):
        if all(np.hypot(*(pa[i] - p)) > 0.02 for p in taken):  # ~1–2 km apart
            pairs.append((int(i), int(nearest[i])))
            taken.append(pa[i])
        if len(pairs) == k:
            break
    return pairs


def write(out: Path, cols: int, rows: int) -> dict[str, int]:
    samsoe = Part(DATA_DIR / "osm" / "samsoe.osm.pbf")
    aarhus = Part(DATA_DIR / "osm" / "aarhus_c_marselis.osm.pbf", AARHUS_SHIFT)
    base_lon = ORIGIN_LON - samsoe.lon[samsoe.drivable].min()
    base_lat = ORIGIN_LAT - samsoe.lat[samsoe.drivable].min()
    parts = (samsoe, aarhus)
    sd, ad = samsoe.drivable, aarhus.drivable
    # the joins are the same for every tile, because the tiles are identical copies
    inner = _closest_pairs((aarhus.lon[ad], aarhus.lat[ad]), (samsoe.lon[sd], samsoe.lat[sd]), 2)
    east = _closest_pairs(
        (aarhus.lon[ad], aarhus.lat[ad]), (samsoe.lon[sd] + STEP_LON, samsoe.lat[sd]), 3
    )
    north = _closest_pairs(
        (samsoe.lon[sd], samsoe.lat[sd]), (samsoe.lon[sd], samsoe.lat[sd] + STEP_LAT), 3
    )
    s_ids, a_ids = samsoe.node_ids[sd], aarhus.node_ids[ad]
    counts = {"nodes": 0, "ways": 0, "relations": 0}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(out))
    try:
        tiles = [(tx, ty) for ty in range(rows) for tx in range(cols)]
        for k, (tx, ty) in enumerate(tiles):
            dlon, dlat = base_lon + tx * STEP_LON, base_lat + ty * STEP_LAT
            offset = k * ID_STEP
            for part in parts:
                located = zip(
                    part.node_ids.tolist(), part.lon.tolist(), part.lat.tolist(), strict=True
                )
                for i, lo, la in located:
                    writer.add_node(Node(id=i + offset, location=(lo + dlon, la + dlat)))
                counts["nodes"] += len(part.node_ids)
        way_id = 9 * 10**15
        for k, (tx, ty) in enumerate(tiles):
            offset = k * ID_STEP
            for part in parts:
                for i, refs, tags in part.ways:
                    writer.add_way(Way(id=i + offset, nodes=[r + offset for r in refs], tags=tags))
                counts["ways"] += len(part.ways)
            joins = [(a_ids[i] + offset, s_ids[j] + offset) for i, j in inner]
            if tx + 1 < cols:
                right = (k + 1) * ID_STEP
                joins += [(a_ids[i] + offset, s_ids[j] + right) for i, j in east]
            if ty + 1 < rows:
                up = (k + cols) * ID_STEP
                joins += [(s_ids[i] + offset, s_ids[j] + up) for i, j in north]
            for u, v in joins:
                way_id += 1
                writer.add_way(Way(id=way_id, nodes=[int(u), int(v)], tags=CONNECTOR_TAGS))
                counts["ways"] += 1
        for k in range(len(tiles)):
            offset = k * ID_STEP
            for part in parts:
                for i, members, tags in part.relations:
                    shifted = [(t, r + offset, role) for t, r, role in members]
                    writer.add_relation(Relation(id=i + offset, members=shifted, tags=tags))
                counts["relations"] += len(part.relations)
    finally:
        writer.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cols", type=int, default=24)
    parser.add_argument("--rows", type=int, default=17)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write(args.out, args.cols, args.rows)
    size = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out} ({size:.0f} MB): {counts['nodes']:,} nodes, {counts['ways']:,} ways, "
        f"{counts['relations']:,} restrictions in {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
