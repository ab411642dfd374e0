"""Printing results: JSON for scripts, plain lines for people."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(data: Any, *, as_json: bool, text: str | None = None) -> None:
    """Print ``data`` as JSON when asked, else ``text`` (or a key: value listing)."""
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    if text is not None:
        print(text)
    elif isinstance(data, dict):
        for key, value in data.items():
            print(f"{key}: {value}")
    else:
        print(data)
