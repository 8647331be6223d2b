"""Request-size and rate limits: the bucket maths with a fake clock, and through the real app."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import TokenBuckets
from shopmate.settings import Settings


def test_token_bucket_by_hand() -> None:
    now = [0.0]
    b = TokenBuckets(per_minute=2, clock=lambda: now[0])
    assert b.take("a") == 0 and b.take("a") == 0
    assert b.take("a") == pytest.approx(30.0)  # one token every 30 s
    assert b.take("b") == 0  # other clients have their own bucket
    now[0] = 30.0
    assert b.take("a") == 0
    with pytest.raises(ValueError, match="per_minute"):
        TokenBuckets(0)


def test_limits_through_the_app(services) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=services.settings.data_dir, rate_limit_per_minute=3, max_body_bytes=2000
    )
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        big = c.post("/v1/chat", json={"session_id": "s", "message": "x" * 5000})
        assert big.status_code == 413 and "2000 bytes" in big.json()["detail"]
        s = uuid.uuid4().hex
        codes = [
            c.post("/v1/chat", json={"session_id": s, "message": "hello"}).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = c.post("/v1/chat", json={"session_id": s, "message": "hello"})
        assert int(limited.headers["retry-after"]) >= 1
        # the IP's limit holds whatever key it sends; health checks are never limited
        assert (
            c.post(
                "/v1/chat",
                json={"session_id": s, "message": "hi"},
                headers={"x-shopmate-key": "k2"},
            ).status_code
            == 429
        )
        assert all(c.get("/healthz").status_code == 200 for _ in range(5))


def test_each_key_has_its_own_limit_across_clients(services) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=services.settings.data_dir,
        rate_limit_per_minute=1000,
        rate_limit_per_key_per_minute=2,
    )
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        s = uuid.uuid4().hex

        def send(key: str) -> int:
            body = {"session_id": s, "message": "hello"}
            return c.post("/v1/chat", json=body, headers={"x-shopmate-key": key}).status_code

        assert [send("site-one-key"), send("site-one-key"), send("site-one-key")] == [200, 200, 429]
        assert send("site-two-key") == 200  # another site's key has its own budget


def test_cors_only_for_configured_sites(services) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=services.settings.data_dir, cors_origins=["https://shop.example"])
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        ok = c.options(
            "/v1/chat",
            headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
        )
        assert ok.headers.get("access-control-allow-origin") == "https://shop.example"
        other = c.options(
            "/v1/chat",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers


def test_staff_sign_ins_are_rate_limited_per_client(services) -> None:  # type: ignore[no-untyped-def]
    from api.limits import is_login

    assert is_login("/agent/login") and is_login("/t/shop-a/admin/login/")
    assert not is_login("/v1/chat") and not is_login("/ui/login") and not is_login("/agent/")
    settings = Settings(data_dir=services.settings.data_dir, admin_api_key="k" * 24)
    with TestClient(create_app(settings, services)) as c:
        codes = [
            c.post("/agent/login", data={"username": "agent", "password": f"guess{i}"}).status_code
            for i in range(11)
        ]
        assert set(codes[:10]) <= {400, 401} and codes[10] == 429  # ten wrong tries, then wait
        assert int(c.post("/admin/login", data={"username": "admin"}).headers["retry-after"]) >= 1
        assert c.post("/v1/chat", json={"session_id": "s", "message": "hi"}).status_code == 200
