"""The item text index: each product's text embedded by the sentence encoder, in Chroma.

Price, stock and category ride along as metadata so business rules can filter
in the store. A product is recommendable as soon as it is indexed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from retrieval.embedder import Embedder
from retrieval.store import VectorStore
from shop.repository import ProductRecord

PRODUCTS = "products"


def product_text(p: ProductRecord) -> str:
    """What the encoder sees of a product: title, category path, brand, attributes, the
    variants' option values and SKUs, description."""
    attrs = "; ".join(f"{k}: {v}" for k, v in sorted(p.attributes.items()))
    skus = " ".join(dict.fromkeys(x for x in (p.sku, *(v.sku for v in p.variants)) if x))
    parts = [p.title, p.category.replace(">", "/"), p.brand, attrs, skus, p.description]
    return ". ".join(x.strip() for x in parts if x and x.strip())


def product_metadata(p: ProductRecord, text: str) -> dict[str, object]:
    meta: dict[str, object] = {
        "title": p.title,
        "category": p.category,
        "top_category": p.category.split(">")[0].strip(),
        "brand": p.brand,
        "in_stock": p.offerable,  # may be offered: in stock and listed in the catalog
        "text_hash": hashlib.sha1(text.encode()).hexdigest()[:16],
    }
    price = p.current_price
    if price is not None:  # unknown prices are left out: a price filter never matches them
        meta["price"] = float(price)
    if p.stock is not None:
        meta["stock"] = int(p.stock)
    return meta


class ItemIndex:
    """Products in the vector store, keyed by product id."""

    def __init__(self, embedder: Embedder, store: VectorStore, collection: str = PRODUCTS) -> None:
        self.embedder = embedder
        self.store = store
        self.collection = collection

    def index(self, products: Sequence[ProductRecord], show_progress: bool = False) -> int:
        """Embed products whose text changed; refresh metadata (price, stock) of all. Returns #embedded."""
        if not products:
            return 0
        texts = [product_text(p) for p in products]
        metas = [product_metadata(p, t) for p, t in zip(products, texts, strict=True)]
        known = {
            h.id: h.metadata.get("text_hash")
            for h in self.store.get(self.collection, [p.id for p in products])
        }
        changed = [i for i, m in enumerate(metas) if known.get(products[i].id) != m["text_hash"]]
        changed_set = set(changed)
        same = [i for i in range(len(products)) if i not in changed_set]
        if changed:
            vecs = self.embedder.encode([texts[i] for i in changed], show_progress=show_progress)
            self.store.upsert(
                self.collection,
                [products[i].id for i in changed],
                vecs,
                [texts[i] for i in changed],
                [metas[i] for i in changed],
            )
        if same:
            embs = self.store.get_embeddings(self.collection, [products[i].id for i in same])
            ids = [products[i].id for i in same]
            self.store.upsert(
                self.collection,
                ids,
                np.stack([embs[i] for i in ids]),
                [texts[i] for i in same],
                [metas[i] for i in same],
            )
        return len(changed)
