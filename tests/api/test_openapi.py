"""The OpenAPI document says what the API does: checked by hand, then fuzzed with schemathesis.

Schemathesis generates requests for every operation from the document itself (a few
examples each, so the run stays short) against the real app on its own small shop, and
checks that no answer is a server error and that every status, content type and body is
the one documented.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from api.app import create_app
from shopmate.settings import Settings
from shopmate.wiring import build_services

ADMIN = "sk_openapi_tests_0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
SHOPPER = {"X-Shopmate-Key": "pk_openapi_tests_0123456789"}


@pytest.fixture(scope="module")
def fuzz_app(services, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The app on a shop of its own (fuzzing creates and erases things), with the real models."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("openapi-shop"),
        admin_api_key=ADMIN,
        widget_keys=[SHOPPER["X-Shopmate-Key"]],
        identity_secret="openapi-identity-secret-0123",
        rate_limit_per_minute=1_000_000,
        rate_limit_per_key_per_minute=1_000_000,
    )
    svc = build_services(settings, shared=services.shared)
    doc = "# Returns\n\nYou can return any item within 30 days of delivery for a full refund."
    svc.ingestor.ingest_text("kb/returns.md", ".md", doc, "knowledge", None)
    return create_app(settings, svc, mount_ui=False)


@pytest.fixture(scope="module")
def doc(fuzz_app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with TestClient(fuzz_app) as c:
        return c.get("/openapi.json").json()  # type: ignore[no-any-return]


def test_error_bodies_are_documented_as_sent(doc, fuzz_app) -> None:  # type: ignore[no-untyped-def]
    schemas = doc["components"]["schemas"]
    assert schemas["ValidationErrorOut"]["properties"]["detail"]["type"] == "string"
    assert "HTTPValidationError" not in schemas
    chat = doc["paths"]["/v1/chat"]["post"]["responses"]
    assert chat["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ValidationErrorOut"
    )
    with TestClient(fuzz_app) as c:
        r = c.post("/v1/chat", json={"session_id": "s", "message": ""}, headers=SHOPPER)
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    transcript = schemas["HandoffOut"]["properties"]["transcript"]
    pair = transcript["items"]
    assert pair["items"] == {"type": "string"} and pair["minItems"] == pair["maxItems"] == 2


def test_every_status_is_documented_where_it_applies(doc) -> None:  # type: ignore[no-untyped-def]
    paths = doc["paths"]
    for path, ops in paths.items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"400", "503"} <= codes, (method, path)
            if path.startswith("/v1/"):
                assert {"401", "403", "429"} <= codes, (method, path)
            if "requestBody" in op:
                assert "413" in codes, (method, path)
    assert "404" in paths["/v1/handoffs/{session_id}/{move}"]["post"]["responses"]
    assert "409" in paths["/v1/sponsored/{campaign_id}/click"]["post"]["responses"]
    assert "404" not in paths["/v1/chat"]["post"]["responses"]


def test_security_only_where_it_applies(doc) -> None:  # type: ignore[no-untyped-def]
    paths = doc["paths"]
    assert "security" not in paths["/healthz"]["get"]
    assert paths["/v1/handoffs"]["get"]["security"] == [{"adminKey": []}]
    shopper = paths["/v1/chat"]["post"]["security"]
    assert {"widgetKey": []} in shopper and {} in shopper  # an open single shop takes no key
    assert not any(
        p["in"] == "header" and p["name"].lower() == "x-shopmate-key"
        for ops in paths.values()
        for op in ops.values()
        for p in op.get("parameters", [])
    )
    assert set(doc["components"]["securitySchemes"]) == {"widgetKey", "adminKey"}


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 15  # per operation and caller: bounded so the run stays near a minute on 2 cores


def _fuzz(op: Any, headers: dict[str, str], calls: list[int], mode: GenerationMode) -> None:
    @given(case=op.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        calls.append(1)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_fuzzed_requests_get_documented_answers(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    """Every operation, as the shop's server (admin key) and as a page (widget key), with
    valid input and (admin key) with input that breaks the schema."""
    failures: list[str] = []
    calls: list[int] = []
    with TestClient(fuzz_app):  # the lifespan runs
        schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
        operations = [result.ok() for result in schema.get_all_operations()]
        for op in operations:
            for headers, mode in (
                (AUTH, GenerationMode.POSITIVE),
                (SHOPPER, GenerationMode.POSITIVE),
                (AUTH, GenerationMode.NEGATIVE),  # invalid input: 4xx, never 5xx
            ):
                try:
                    _fuzz(op, headers, calls, mode)
                except Unsatisfiable:  # nothing to break: the operation takes no input
                    assert mode is GenerationMode.NEGATIVE, op.label
                except Exception as e:  # collected, so one failure does not hide the others
                    who = next(iter(headers))
                    failures.append(f"{op.label} ({who}, {mode.value}): {e}"[:3000])
    assert len(operations) >= 25 and len(calls) >= 2 * len(operations), len(calls)
    print(f"{len(calls)} fuzzed calls over {len(operations)} operations")
    assert not failures, "\n\n".join(failures)
