from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.travel.port import TravelTimes
from smartspot.travel.valhalla import (
    ValhallaTravelTimes,
    decode_polyline6,
    matrix_request,
    parse_matrix,
)
from tests.travel.conftest import NORDBY_SAMSOE, TRANEBJERG, xy


def test_polyline6_decodes_the_reference_example() -> None:
    # the polyline format's reference string, read with 6 decimals instead of 5
    lonlat = decode_polyline6("_p~iF~ps|U_ulLnnqC_mqNvxq`@")
    assert lonlat == pytest.approx(np.array([[-12.02, 3.85], [-12.095, 4.07], [-12.6453, 4.3252]]))


def test_matrix_request_sends_wgs84_and_the_ferry_choice() -> None:
    body = matrix_request(xy(*TRANEBJERG), xy(*NORDBY_SAMSOE), ferries=False)
    assert body["sources"][0] == pytest.approx({"lon": TRANEBJERG[0], "lat": TRANEBJERG[1]})
    assert body["costing_options"]["auto"]["use_ferry"] == 0.0


def test_missing_cells_are_unreachable_and_a_wrong_answer_is_refused() -> None:
    answer = {"sources_to_targets": [[{"time": 60, "to_index": 0}, {"time": None, "to_index": 1}]]}
    t = parse_matrix(answer, 1, 2)
    assert t[0, 0] == 60.0 and np.isnan(t[0, 1])
    with pytest.raises(InvalidInputError):
        parse_matrix({"error": "no route"}, 1, 2)


def test_adapter_is_a_travel_times_and_asks_in_blocks() -> None:
    calls: list[dict[str, Any]] = []

    def server(path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A stand-in answering 10 s per target index, as a server's JSON would."""
        calls.append(body)
        row = [{"time": 10.0 * j, "to_index": j} for j in range(len(body["targets"]))]
        return {"sources_to_targets": [row for _ in body["sources"]]}

    model = ValhallaTravelTimes(server)
    assert isinstance(model, TravelTimes)
    points = np.vstack([xy(*TRANEBJERG), xy(*NORDBY_SAMSOE)])
    t = model.matrix(points, points)
    assert t.tolist() == [[0.0, 10.0], [0.0, 10.0]]
    assert len(calls) == 1
