"""`modconsole serve`: the FastAPI app over the same domain services as the local backend."""

from __future__ import annotations

from fastapi import FastAPI

from modconsole.domain.service import Services
from modconsole.domain.store import Store

from . import errors
from .routers import ROUTERS


def create_app(db_url: str) -> FastAPI:
    """The API over the store at `db_url` (initialized with `modconsole init`)."""
    store = Store(db_url)
    store.require_initialized()
    app = FastAPI(title="modconsole", version="0.1.0",
                  description="Trust-and-safety console API: the same service layer as the local store.")
    app.state.services = Services(store)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def create_app_from_env() -> FastAPI:
    """For uvicorn's factory mode (several workers): the store comes from MODCONSOLE_DB."""
    from modconsole.config import Settings

    return create_app(Settings.from_env().db)

