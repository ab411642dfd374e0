"""``GET /health``: the one endpoint without a login, for load balancers and the demo script."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas import Health
from smartspot import __version__

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(services: ServicesDep) -> Health:
    """Is the service up and its database readable? 503 when the database is not."""
    schema = services.store.schema_version
    return Health(status="ok", database=f"schema {schema}", version=__version__)
