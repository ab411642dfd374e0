"""Travel times from a Valhalla routing server (adapter of the TravelTimes port; optional).

For districts that already operate Valhalla (e.g. ``valhalla_service valhalla.json`` built
from the Danish OSM extract, as ``benchmarks/valhalla_compare.py`` builds it for the small
extracts): times come from its ``/sources_to_targets`` matrix and lines from ``/route``, over
plain HTTP with the standard library, so Smart Spot needs no extra package. Nothing in the
tests talks to a server; the request and answer formats are checked on their own.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import LineString

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric, metric_to_lonlat
from smartspot.i18n import msg
from smartspot.travel.port import Points, Seconds, as_points, check_depart_at, cut_at

Post = Callable[[str, dict[str, Any]], dict[str, Any]]
MAX_MATRIX_CELLS = 250_000  # answered in blocks of rows below this size


def http_post(base_url: str, timeout_s: float = 30.0) -> Post:
    """A ``post(path, body) -> answer`` that sends JSON to ``base_url`` (``http://host:8002``)."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            base_url.rstrip("/") + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            result: dict[str, Any] = json.loads(answer.read())
        return result

    return post


def _locations(xy: NDArray[np.float64]) -> list[dict[str, float]]:
    lonlat = metric_to_lonlat(xy[:, 0], xy[:, 1])
    return [{"lon": float(lon), "lat": float(lat)} for lon, lat in lonlat]


def matrix_request(
    origins: NDArray[np.float64], destinations: NDArray[np.float64], *, ferries: bool
) -> dict[str, Any]:
    """The ``/sources_to_targets`` body for EPSG:25832 points."""
    return {
        "sources": _locations(origins),
        "targets": _locations(destinations),
        "costing": "auto",
        "costing_options": {"auto": {"use_ferry": 0.5 if ferries else 0.0}},
    }


def parse_matrix(answer: dict[str, Any], n: int, m: int) -> Seconds:
    """Seconds from a ``/sources_to_targets`` answer; ``NaN`` where Valhalla found no route."""
    rows = answer.get("sources_to_targets")
    if not isinstance(rows, list) or len(rows) != n:
        raise InvalidInputError(
            msg("Valhalla's answer has no sources_to_targets matrix of this size")
        )
    out = np.full((n, m), np.nan)
    for i, row in enumerate(rows):
        for cell in row:
            time = cell.get("time")
            if time is not None:
                out[i, int(cell.get("to_index", 0))] = float(time)
    return out


def decode_polyline6(text: str) -> NDArray[np.float64]:
    """Valhalla's encoded shape (polyline, 6 decimals) as an ``(n, 2)`` lon/lat array."""
    values: list[int] = []
    current = shift = 0
    for char in text:
        byte = ord(char) - 63
        current |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            values.append(~(current >> 1) if current & 1 else current >> 1)
            current = shift = 0
    lat = np.cumsum(values[0::2]) / 1e6
    lon = np.cumsum(values[1::2]) / 1e6
    return np.column_stack([lon, lat])


class ValhallaTravelTimes:
    """Driving times from a Valhalla server.

    Parameters
    ----------
    post
        How to send a request: :func:`http_post` (``"http://localhost:8002"``) for a server.
    ferries
        Let routes take ferries (Valhalla's ``use_ferry``).
    """

    model = "valhalla"

    def __init__(self, post: Post, *, ferries: bool = True) -> None:
        self._post = post
        self.ferries = ferries

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable or beyond
        ``limit_s``.

        ``depart_at`` is checked but not passed on: Valhalla's own ferry durations apply.
        """
        check_depart_at(depart_at)
        o = as_points(origins, name="origins")
        d = as_points(destinations, name="destinations")
        out = np.full((len(o), len(d)), np.nan)
        if len(o) == 0 or len(d) == 0:
            return out
        step = max(1, MAX_MATRIX_CELLS // len(d))
        for lo in range(0, len(o), step):
            block = o[lo : lo + step]
            answer = self._post(
                "/sources_to_targets", matrix_request(block, d, ferries=self.ferries)
            )
            out[lo : lo + len(block)] = parse_matrix(answer, len(block), len(d))
        return cut_at(out, limit_s)

    def route(self, a: Points, b: Points) -> LineString | None:
        """The driven line from ``a`` to ``b`` (EPSG:25832), or ``None`` when unreachable."""
        pair = np.vstack([as_points(a, name="a"), as_points(b, name="b")])
        body = matrix_request(pair[:1], pair[1:], ferries=self.ferries)
        request = {
            "locations": body["sources"] + body["targets"],
            "costing": "auto",
            "costing_options": body["costing_options"],
        }
        try:
            answer = self._post("/route", request)
        except OSError:
            return None
        legs = answer.get("trip", {}).get("legs", [])
        shape = [decode_polyline6(leg["shape"]) for leg in legs if "shape" in leg]
        if not shape:
            return None
        lonlat = np.vstack(shape)
        return LineString(lonlat_to_metric(lonlat[:, 0], lonlat[:, 1]))
