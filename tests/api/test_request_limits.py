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


def test_one_client_cannot_use_up_a_key_for_the_others(services) -> None:  # type: ignore[no-untyped-def]
    """Five addresses hammering one site's key leave a sixth shopper of that site served."""
    settings = Settings(
        data_dir=services.settings.data_dir,
        rate_limit_per_minute=1000,
        rate_limit_per_key_per_minute=3,
    )
    app = create_app(settings, services, mount_ui=False)
    key = {"x-shopmate-key": "site-one-key"}

    def send(c: TestClient) -> int:
        body = {"session_id": uuid.uuid4().hex, "message": "hello"}
        return c.post("/v1/chat", json=body, headers=key).status_code

    with TestClient(app) as first:
        for i in range(5):
            with TestClient(app, client=(f"10.0.0.{i + 1}", 4000)) as attacker:
                assert [send(attacker) for _ in range(4)] == [200, 200, 200, 429]
        with TestClient(app, client=("10.0.0.99", 4000)) as fresh:
            assert send(fresh) == 200
        assert send(first) == 200


def test_every_route_family_is_limited(services) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=services.settings.data_dir,
        admin_api_key="limits-admin-key",
        rate_limit_per_minute=2,
        sponsored_clicks_per_minute=1,
    )
    admin = {"Authorization": "Bearer limits-admin-key"}
    app = create_app(settings, services, mount_ui=False)
    for i, (method, path, headers) in enumerate(
        [
            ("GET", "/v1/sponsored", {}),
            ("GET", "/v1/admin/sponsored", admin),
            ("GET", "/v1/handoffs", admin),
            ("GET", "/v1/kb", admin),
            ("GET", "/v1/admin/analytics/cohorts.csv", admin),
        ]
    ):
        with TestClient(app, client=(f"10.1.0.{i + 1}", 4000)) as c:
            codes = [c.request(method, path, headers=headers).status_code for _ in range(3)]
            assert codes[:2] == [200, 200] and codes[2] == 429, (path, codes)
    with TestClient(app, client=("10.2.0.1", 4000)) as c:  # clicks have a tighter limit
        body = {"session_id": "s1", "token": "t"}
        first = c.post("/v1/sponsored/none/click", json=body)
        assert first.status_code != 429
        assert c.post("/v1/sponsored/none/click", json=body).status_code == 429
