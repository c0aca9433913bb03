"""The product's errors as HTTP answers: 401, 403, 404, 409 (with the holder of a case), 422, 503."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from modconsole.errors import ClaimHeld, ModconsoleError, Unauthenticated


def error_body(exc: ModconsoleError) -> dict[str, object]:
    body: dict[str, object] = {"error": type(exc).__name__, "title": exc.title, "message": exc.message}
    if isinstance(exc, ClaimHeld):
        body["holder"] = exc.holder
        body["expires_at"] = exc.expires_at
    return body


def install(app: FastAPI) -> None:
    @app.exception_handler(ModconsoleError)
    async def product_error(_: Request, exc: ModconsoleError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
        return JSONResponse(status_code=exc.status, content=error_body(exc), headers=headers)
