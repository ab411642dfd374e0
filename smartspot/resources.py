"""Where the bundled data lives. The only module that knows the repository layout."""

from __future__ import annotations

from pathlib import Path

#: ``data/`` beside the package: real geodata with its licences (see data/README.md).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: ``scenarios/`` beside the package: demo districts and simulation scenarios.
SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
