"""Verified shoppers through the real app: a user id counts only with a valid user_hash.

With an identity secret set, an unverified or wrongly hashed id sees no order, purchase or
history of that shopper, cannot cancel their orders and its events do not steer their
suggestions; a valid hash (or an admin key) does. Without a secret a guest sees one order
by its number plus the e-mail on it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.identity import user_hash
from shop.models import Order, User
from shopmate.settings import Settings

SECRET = "test-identity-secret-0123456789"
ADMIN = "sk_identity_tests_0123456789"


def sid() -> str:
    return uuid.uuid4().hex


def _settings(services, **kw):  # type: ignore[no-untyped-def]
    return Settings(
        data_dir=services.settings.data_dir,
        rate_limit_per_minute=1_000_000,
        rate_limit_per_key_per_minute=1_000_000,
        **kw,
    )


@pytest.fixture(scope="module")
def verified(services) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(
        _settings(services, identity_secret=SECRET, admin_api_key=ADMIN), services, mount_ui=False
    )
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def no_secret(services) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(_settings(services), services, mount_ui=False)) as c:
        yield c


@pytest.fixture()
def own_order(services):  # type: ignore[no-untyped-def]
    """A fresh shopper with one processing order (the shared demo orders stay untouched)."""
    user = "idt-" + uuid.uuid4().hex[:8]
    oid = f"o9{uuid.uuid4().int % 10_000:04d}"
    with services.repo.session() as s, s.begin():
        s.add(User(id=user, name="Test Shopper", email=f"{user}@example.com"))
        s.add(
            Order(
                id=oid,
                user_id=user,
                product_ids=["p0001"],
                status="processing",
                created_at=datetime.now(UTC),
                total=12.5,
            )
        )
    yield user, oid
    services.repo.forget_user(user)


def chat(client: TestClient, session: str, message: str, **who: str) -> dict:  # type: ignore[type-arg]
    r = client.post("/v1/chat", json={"session_id": session, "message": message, **who})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


WRONG = "0" * 64


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ({"user_id": "u0003"}, False),
        ({"user_id": "u0003", "user_hash": WRONG}, False),
        ({"user_id": "u0003", "user_hash": user_hash(SECRET, "u0004")}, False),  # another id's
        ({"user_id": "u0003", "user_hash": user_hash(SECRET, "u0003")}, True),
        ({"user_id": "u0003", "user_hash": user_hash(SECRET, "u0003").upper()}, True),
    ],
)
def test_order_status_needs_a_valid_hash(verified, who, sees) -> None:  # type: ignore[no-untyped-def]
    r = chat(verified, sid(), "where is my order o10167?", **who)
    assert r["action"] == "order_status"
    assert ("o10167" in r["reply"] and "delivered" in r["reply"]) is sees, r["reply"]
    if not sees:
        assert "sign in" in r["reply"] and "£" not in r["reply"]


def test_the_stream_treats_an_unverified_id_as_anonymous(verified) -> None:  # type: ignore[no-untyped-def]
    body = {"session_id": sid(), "user_id": "u0003", "message": "where is my order o10167?"}
    text = verified.post("/v1/chat/stream", json=body).text
    final = json.loads(text.split("event: final\ndata: ")[1].split("\n")[0])
    assert "delivered" not in final["reply"] and "sign in" in final["reply"]
    body["user_hash"] = user_hash(SECRET, "u0003")
    body["session_id"] = sid()
    text = verified.post("/v1/chat/stream", json=body).text
    assert "was delivered" in text


def test_cancel_only_for_the_verified_owner(verified, services, own_order) -> None:  # type: ignore[no-untyped-def]
    user, oid = own_order
    for who in ({"user_id": user}, {"user_id": user, "user_hash": WRONG}):
        s = sid()
        first = chat(verified, s, f"please cancel my order {oid}", **who)
        assert "yes or no" not in first["reply"]
        chat(verified, s, "yes", **who)
        assert services.repo.get_order(oid).status == "processing"
    s, good = sid(), {"user_id": user, "user_hash": user_hash(SECRET, user)}
    assert "yes or no" in chat(verified, s, f"please cancel my order {oid}", **good)["reply"]
    done = chat(verified, s, "yes", **good)
    assert "cancelled" in done["reply"]
    assert services.repo.get_order(oid).status == "cancelled"


def test_a_verified_conversation_cannot_be_taken_over(verified) -> None:  # type: ignore[no-untyped-def]
    s = sid()
    chat(verified, s, "hello", user_id="u0003", user_hash=user_hash(SECRET, "u0003"))
    for who in (
        {},
        {"user_id": "u0003"},
        {"user_id": "u0004", "user_hash": user_hash(SECRET, "u0004")},
    ):
        r = verified.post(
            "/v1/chat", json={"session_id": s, "message": "where is my order?", **who}
        )
        assert r.status_code == 403 and "signed-in shopper" in r.json()["detail"]


def test_history_reasons_and_events_need_a_valid_hash(verified, services) -> None:  # type: ignore[no-untyped-def]
    user = "idt-" + uuid.uuid4().hex[:8]
    good = user_hash(SECRET, user)
    tent = verified.get(
        "/v1/products/search",
        params={"q": "tent for camping", "k": 1},
        headers={"Authorization": f"Bearer {ADMIN}"},
    ).json()["products"][0]
    # an unverified id's events are recorded for a stand-in and never reach the shopper
    ev = verified.post(
        "/v1/events", json={"user_id": user, "product_id": tent["id"], "type": "view"}
    )
    assert ev.status_code == 201 and ev.json()["user_id"].startswith("anon:")
    assert services.repo.recent_events(user) == []
    for kind in ("view", "add_to_cart"):
        ok = verified.post(
            "/v1/events",
            json={"user_id": user, "user_hash": good, "product_id": tent["id"], "type": kind},
        )
        assert ok.status_code == 201 and ok.json()["user_id"] == user
    assert len(services.repo.recent_events(user)) == 2

    def reasons(**q: str) -> list[str]:
        r = verified.get(f"/v1/recommendations/{user}", params={"k": 5, **q})
        assert r.status_code == 200, r.text
        return [c["reason"] for c in r.json()["products"]]

    assert any(tent["title"] in x for x in reasons(user_hash=good))
    for q in ({}, {"user_hash": WRONG}):
        assert not any(tent["title"] in x for x in reasons(**q))
    # in chat too: "recommend me something" names the shopper's history only when verified
    asked = "recommend me something"
    anon = chat(verified, sid(), asked, user_id=user)
    mine = chat(verified, sid(), asked, user_id=user, user_hash=good)
    assert not any(tent["title"] in p["reason"] for p in anon["products"])
    assert any(tent["title"] in p["reason"] for p in mine["products"]), mine["products"]


def test_admin_key_callers_are_trusted(verified) -> None:  # type: ignore[no-untyped-def]
    r = verified.post(
        "/v1/chat",
        json={"session_id": sid(), "user_id": "u0003", "message": "where is my order o10167?"},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    assert r.status_code == 200 and "was delivered" in r.json()["reply"]


def test_without_a_secret_orders_need_the_guest_check(no_secret, services, own_order) -> None:  # type: ignore[no-untyped-def]
    user, oid = own_order
    # secure by default: the claimed id alone shows nothing and cancels nothing
    r = chat(no_secret, sid(), "where is my order o10167?", user_id="u0003")
    assert "delivered" not in r["reply"] and "e-mail" in r["reply"]
    s = sid()
    chat(no_secret, s, f"please cancel my order {oid}", user_id=user)
    chat(no_secret, s, "yes", user_id=user)
    assert services.repo.get_order(oid).status == "processing"
    # a wrong e-mail shows nothing; the right one shows that one order, and only it
    s = sid()
    wrong = chat(no_secret, s, f"where is my order {oid}? my email is someone@example.com")
    assert "processing" not in wrong["reply"] and "being packed" not in wrong["reply"]
    right = chat(no_secret, s, f"where is my order {oid}? my email is {user.upper()}@Example.com")
    assert oid in right["reply"] and "being packed" in right["reply"], right["reply"]
    again = chat(no_secret, s, "where is it now?")
    assert "being packed" in again["reply"], again["reply"]
    other = chat(no_secret, s, "and where is order o10167?")
    assert "delivered" not in other["reply"]
    # a guest may look, not cancel
    chat(no_secret, s, f"please cancel order {oid}")
    chat(no_secret, s, "yes")
    assert services.repo.get_order(oid).status == "processing"
    # the e-mail is not kept in the transcript
    assert all(f"{user}@" not in t.lower() for _, t in services.repo.transcript(s))


def test_each_tenant_verifies_with_its_own_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from api.identity import identify
    from shopmate.tenants import Access, TenantConfigError, load_tenants

    path = tmp_path / "tenants.toml"
    keys = 'publishable_keys = ["pk_{0}_0123456789abcd"]\nadmin_keys = ["sk_{0}_0123456789abcd"]\n'
    path.write_text(
        "[tenants.alpha]\n" + keys.format("alpha") + 'identity_secret = "alpha-secret-0123456789"\n'
        "[tenants.beta]\n" + keys.format("beta") + 'identity_secret = "beta-secret-01234567890"\n'
    )
    alpha, beta = load_tenants(Settings(data_dir=tmp_path, tenants_file=path))
    good = user_hash("alpha-secret-0123456789", "u1")
    assert identify(Access(alpha, None, "widget"), "u1", good).user_id == "u1"  # type: ignore[arg-type]
    assert identify(Access(beta, None, "widget"), "u1", good).user_id is None  # type: ignore[arg-type]
    assert identify(Access(beta, None, "admin"), "u1", None).user_id == "u1"  # type: ignore[arg-type]
    assert "secret" not in repr(alpha)  # never printed with the tenant
    path.write_text("[tenants.alpha]\n" + keys.format("alpha") + 'identity_secret = "short"\n')
    with pytest.raises(TenantConfigError, match="at least 16 characters"):
        load_tenants(Settings(data_dir=tmp_path, tenants_file=path))


def test_tracked_events_and_feedback_keep_only_verified_ids(verified, services) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from shop.models import Feedback

    user = "idt-" + uuid.uuid4().hex[:8]
    view = {"type": "view", "user_id": user, "product_id": "p0001", "session_id": sid()}
    assert verified.post("/v1/events/track", json=view).status_code == 201
    assert services.repo.recent_events(user) == []  # recorded for the anon: stand-in
    good = {**view, "user_hash": user_hash(SECRET, user)}
    assert verified.post("/v1/events/track", json=good).status_code == 201
    assert [e.product_id for e in services.repo.recent_events(user)] == ["p0001"]
    s = sid()
    for who in ({"user_id": user}, {"user_id": user, "user_hash": user_hash(SECRET, user)}):
        r = verified.post("/v1/feedback", json={"session_id": s, "thumbs": "up", **who})
        assert r.status_code == 201, r.text
    with services.repo.session() as db:
        kept = db.scalars(select(Feedback.user_id).where(Feedback.session_id == s)).all()
    assert kept == [None, user]


def test_a_verified_conversation_is_read_only_by_its_shopper(verified) -> None:  # type: ignore[no-untyped-def]
    s = sid()
    mine = {"user_id": "u0003", "user_hash": user_hash(SECRET, "u0003")}
    chat(verified, s, "where is my order o10167?", **mine)
    path = f"/v1/chat/{s}/messages"
    for q in ({}, {"user_id": "u0003"}, {"user_id": "u0003", "user_hash": WRONG}):
        r = verified.get(path, params={"transcript": "true", **q})
        assert r.status_code == 403 and "signed-in shopper" in r.json()["detail"]
    own = verified.get(path, params={"transcript": "true", **mine})
    assert own.status_code == 200 and "was delivered" in own.text
    staff = verified.get(
        path, params={"transcript": "true"}, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert staff.status_code == 200
    anon = sid()  # an anonymous conversation stays readable by its session id, as before
    chat(verified, anon, "hello")
    assert (
        verified.get(f"/v1/chat/{anon}/messages", params={"transcript": "true"}).status_code == 200
    )
