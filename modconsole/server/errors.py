"""The product's errors as HTTP answers: 401, 403, 404, 409 (with the holder of a case), 413, 422, 429, 503."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from modconsole.errors import ClaimHeld, InvalidInput, ModconsoleError, Unauthenticated


class PayloadTooLarge(ModconsoleError):
    title = "Payload too large"
    status = 413


class TooManyFailures(ModconsoleError):
    title = "Too many failed authentications"
    status = 429


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

    # A value the database cannot hold (an integer past 64 bits, a NUL for PostgreSQL) is bad
    # input that got past validation: say so (422), never 500. Nothing was written: the
    # transaction rolled back.
    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def unstorable(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body(InvalidInput(f"a value cannot be stored: {type(exc).__name__}")))
