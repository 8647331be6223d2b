"""An in-memory copy of the product collection for the trained model: vectors and rule metadata.

The user encoder scores every product with one matrix product, so the Recommender keeps
the catalog's text vectors, the model's item vectors and the metadata the rules need
(price, stock, category) in memory, rebuilt when the store's version of the collection
moves (a product indexed, a price or stock refreshed). A product indexed after the
model was trained is in the next snapshot, scored from its text.

    snap = CatalogSnapshot.build(store, "products", model)
    snap.row["p0001"], snap.prices[snap.row["p0001"]]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from recommender.rec_model import Catalog, RecModel
from recommender.rules import Filters, filter_mask
from retrieval.store import VectorStore

log = logging.getLogger(__name__)


@dataclass
class CatalogSnapshot:
    ids: list[str]
    row: dict[str, int]
    text: np.ndarray  # (n, text_dim) unit text vectors from the store
    prices: np.ndarray
    in_stock: np.ndarray
    top_categories: list[str]
    catalog: Catalog  # the model's vectors of the same rows
    version: tuple[int, int]

    @classmethod
    def build(
        cls, store: VectorStore, collection: str, model: RecModel, batch: int = 2000
    ) -> CatalogSnapshot:
        version = store.version(collection)
        hits = store.scan(collection)
        embs: dict[str, np.ndarray] = {}
        for i in range(0, len(hits), batch):
            embs.update(store.get_embeddings(collection, [h.id for h in hits[i : i + batch]]))
        hits = [h for h in hits if h.id in embs]
        ids = [h.id for h in hits]
        dim = model.encoders[0].spec.text_dim
        text = np.stack([embs[i] for i in ids]) if ids else np.zeros((0, dim), np.float32)
        meta = [h.metadata for h in hits]
        snap = cls(
            ids=ids,
            row={pid: r for r, pid in enumerate(ids)},
            text=text.astype(np.float32),
            prices=np.array([float(m.get("price", np.nan)) for m in meta], dtype=np.float64),
            in_stock=np.array([bool(m.get("in_stock", True)) for m in meta], dtype=bool),
            top_categories=[str(m.get("top_category", "")) for m in meta],
            catalog=model.catalog(ids, text, [h.text for h in hits]),
            version=version,
        )
        known = int((snap.catalog.art >= 0).sum())
        log.info("catalog snapshot: %d products, %d known to the model", len(ids), known)
        return snap

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """In stock and passing the filters, by the snapshot's metadata."""
        return filter_mask(self.prices, self.in_stock, self.top_categories, filters)
