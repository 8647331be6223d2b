"""One contract for the vector store, run against embedded Chroma and a real Chroma server.

The server is `chroma run` from the virtualenv, started once for this module on a
free port of 127.0.0.1 and stopped at the end.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from retrieval.bm25 import BM25Retriever
from retrieval.ingest import Ingestor, load_file
from retrieval.store import VectorStore
from tests.retrieval_fixtures import SMALL_KB, write_jsonl


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = Path(sys.executable).parent / "chroma"
    assert chroma.exists(), f"{chroma} missing: chromadb's CLI comes with the chromadb package"
    port = _free_port()
    log = tmp_path_factory.mktemp("chroma-server") / "server.log"
    with log.open("wb") as out:
        command = [str(chroma), "run", "--path", str(log.parent / "db"), "--port", str(port)]
        proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma server did not answer within 30 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(params=["embedded", "server"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> VectorStore:
    if request.param == "embedded":
        return VectorStore.open(path=tmp_path / "chroma")
    return VectorStore.open(url=request.getfixturevalue("chroma_server"))


@pytest.fixture()
def name() -> str:
    return f"contract-{uuid.uuid4().hex[:12]}"  # the server outlives each test


def _unit(rows: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _fill(store: VectorStore, name: str, n: int = 10) -> np.ndarray:
    vecs = _unit(n)
    metas = [
        {"product_id": f"p{i % 3}", "rank": i, "kind": "odd" if i % 2 else "even"} for i in range(n)
    ]
    store.upsert(name, [f"d{i}" for i in range(n)], vecs, [f"text {i}" for i in range(n)], metas)
    return vecs


def test_upsert_count_get(any_store: VectorStore, name: str) -> None:
    assert any_store.count(name) == 0
    _fill(any_store, name)
    assert any_store.count(name) == 10
    got = {h.id: h for h in any_store.get(name, ["d3", "d7", "nope"])}
    assert set(got) == {"d3", "d7"}
    assert got["d3"].text == "text 3"
    assert got["d3"].metadata == {"product_id": "p0", "rank": 3, "kind": "odd"}
    assert any_store.get(name, []) == []


def test_query_is_cosine_nearest_first(any_store: VectorStore, name: str) -> None:
    vecs = _fill(any_store, name)
    q = vecs[4] + 0.1 * vecs[5]
    hits = any_store.query(name, q, k=3)
    expected = np.argsort(-(vecs @ (q / np.linalg.norm(q))))[:3]
    assert [h.id for h in hits] == [f"d{i}" for i in expected]
    assert hits[0].score == pytest.approx(float(vecs[4] @ q / np.linalg.norm(q)), abs=1e-4)
    assert hits[0].text == "text 4" and hits[0].metadata["rank"] == 4


def test_filters(any_store: VectorStore, name: str) -> None:
    vecs = _fill(any_store, name)
    hits = any_store.query(name, vecs[0], k=10, where={"product_id": "p1"})
    assert sorted(h.id for h in hits) == ["d1", "d4", "d7"]
    assert sorted(any_store.ids_where(name, {"rank": {"$gte": 8}})) == ["d8", "d9"]
    both = {"$and": [{"kind": "odd"}, {"product_id": {"$in": ["p0", "p2"]}}]}
    assert sorted(any_store.ids_where(name, both)) == ["d3", "d5", "d9"]
    assert any_store.query(name, vecs[0], k=5, where={"product_id": "none"}) == []


def test_upsert_overwrites_and_delete_removes(any_store: VectorStore, name: str) -> None:
    vecs = _fill(any_store, name)
    any_store.upsert(name, ["d2"], vecs[[9]], ["new text"], [{"product_id": "p9"}])
    assert any_store.count(name) == 10
    (h,) = any_store.get(name, ["d2"])
    assert (h.text, h.metadata) == ("new text", {"product_id": "p9"})
    assert any_store.query(name, vecs[9], k=2)[1].id in {"d2", "d9"}
    any_store.delete(name, ["d0", "d1", "missing"])
    any_store.delete(name, [])
    assert any_store.count(name) == 8 and any_store.get(name, ["d0"]) == []


def test_scan_pages_through_everything_and_version_moves(any_store: VectorStore, name: str) -> None:
    v0 = any_store.version(name)
    _fill(any_store, name)
    v1 = any_store.version(name)
    assert v1 != v0
    rows = any_store.scan(name, batch_size=3)
    assert sorted(h.id for h in rows) == sorted(f"d{i}" for i in range(10))
    assert {h.id: h.text for h in rows}["d5"] == "text 5"
    assert any_store.version(name) == v1  # reads do not move it
    any_store.delete(name, ["d0"])
    assert any_store.version(name) != v1
    embs = any_store.get_embeddings(name, ["d1"])
    assert np.allclose(embs["d1"], _unit(10)[1], atol=1e-5)


def test_ingestion_reupserts_changes_and_deletes_vanished(  # type: ignore[no-untyped-def]
    any_store: VectorStore, name: str, tmp_path: Path, embedder
) -> None:
    path = write_jsonl(tmp_path / "kb.jsonl", SMALL_KB)
    ingestor = Ingestor(embedder, any_store, batch_size=5)
    bm25 = BM25Retriever(any_store, name)
    (first,) = ingestor.ingest(load_file(path, "kb/small.jsonl"), name)
    assert (first.added, first.unchanged, first.removed) == (12, 0, 0)
    assert bm25.retrieve("hopper capacity", top_k=1)[0].id == "k11"
    (again,) = ingestor.ingest(load_file(path, "kb/small.jsonl"), name)
    assert (again.added, again.unchanged, again.removed) == (0, 12, 0)

    rows = [dict(r) for r in SMALL_KB if r["id"] != "k8"]  # k8 vanishes
    for r in rows:
        if r["id"] == "k11":  # changes under the same id
            r["text"] = "Bean hopper capacity 400 g."
    rows.append({"id": "k13", "product_id": "p3", "source": "CQA", "text": "Ships with a brush."})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (third,) = ingestor.ingest(load_file(path, "kb/small.jsonl"), name)
    assert (third.added, third.unchanged, third.removed) == (2, 10, 1)
    assert any_store.count(name) == 12
    assert any_store.get(name, ["k11"])[0].text == "Bean hopper capacity 400 g."
    assert any_store.get(name, ["k8"]) == []
    assert bm25.retrieve("replacement pegs", top_k=3) == []  # BM25 followed the store
    assert bm25.retrieve("brush", top_k=1)[0].id == "k13"


def test_an_index_refuses_vectors_of_another_embedder(any_store: VectorStore, name: str) -> None:
    from retrieval.store import EmbedderMismatch

    any_store.embedder_id, any_store.embedder_name = "111", "model-a"
    vecs = _fill(any_store, name)
    same = VectorStore(any_store._client, embedder_id="111")
    assert same.query(name, vecs[0], k=1)[0].id == "d0"  # the model that built it reads it
    other = VectorStore(any_store._client, embedder_id="222", embedder_name="model-b")
    with pytest.raises(EmbedderMismatch, match=r"with model-a \(111\).*with model-b \(222\)"):
        other.collection(name)
    # an index from before embedders were recorded, or a reader that does not say, is trusted
    assert VectorStore(any_store._client).count(name) == 10
