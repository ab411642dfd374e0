"""Every benchmark script imports: a helper moved from one script to another must not leave a
third one broken until someone next runs it (``national._fixes`` did, in session 8)."""

import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted(
    path.stem
    for path in (Path(__file__).parents[2] / "benchmarks").glob("*.py")
    if path.stem != "__init__"
)


def test_the_benchmark_folder_is_found() -> None:
    assert "national" in SCRIPTS and "toptw_grid" in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_script_imports(script: str) -> None:
    module = importlib.import_module(f"benchmarks.{script}")
    assert module.__name__ == f"benchmarks.{script}"
