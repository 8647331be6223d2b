"""A LangChain `BaseRetriever` over any of our retrievers, so they compose in runnable chains.

Wraps anything with `retrieve(query, top_k, where)` (KnowledgeRetriever,
BM25Retriever, HybridRetriever) and returns `Document`s whose metadata carry the
passage metadata plus `id` and `score`. `top_k` and `where` can be set on the
adapter or given per call: `adapter.invoke(question, where={"product_id": "p1"})`.

    adapter = LangChainRetriever(retriever=HybridRetriever(embedder, store, "knowledge"))
    chain = adapter | RunnableLambda(lambda docs: "\\n\\n".join(d.page_content for d in docs))
    context = chain.invoke("can I return worn shoes?")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, field_validator

from retrieval.store import Hit


@runtime_checkable
class SupportsRetrieve(Protocol):
    def retrieve(
        self, query: str, top_k: int | None = None, where: Mapping[str, Any] | None = None
    ) -> list[Hit]: ...


def hit_to_document(hit: Hit) -> Document:
    return Document(
        page_content=hit.text,
        metadata={**hit.metadata, "id": hit.id, "score": hit.score},
        id=hit.id,
    )


class LangChainRetriever(BaseRetriever):
    """Adapts a shopmate retriever to LangChain's retriever interface."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    top_k: int = 5
    where: dict[str, Any] | None = None

    @field_validator("retriever")
    @classmethod
    def _has_retrieve(cls, v: Any) -> Any:
        if not isinstance(v, SupportsRetrieve):
            raise ValueError(f"needs an object with retrieve(query, top_k, where), got {type(v)}")
        return v

    @field_validator("top_k")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v <= 0:
            raise ValueError(f"top_k must be > 0, got {v}")
        return v

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        top_k: int | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        hits = self.retriever.retrieve(
            query, top_k=top_k or self.top_k, where=where if where is not None else self.where
        )
        return [hit_to_document(h) for h in hits]
