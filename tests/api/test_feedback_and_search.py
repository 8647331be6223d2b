"""Feedback (stored redacted, bad input refused) and product search with filters, through
TestClient on the demo shop."""

from __future__ import annotations

import uuid

import pytest


def test_feedback_is_stored_redacted(client, services) -> None:  # type: ignore[no-untyped-def]
    s = uuid.uuid4().hex
    r = client.post(
        "/v1/feedback",
        json={"session_id": s, "thumbs": "up", "csat": 5, "comment": "great, mail me at a@b.com"},
    )
    assert r.status_code == 201 and r.json()["accepted"]
    with services.repo.engine.connect() as conn:
        comment = conn.exec_driver_sql(
            "SELECT comment FROM feedback WHERE session_id = ?", (s,)
        ).scalar()
    assert comment == "great, mail me at [email]"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"session_id": "s1"}, "at least one of thumbs"),
        ({"session_id": "s1", "thumbs": "sideways"}, "thumbs"),
        ({"session_id": "s1", "csat": 9}, "csat"),
    ],
)
def test_bad_feedback(client, payload, fragment) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/feedback", json=payload)
    assert r.status_code == 422 and fragment in r.json()["detail"]


def test_product_search_with_filters(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get(
        "/v1/products/search", params={"q": "waterproof jacket", "max_price": 120, "k": 6}
    )
    assert r.status_code == 200
    products = r.json()["products"]
    assert products and all(p["price"] <= 120 and p["in_stock"] for p in products)
    assert any("jacket" in p["title"].lower() for p in products)
    footwear = client.get(
        "/v1/products/search", params={"q": "something for rain", "category": "Footwear"}
    ).json()
    assert footwear["products"] and all(
        p["category"].startswith("Footwear") for p in footwear["products"]
    )
    assert (
        client.get(
            "/v1/products/search", params={"q": "x", "min_price": 50, "max_price": 10}
        ).status_code
        == 422
    )
    assert client.get("/v1/products/search", params={"q": ""}).status_code == 422
