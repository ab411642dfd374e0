"""Fixed links and car ferries: the only ways the fallback model lets a car cross water.

Read from ``data/fixed_links.csv`` (one row per link, each with its source).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg


class LinkKind(StrEnum):
    BRIDGE = "bridge"
    TUNNEL = "tunnel"
    FERRY = "ferry"


@dataclass(frozen=True, slots=True)
class Link:
    """A crossing between two shores (WGS84 end points) and how long it takes."""

    id: str
    name: str
    kind: LinkKind
    a: tuple[float, float]
    b: tuple[float, float]
    crossing_s: float
    source: str

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidInputError(msg("a link needs an id"))
        if not 0 < self.crossing_s <= 6 * 3600:
            raise InvalidInputError(msg("link {id}: crossing time must be 0–6 hours", id=self.id))
        if not self.source:
            raise InvalidInputError(msg("link {id}: every link needs a source", id=self.id))
        for lon, lat in (self.a, self.b):
            if not (7.5 <= lon <= 15.5 and 54.4 <= lat <= 58.0):
                raise InvalidInputError(
                    msg(
                        "link {id}: end point ({lon}, {lat}) not in Denmark",
                        id=self.id,
                        lon=lon,
                        lat=lat,
                    )
                )

    @property
    def is_ferry(self) -> bool:
        return self.kind is LinkKind.FERRY


def load_links(path: Path) -> tuple[Link, ...]:
    """All links in ``path`` (``fixed_links.csv``).

    Raises
    ------
    InvalidInputError
        When a row is malformed, lacks a source, or repeats an id.
    """
    links: list[Link] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                link = Link(
                    id=row["id"],
                    name=row["name"],
                    kind=LinkKind(row["kind"]),
                    a=(float(row["lon_a"]), float(row["lat_a"])),
                    b=(float(row["lon_b"]), float(row["lat_b"])),
                    crossing_s=float(row["crossing_min"]) * 60.0,
                    source=row["source"],
                )
            except (KeyError, ValueError) as error:
                raise InvalidInputError(
                    msg("{name} line {line}: {error}", name=path.name, line=line, error=error)
                ) from None
            links.append(link)
    ids = [link.id for link in links]
    if len(set(ids)) != len(ids):
        raise InvalidInputError(msg("{name}: link ids must be unique", name=path.name))
    return tuple(links)
