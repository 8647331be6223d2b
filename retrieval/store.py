"""The vector store: the only module that imports chromadb.

Embedded `PersistentClient` under the data dir by default, `HttpClient` when a
Chroma server URL is given. We always pass our own embeddings (no Chroma
embedding function, which would try to download a model). Against a server every call
has a time limit (`timeout` seconds), and a server that is down or too slow raises
`StoreUnavailable`, naming the URL, so callers can answer 503 instead of hanging.

    store = VectorStore.open(path=Path("var/chroma"))
    store.upsert("knowledge", ids, vectors, texts, metadatas)
    hits = store.query("knowledge", query_vector, k=5, where={"source": "kb/returns.md"})
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlparse

import numpy as np

MetaValue = str | int | float | bool
# the shop's collections (the catalog's is recommender.item_index.PRODUCTS)
KNOWLEDGE = "knowledge"  # help pages, policies and passages the bot answers from
QA_HISTORY = "qa_history"  # past questions with the answers they got, for reuse
DEFAULT_TIMEOUT = 10.0  # seconds for one call to a Chroma server
P = ParamSpec("P")
R = TypeVar("R")


class StoreUnavailable(RuntimeError):
    """The Chroma server is not reachable or did not answer in time; the text names it."""


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """A network failure or time-out of a Chroma server becomes StoreUnavailable."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        import httpx

        try:
            return method(*args, **kwargs)
        except (httpx.TransportError, ConnectionError, TimeoutError) as e:
            store = args[0]
            where = getattr(store, "url", None) or "the vector store"
            raise StoreUnavailable(
                f"Chroma at {where} is not answering ({type(e).__name__}); retry shortly"
            ) from e

    return call


def probe(url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Raise StoreUnavailable (one line, naming the URL) unless a Chroma server answers there."""
    import httpx

    try:
        r = httpx.get(url.rstrip("/") + "/api/v2/heartbeat", timeout=timeout)
    except httpx.HTTPError as e:
        raise StoreUnavailable(
            f"no Chroma server answers at {url} ({type(e).__name__}); start one "
            "(`chroma run --path DIR --port PORT`) or fix SHOPMATE_CHROMA_URL"
        ) from e
    if r.status_code >= 400:
        raise StoreUnavailable(
            f"{url} answered {r.status_code} to Chroma's heartbeat: is it a Chroma server? "
            "Fix SHOPMATE_CHROMA_URL"
        )


@dataclass(frozen=True)
class Hit:
    """One search result; score is cosine similarity (1 = identical) until a later stage
    (hybrid fusion, the judge) replaces it, and then `cosine` keeps the dense similarity."""

    id: str
    text: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)
    cosine: float | None = None

    @property
    def similarity(self) -> float:
        """The dense cosine of query and passage (the score itself for a dense hit)."""
        return self.score if self.cosine is None else self.cosine


class EmbedderMismatch(ValueError):
    """An index opened with another embedder than the one that built it."""


def clean_metadata(meta: Mapping[str, Any]) -> dict[str, MetaValue]:
    """Chroma accepts only scalar metadata: drop None, stringify anything else."""
    out: dict[str, MetaValue] = {}
    for k, v in meta.items():
        if v is None:
            continue
        out[k] = v if isinstance(v, str | int | float | bool) else str(v)
    return out


class VectorStore:
    """Named cosine collections of (id, vector, text, metadata)."""

    def __init__(
        self,
        client: Any,
        prefix: str = "",
        embedder_id: str | None = None,
        embedder_name: str = "",
        url: str | None = None,
    ) -> None:
        self._client = client
        self.url = url  # the Chroma server, None when embedded
        self.prefix = prefix  # a tenant's namespace on a shared Chroma server
        # the Embedder.fingerprint of the vectors written here: a collection records the one
        # it was built with, and opening it with another is refused (vectors do not mix)
        self.embedder_id = embedder_id
        self.embedder_name = embedder_name  # for the error message only
        self._collections: dict[str, Any] = {}
        self._writes: dict[str, int] = {}
        self._tick = itertools.count(1)  # next() is atomic: safe from several threads

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        url: str | None = None,
        prefix: str = "",
        embedder_id: str | None = None,
        embedder_name: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> VectorStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if url:
            u = urlparse(url)
            if u.scheme not in ("http", "https") or not u.hostname:
                raise ValueError(f"chroma URL must look like http://host:port, got {url!r}")
            probe(url, timeout)  # fail in one line that names the URL, not after a long hang
            try:
                client = chromadb.HttpClient(
                    host=u.hostname,
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=chroma_settings,
                )
            except ValueError as e:  # chromadb's "Could not connect to a Chroma server"
                raise StoreUnavailable(f"Chroma at {url}: {e}") from e
            # chromadb's HTTP session waits forever by default; every call gets a time limit
            import httpx

            session = getattr(getattr(client, "_server", None), "_session", None)
            if isinstance(session, httpx.Client):
                session.timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        else:
            if path is None:
                raise ValueError("give either a path for embedded Chroma or a server url")
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        return cls(client, prefix, embedder_id, embedder_name, url)

    @_guarded
    def collection(self, name: str) -> Any:
        col = self._collections.get(name)
        if col is None:
            meta: dict[str, MetaValue] = {"hnsw:space": "cosine"}
            if self.embedder_id:
                meta["embedder"] = self.embedder_id
                meta["embedder_name"] = self.embedder_name
            col = self._client.get_or_create_collection(
                self.prefix + name, metadata=meta, embedding_function=None
            )
            saved = col.metadata or {}
            built = saved.get("embedder")  # None: built before embedders were recorded
            if self.embedder_id and built and built != self.embedder_id:
                raise EmbedderMismatch(
                    f"the '{self.prefix + name}' index was embedded with "
                    f"{saved.get('embedder_name') or 'a model'} ({built}), but this server "
                    f"embeds with {self.embedder_name or 'a model'} ({self.embedder_id}); "
                    "their vectors do not mix. Set SHOPMATE_EMBEDDER_PATH back to the model "
                    "that built it, or rebuild the index with this one: start from an empty "
                    "Chroma (move the data dir's chroma/ folder away, or a new "
                    "SHOPMATE_CHROMA_URL) and run `shopmate demo build` for the demo shop, "
                    "or `shopmate ingest` your knowledge and catalog again"
                )
            self._collections[name] = col
        return col

    @_guarded
    def upsert(
        self,
        name: str,
        ids: Sequence[str],
        embeddings: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
        batch_size: int = 1000,
    ) -> None:
        if not (len(ids) == len(embeddings) == len(texts) == len(metadatas)):
            raise ValueError("ids, embeddings, texts and metadatas must have the same length")
        col = self.collection(name)
        for i in range(0, len(ids), batch_size):
            sl = slice(i, i + batch_size)
            batch_ids = list(ids[sl])
            metas: list[dict[str, MetaValue | None]] = [
                dict(clean_metadata(m)) for m in metadatas[sl]
            ]
            # Chroma merges the metadata of an existing id; None removes a key, so the
            # stored metadata ends up replaced, as an upsert should
            old = col.get(ids=batch_ids, include=["metadatas"])
            previous = dict(zip(old["ids"], old.get("metadatas") or [], strict=False))
            for pid, meta in zip(batch_ids, metas, strict=True):
                for key in previous.get(pid) or {}:
                    meta.setdefault(key, None)
            col.upsert(
                ids=batch_ids,
                embeddings=np.asarray(embeddings[sl], dtype=np.float32),
                documents=list(texts[sl]),
                metadatas=metas,
            )
            self._wrote(name)

    @_guarded
    def query(
        self, name: str, vector: np.ndarray, k: int = 5, where: Mapping[str, Any] | None = None
    ) -> list[Hit]:
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        col = self.collection(name)
        res = col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=dict(where) if where else None,
            include=["documents", "metadatas", "distances"],
        )
        ids = res["ids"][0]
        docs = (res.get("documents") or [[]])[0] or [""] * len(ids)
        metas = (res.get("metadatas") or [[]])[0] or [{}] * len(ids)
        dists = (res.get("distances") or [[]])[0] or [1.0] * len(ids)
        return [
            Hit(id=i, text=d or "", score=1.0 - float(dist), metadata=dict(m or {}))
            for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)
        ]

    @_guarded
    def get_embeddings(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        res = self.collection(name).get(ids=list(ids), include=["embeddings"])
        embs = res.get("embeddings")
        if embs is None:
            return {}
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(res["ids"], embs, strict=True)}

    @_guarded
    def get(self, name: str, ids: Sequence[str]) -> list[Hit]:
        if not ids:
            return []
        res = self.collection(name).get(ids=list(ids), include=["documents", "metadatas"])
        docs = res.get("documents") or [""] * len(res["ids"])
        metas = res.get("metadatas") or [{}] * len(res["ids"])
        return [
            Hit(id=i, text=d or "", score=1.0, metadata=dict(m or {}))
            for i, d, m in zip(res["ids"], docs, metas, strict=True)
        ]

    @_guarded
    def ids_where(self, name: str, where: Mapping[str, Any]) -> list[str]:
        res = self.collection(name).get(where=dict(where), include=[])
        return list(res["ids"])

    @_guarded
    def scan(self, name: str, batch_size: int = 5000) -> list[Hit]:
        """Every passage of the collection (text and metadata, no vectors), page by page."""
        if batch_size <= 0:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        col = self.collection(name)
        out: list[Hit] = []
        while True:
            res = col.get(limit=batch_size, offset=len(out), include=["documents", "metadatas"])
            ids = res["ids"]
            docs = res.get("documents") or [""] * len(ids)
            metas = res.get("metadatas") or [{}] * len(ids)
            out.extend(
                Hit(id=i, text=d or "", score=1.0, metadata=dict(m or {}))
                for i, d, m in zip(ids, docs, metas, strict=True)
            )
            if len(ids) < batch_size:
                return out

    @_guarded
    def delete(self, name: str, ids: Sequence[str]) -> None:
        if ids:
            self.collection(name).delete(ids=list(ids))
            self._wrote(name)

    @_guarded
    def count(self, name: str) -> int:
        return int(self.collection(name).count())

    def version(self, name: str) -> tuple[int, int]:
        """A cheap marker that changes when the collection does: (writes made through this
        store, current count). Writes from another process are seen when they change the
        count; indexes derived from a collection (BM25) rebuild when the marker moves."""
        return self._writes.get(name, 0), self.count(name)

    def _wrote(self, name: str) -> None:
        self._writes[name] = next(self._tick)
