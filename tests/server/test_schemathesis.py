"""schemathesis over the OpenAPI schema: whatever it sends, the server never answers 5xx."""

from __future__ import annotations

import io
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from modconsole.domain import ingest, tokens
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.server.app import create_app

from ..conftest import make_services


@pytest.fixture
def api_schema(store, request):  # type: ignore[no-untyped-def]
    """The app over a seeded store, on SQLite and on PostgreSQL (the `store` fixture)."""
    svc = make_services(store)
    events = [{"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "je veux mourir"},
              {"type": "report", "id": "r1", "reporter": "u2", "content": "p1", "reason": "offensive"}]
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO("\n".join(json.dumps(e) for e in events).encode()))
    real = Services(Store(store.url))  # the app's clock is the real one: so is the token's
    request.node.token = tokens.issue(real, real.actor("root"), "root")  # an admin: every route is reachable
    app = create_app(store.url)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


# /changes is a long-poll that may rightly wait up to 60 s; the contract suite covers it.
@schema.exclude(path="/changes").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, request) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {request.node.token}"})
    assert response.status_code != 401, "the admin token must be accepted, or nothing behind it is tested"
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
