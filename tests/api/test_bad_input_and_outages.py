"""Faults answered politely: each bad input or broken store gets a 4xx/503 with a message.

Bad input through the real app (dates out of range, a non-UTF-8 header byte, an integer
past what a row id can hold, a chunked body over the limit); a real `chroma run` server
that is frozen and then stopped under a running app; a shop database that disappears;
start-up against a Chroma URL where nothing listens; SIGTERM during a request that never
finishes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from retrieval.store import StoreUnavailable, VectorStore
from shopmate.settings import Settings
from shopmate.wiring import build_services

ADMIN = "sk_fault_tests_0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app_client(services) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=services.settings.data_dir,
        admin_api_key=ADMIN,
        rate_limit_per_minute=1_000_000,
        rate_limit_per_key_per_minute=1_000_000,
        max_body_bytes=65536,
    )
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        yield c


@pytest.mark.parametrize("ts", ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "1999-12-31"])
def test_event_times_out_of_range_are_refused(app_client: TestClient, ts: str) -> None:
    for path, body in (
        ("/v1/events", {"user_id": "u1", "product_id": "p0001", "type": "view", "ts": ts}),
        ("/v1/events/track", {"type": "visit", "session_id": "s1", "ts": ts}),
    ):
        r = app_client.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        assert "from 2000-01-01 to one day from now" in r.json()["detail"]
    r = app_client.get(
        "/v1/admin/experiments/any/report", params={"until": "9999-01-01"}, headers=AUTH
    )
    assert r.status_code == 422 and "2000-01-01" in r.json()["detail"]
    # the export that a year-0001 event used to break still answers
    assert app_client.get("/v1/admin/analytics/active_users.csv", headers=AUTH).status_code == 200


@pytest.fixture(scope="module")
def served(app_client: TestClient) -> Iterator[int]:
    """The same app behind a real uvicorn on a free port (raw bytes reach it unchanged)."""
    import threading

    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app_client.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=15)


def _raw(port: int, request: bytes) -> tuple[int, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body.decode("utf-8", "replace")


def test_a_non_utf8_header_byte_is_a_400(served: int) -> None:
    for path in ("/healthz", "/v1/chat/s1/messages", "/docs"):
        status, body = _raw(
            served,
            f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode()
            + b"X-Foo: caf\xe9\r\n\r\n",
        )
        assert status == 400 and "x-foo" in json.loads(body)["detail"], (path, body)
    status, _ = _raw(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200


def test_a_chunked_body_over_the_limit_is_a_413_on_the_wire(served: int) -> None:
    head = (
        b"POST /v1/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * 16384
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    # 80 kB sent of a body that never says how long it is: refused before the rest comes
    status, body = _raw(served, head + chunk * 5)
    assert status == 413 and "65536 bytes" in json.loads(body)["detail"]


@pytest.mark.parametrize("after", ["9223372036854775808", "99999999999999999999999", "-1"])
def test_integers_past_a_row_id_are_a_422(app_client: TestClient, after: str) -> None:
    r = app_client.get("/v1/chat/s1/messages", params={"after": after})
    assert r.status_code == 422 and "after" in r.json()["detail"]
    ok = app_client.get("/v1/chat/s1/messages", params={"after": "9223372036854775807"})
    assert ok.status_code == 200


def test_infinite_numbers_are_a_422(app_client: TestClient) -> None:
    r = app_client.post(
        "/v1/events/track",
        content='{"type": "visit", "session_id": "s1", "value": Infinity}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and "value" in r.json()["detail"]
    r = app_client.get(
        "/v1/products/search", params={"q": "tent", "max_price": "inf"}, headers=AUTH
    )
    assert r.status_code == 422 and "max_price" in r.json()["detail"]


def test_an_oversized_body_without_content_length_is_a_413(app_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"session_id": "s1", "message": "'
        for _ in range(64):
            yield b"x" * 16384  # 1 MB in all, streamed (Transfer-Encoding: chunked)
        yield b'"}'

    r = app_client.post("/v1/chat", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "65536 bytes" in r.json()["detail"]
    small = iter([b'{"session_id": "s-chunked", ', b'"message": "hello"}'])
    ok = app_client.post("/v1/chat", content=small, headers={"content-type": "application/json"})
    assert ok.status_code == 200, ok.text


# a real Chroma server, frozen and then stopped under a running app --------------------
def _start_chroma(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    log = (root / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(root / "db"),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("chroma server did not start within 30 s")


@pytest.fixture()
def chroma_app(
    services, tmp_path: Path
) -> Iterator[tuple[TestClient, subprocess.Popen[bytes], str]]:  # type: ignore[no-untyped-def]
    proc, url = _start_chroma(tmp_path)
    settings = Settings(
        data_dir=tmp_path / "shop",
        chroma_url=url,
        chroma_timeout_seconds=2.0,
        admin_api_key=ADMIN,
        rate_limit_per_minute=1_000_000,
    )
    svc = build_services(settings, shared=services.shared)
    try:
        with TestClient(create_app(settings, svc, mount_ui=False)) as c:
            doc = "# Gift wrapping\n\nEvery order can be gift wrapped for 3 pounds at checkout."
            r = c.post(
                "/v1/kb",
                json={"source": "kb/gift.md", "format": "markdown", "content": doc},
                headers=AUTH,
            )
            assert r.status_code == 201, r.text
            yield c, proc, url
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.terminate()
            proc.wait(timeout=10)


def _ask(c: TestClient) -> httpx.Response:
    body = {"session_id": uuid.uuid4().hex, "message": "Can you gift wrap my order?"}
    return c.post("/v1/chat", json=body)


def test_chroma_frozen_then_down_is_a_503_with_a_message(chroma_app) -> None:  # type: ignore[no-untyped-def]
    c, proc, url = chroma_app
    assert _ask(c).status_code == 200
    assert c.get("/healthz").status_code == 200

    os.kill(proc.pid, signal.SIGSTOP)  # frozen: calls time out instead of hanging
    try:
        t0 = time.monotonic()
        r = _ask(c)
        assert r.status_code == 503 and url in r.json()["detail"], r.text
        assert time.monotonic() - t0 < 30
        assert r.headers["retry-after"]
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    assert _ask(c).status_code == 200  # back when it is

    proc.terminate()
    proc.wait(timeout=10)
    r = _ask(c)
    assert r.status_code == 503 and "Chroma" in r.json()["detail"] and url in r.json()["detail"]
    health = c.get("/healthz")
    assert health.status_code == 503 and health.json()["down"] == ["vector store"]
    assert "vector store down" in health.json()["detail"]
    found = c.get("/v1/products/search", params={"q": "tent"}, headers=AUTH)
    assert found.status_code == 503 and url in found.json()["detail"]
    body = {"session_id": uuid.uuid4().hex, "message": "Can you gift wrap my order?"}
    stream = c.post("/v1/chat/stream", json=body)
    assert stream.status_code == 200
    events = stream.text.strip().split("\n\n")
    assert events[-1].startswith("event: error")
    assert url in json.loads(events[-1].split("data: ", 1)[1])["detail"]


def test_the_shop_database_down_is_a_503(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    settings = Settings(
        data_dir=tmp_path / "shop",
        database_url=f"sqlite:///{db_dir / 'shop.db'}",
        rate_limit_per_minute=1_000_000,
    )
    svc = build_services(settings, shared=services.shared)
    with TestClient(create_app(settings, svc, mount_ui=False)) as c:
        assert c.get("/healthz").status_code == 200
        db_dir.rename(tmp_path / "db-gone")  # the database file is no longer where it was
        svc.repo.engine.dispose()
        health = c.get("/healthz")
        assert health.status_code == 503 and health.json()["down"] == ["database"]
        r = c.post("/v1/chat", json={"session_id": "s1", "message": "hello"})
        assert r.status_code == 503 and "shop database" in r.json()["detail"]


def test_an_unreachable_chroma_url_fails_fast_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable, match=url.replace(".", r"\.")):
        VectorStore.open(url=url, timeout=2.0)
    assert time.monotonic() - t0 < 10
    # and `shopmate serve` says so in one line instead of a traceback
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOPMATE_")},
        "SHOPMATE_CHROMA_URL": url,
        "SHOPMATE_DATA_DIR": str(tmp_path),
    }
    shopmate = Path(sys.executable).parent / "shopmate"
    done = subprocess.run(
        [str(shopmate), "serve", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = (done.stdout + done.stderr).strip()
    assert done.returncode == 2, out
    assert url in out and "Traceback" not in out and len(out.splitlines()) == 1, out


def test_sigterm_stops_the_server_even_mid_request(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A request that never finishes (its body never comes) does not keep the server up."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOPMATE_")},
        "SHOPMATE_DATA_DIR": str(services.settings.data_dir),
    }
    shopmate = Path(sys.executable).parent / "shopmate"
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(shopmate), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.25)
        with socket.create_connection(("127.0.0.1", port), timeout=60) as stuck:
            stuck.sendall(
                b"POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n{"
            )
            time.sleep(0.5)
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=40)  # the CLI's graceful time-out is 10 s
            assert time.monotonic() - t0 < 30
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
