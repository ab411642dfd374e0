from __future__ import annotations

from pathlib import Path

import pytest

from smartspot.errors import InvalidInputError
from smartspot.resources import DATA_DIR
from smartspot.travel.links import LinkKind, load_links


def test_links_table_has_the_districts_crossings_each_with_a_source() -> None:
    links = {link.id: link for link in load_links(DATA_DIR / "fixed_links.csv")}
    assert {"vilsund", "sallingsund", "oddesund", "fur", "venoe", "feggesund"} <= set(links)
    assert {"hvalpsund", "hou_saelvig", "kalundborg_ballen", "hou_tunoe", "grenaa_anholt"} <= set(
        links
    )
    assert links["sallingsund"].kind is LinkKind.BRIDGE
    assert links["hou_saelvig"].crossing_s == 3600
    assert all(link.source for link in links.values())


def test_a_link_without_source_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "links.csv"
    table.write_text(
        "id,name,kind,lon_a,lat_a,lon_b,lat_b,crossing_min,district,source,note\n"
        "x,X,ferry,10.0,56.0,10.1,56.1,5,Østjyllands Politi,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match="source"):
        load_links(table)


def test_a_link_outside_denmark_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "links.csv"
    table.write_text(
        "id,name,kind,lon_a,lat_a,lon_b,lat_b,crossing_min,district,source,note\n"
        "x,X,bridge,2.0,48.0,10.1,56.1,5,-,http://example.org,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match="not in Denmark"):
        load_links(table)
