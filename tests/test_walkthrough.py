from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_walkthrough_registers_updates_closes_and_exports_on_a_fresh_database(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SMARTSPOT_WALKTHROUGH_DIR": str(tmp_path / "walkthrough"),
    }
    env.pop("SMARTSPOT_DB", None)
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "walkthrough.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "i version 2, men ændringen byggede på version 1" in done.stderr
    out = done.stdout
    assert "Holstebro" in out and "closed" in out
    assert "close  status: open → closed" in out
    assert "hotspots.gpkg: " in out and "in 2 layer(s), CRS EPSG:4326, 1 closed" in out
