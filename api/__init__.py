"""The Smart Spot web service: FastAPI app, the vagtcentral map, the live event stream."""

from __future__ import annotations

from api.app import create_app

__all__ = ["create_app"]
