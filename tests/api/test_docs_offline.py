"""/docs and /redoc need no network: the page and its Swagger UI / ReDoc assets come from
this server; and the OpenAPI describes the wire fields shoppers' developers read."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_loads_only_local_assets(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        body = client.get(page).text
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", body)
        assert urls, body[:300]
        assert not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
        for u in urls:
            assert client.get(u).status_code == 200, u
    js = client.get("/static-offline-docs/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000  # the real bundle, not a stub


def test_openapi_fields_have_descriptions_or_examples(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("ChatRequest", "ChatResponse", "CitationOut", "ProductOut", "HandoffOut"):
        props = schemas[name]["properties"]
        bare = [p for p, v in props.items() if not (v.get("description") or v.get("examples"))]
        assert not bare, (name, bare)
    example = schemas["ChatRequest"]["properties"]["message"]["examples"][0]
    assert example == "What is your return policy?"
