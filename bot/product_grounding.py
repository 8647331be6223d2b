"""Which product (and which variant) a shopper's message is about.

    grounder = ProductGrounder(repo, store)
    g = grounder.ground("how much is the harbor tote in 2 m?", vector, focus_id=None)
    g.product, g.variant, g.candidates, g.ambiguous

A product is named by its title, whole or in part, with typos ("harbor tote" for the
Harbour Tote), by its SKU or a variant's SKU, and its variant by option words ("2 m",
"size 28", "navy", "8 foot"). Titles are matched word by word with rapidfuzz: each title
word the message contains (fuzzily, for typos and plurals) counts by how rare it is among
the shop's titles, so "the hoodie with logo" picks "Hoodie with Logo" over "Hoodie". The
dense product vectors only break near-ties. On a product page the page's product stays the
subject unless the message clearly names another. Two products that fit about equally are
returned as ambiguous, so the bot can ask which one rather than guess.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from bot.shop_words import STOP, without_negated, words
from retrieval.store import VectorStore
from shop.repository import ProductRecord, ShopRepository, Variant

if TYPE_CHECKING:
    from bot.search_constraints import Vocabulary
    from recommender.recommender import Recommender

NAME_MIN = 0.5  # share of a title's weight the message must contain to name it
CLEAR_MIN = 0.75  # ... to override the product page the shopper is on
TIE = 0.08  # two products this close in fit: ask which one
RARE_WORDS = 3.5  # title-word weight (idf, summed) that names a product by a part of its title
TIE_SHARE = 0.7  # ... when no other product has more than this share of that weight
WORD_MATCH = 84  # rapidfuzz ratio for a message word to count as a title word (typos)


@dataclass(frozen=True)
class Grounding:
    """The product a message is about, its variant when named, and the contenders."""

    product: ProductRecord | None = None
    variant: Variant | None = None
    candidates: list[ProductRecord] = field(default_factory=list)  # best first
    ambiguous: bool = False  # the top candidates fit about equally: ask which one
    named: bool = False  # the message itself names the product (not only the page)
    clearly: bool = False  # ... by SKU, or by most of its title ("shure earphones")


@dataclass
class _Index:
    version: object
    products: list[ProductRecord]
    title_words: list[list[str]]  # content words of each title
    weight: dict[str, float]  # idf of a title word
    vocab: list[str]
    postings: dict[str, list[int]]
    sku: dict[str, tuple[int, Variant | None]]
    row: dict[str, int]  # product id -> position
    vocab_cache: Vocabulary | None = None


class ProductGrounder:
    """Finds the product a message names; rebuilt when the catalog index changes."""

    def __init__(self, repo: ShopRepository, store: VectorStore, collection: str = "products"):
        self.repo, self.store, self.collection = repo, store, collection
        self._index: _Index | None = None
        self._lock = threading.Lock()

    @classmethod
    def over(cls, repo: ShopRepository, recommender: Recommender) -> ProductGrounder:
        """Grounding over the recommender's product index (the same product vectors)."""
        return cls(repo, recommender.store, recommender.collection)

    def _build(self, version: object) -> _Index:
        products = self.repo.all_products()
        title_words = [[w for w in words(p.title) if w not in STOP] for p in products]
        df: dict[str, int] = {}
        for ws in title_words:
            for w in set(ws):
                df[w] = df.get(w, 0) + 1
        n = max(len(products), 1)
        weight = {w: math.log(1 + n / c) for w, c in df.items()}
        postings: dict[str, list[int]] = {}
        for i, ws in enumerate(title_words):
            for w in set(ws):
                postings.setdefault(w, []).append(i)
        sku: dict[str, tuple[int, Variant | None]] = {}
        for i, p in enumerate(products):
            if p.sku:
                sku[p.sku.lower()] = (i, None)
            if _code_like(p.id):  # shops often use the SKU as the id ("RP-demo_7", not "beanie")
                sku.setdefault(p.id.lower(), (i, None))
            for v in p.variants:
                if v.sku:
                    sku.setdefault(v.sku.lower(), (i, v))
        row = {p.id: i for i, p in enumerate(products)}
        return _Index(version, products, title_words, weight, sorted(df), postings, sku, row)

    def index(self) -> _Index:
        # the products collection is rewritten whenever the catalog is (shop/catalog_import
        # -> ItemIndex), so its marker says when to re-read the catalog
        version = self.store.version(self.collection)
        idx = self._index
        if idx is None or idx.version != version:
            with self._lock:
                if self._index is None or self._index.version != version:
                    self._index = self._build(version)
                idx = self._index
        return idx

    def resolve(self, code: str) -> ProductRecord | None:
        """The product a page names by its id, its SKU or a variant's SKU (any case)."""
        idx = self.index()
        row = idx.row.get(code)
        if row is None and (hit := idx.sku.get(code.strip().lower())) is not None:
            row = hit[0]
        return None if row is None else idx.products[row]

    def vocabulary(self) -> Vocabulary:
        """The shop's category and product-type words, for reading explicit searches."""
        idx = self.index()
        if idx.vocab_cache is None:
            from bot.search_constraints import Vocabulary

            idx.vocab_cache = Vocabulary.of(idx.products)
        return idx.vocab_cache

    # scoring -----------------------------------------------------------------------
    def _fits(self, idx: _Index, text: str) -> dict[int, tuple[float, float]]:
        """Product row -> (share of its title's weight the message contains, that weight)."""
        msg = [w for w in words(text) if w not in STOP]
        matched: dict[str, float] = {}  # title word -> best match quality
        for w in set(msg):
            if w in idx.postings:
                matched[w] = 1.0
            if len(w) < 4 or not idx.vocab:
                continue
            for cand, score, _ in process.extract(
                w, idx.vocab, scorer=fuzz.ratio, score_cutoff=WORD_MATCH, limit=5
            ):
                if len(cand) >= 4 and cand[:1] == w[:1]:
                    matched[cand] = max(matched.get(cand, 0.0), score / 100)
        # two message words glued in a title ("t shirt" / "tshirt")
        for a, b in itertools.pairwise(msg):
            if (ab := a + b) in idx.postings:
                matched[ab] = 1.0
        got: dict[int, float] = {}
        for w, q in matched.items():
            for i in idx.postings.get(w, []):
                got[i] = got.get(i, 0.0) + q * idx.weight[w]
        out = {}
        for i, have in got.items():
            total = sum(idx.weight[w] for w in set(idx.title_words[i])) or 1.0
            out[i] = (min(have / total, 1.0), have)
        return out

    def ground(
        self, text: str, vector: np.ndarray | None = None, focus_id: str | None = None
    ) -> Grounding:
        idx = self.index()
        if not idx.products:
            return Grounding()
        focus = idx.products[idx.row[focus_id]] if focus_id in idx.row else None
        # a SKU in the message names its product (and variant) outright
        for tok in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9]", text):
            if (hit := idx.sku.get(tok.lower())) is not None and (
                _code_like(tok) or (len(tok) >= 6 and tok.isupper())
            ):
                p = idx.products[hit[0]]
                return Grounding(p, hit[1] or pick_variant(p, text), [p], False, True, True)
        text, ruled_out = without_negated(text)
        said = set(words(text))
        fits = {  # "the macbook, not the air": no product whose title holds a word ruled out
            i: fit
            for i, fit in self._fits(idx, text).items()
            if not (ruled_out & set(idx.title_words[i])) - said
        }
        # named: most of its title said, or rare title words said that fit no other product
        # as well ("shure earphones" for "Shure SE210 Sound-Isolating Earphones for iPod")
        by_weight = sorted(fits.items(), key=lambda kv: -kv[1][1])
        rare: set[int] = set()
        if by_weight and by_weight[0][1][1] >= RARE_WORDS:
            second = by_weight[1][1][1] if len(by_weight) > 1 else 0.0
            if second <= TIE_SHARE * by_weight[0][1][1]:
                rare.add(by_weight[0][0])
        named = [
            (i, max(share, NAME_MIN), have)
            for i, (share, have) in fits.items()
            if share >= NAME_MIN or i in rare
        ]
        if vector is not None and named:
            dense = self._dense(idx, [i for i, _, _ in named], vector)
        else:
            dense = {}
        # rank: the most of the title said, weighted by how much was said; dense breaks ties
        scored = sorted(
            ((share * have + 0.5 * dense.get(i, 0.0), share, i) for i, share, have in named),
            reverse=True,
        )
        if focus is not None:
            focus_words = set(words(focus.title))
            clear = [
                (s, share, i)
                for s, share, i in scored
                if share >= CLEAR_MIN
                and idx.products[i].id != focus.id
                # "this hoodie" on the Hoodie with Pocket's page is that hoodie
                and not set(idx.title_words[i]) <= focus_words
            ]
            focus_said = any(idx.products[i].id == focus.id for _, _, i in scored)
            if not clear or focus_said:
                return Grounding(focus, pick_variant(focus, text), [focus], False, focus_said)
            scored = clear
        if not scored:
            return Grounding()
        best = scored[0]
        cands = [idx.products[i] for _, _, i in scored[:4]]
        # a title inside another that was also said ("Hoodie" in "Hoodie with Logo") loses
        ambiguous = (
            len(scored) > 1
            and scored[1][0] >= best[0] * (1 - TIE)
            and not _contains(idx.title_words[best[2]], idx.title_words[scored[1][2]])
        )
        p = idx.products[best[2]]
        clearly = (
            best[1] >= CLEAR_MIN
            or best[2] in rare
            or (best[1] >= NAME_MIN and len(idx.title_words[best[2]]) <= 2)
        )
        return Grounding(p, pick_variant(p, text), cands, ambiguous, True, clearly)

    def _dense(self, idx: _Index, rows: list[int], vector: np.ndarray) -> dict[int, float]:
        ids = [idx.products[i].id for i in rows]
        embs = self.store.get_embeddings(self.collection, ids)
        return {
            i: float(embs[pid] @ vector) for i, pid in zip(rows, ids, strict=True) if pid in embs
        }


def _code_like(token: str) -> bool:
    """A product code rather than a word: it has a digit, '-' or '_'."""
    return any(c.isdigit() or c in "-_" for c in token)


def _contains(longer: list[str], shorter: list[str]) -> bool:
    return len(longer) > len(shorter) and set(shorter) <= set(longer)


def pick_variant(p: ProductRecord, text: str) -> Variant | None:
    """The variant whose option values the message names ("2 m", "size 28", "navy");
    None when it names none, or fits several equally."""
    if not p.variants:
        return None
    msg = f" {' '.join(words(text))} "
    best: list[tuple[float, Variant]] = []
    for v in p.variants:
        n = 0.0
        for value in v.options.values():
            vw = " ".join(words(value))
            if vw and f" {vw} " in msg:
                n += 1 + len(vw) / 100  # longer values are more specific
        if n:
            best.append((n, v))
    if not best:
        return None
    best.sort(key=lambda t: -t[0])
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None
    return best[0][1]
