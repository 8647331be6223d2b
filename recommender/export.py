"""The shop's own events as a recommendation folder, so the user encoder trains on them.

    report = export_rec_folder(repo, Path("var/rec-data"))
    # then: shopmate finetune user-encoder --data var/rec-data

Writes the format of DATASETS.md: `items.tsv` (every product, with the same text the
item index embeds), and leave-one-out splits of each shopper's item sequence (events
in time order, repeats of the same product in a row collapsed, the newest 51 kept):
`train.tsv` one row per prefix up to the third-last item, `valid.tsv` the second-last,
`test.tsv` the last. Shoppers appear under a salted hash, never their own id. The
folder is written next to its final place and renamed, so a reader never sees half.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from recommender.item_index import product_text
from shop.repository import ShopRepository

MAX_HISTORY = 50  # longest history in a row (DATASETS.md)


@dataclass(frozen=True)
class ExportReport:
    path: Path
    items: int
    users: int
    train_rows: int
    eval_rows: int  # rows in valid.tsv (test.tsv has as many)


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def pseudonym(user_id: str, salt: str = "shopmate-rec") -> str:
    return "u" + hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


def sequences(repo: ShopRepository, min_items: int = 2) -> dict[str, list[str]]:
    """Product sequence per shopper (repeats in a row collapsed), shoppers with >= min_items."""
    out: dict[str, list[str]] = {}
    for uid, events in repo.event_sequences().items():
        seq: list[str] = []
        for e in events:
            if not seq or seq[-1] != e.product_id:
                seq.append(e.product_id)
        if len(seq) >= min_items:
            out[uid] = seq[-(MAX_HISTORY + 1) :]
    return out


def export_rec_folder(repo: ShopRepository, out: Path) -> ExportReport:
    """Write items/train/valid/test TSVs for the shop's catalog and events to `out`."""
    products = repo.all_products()
    if not products:
        raise ValueError("the shop has no products to export; ingest a catalog first")
    known = {p.id for p in products}
    seqs = {u: [i for i in s if i in known] for u, s in sequences(repo).items()}
    train: list[str] = []
    valid: list[str] = []
    test: list[str] = []
    for uid, seq in sorted(seqs.items()):
        name = pseudonym(uid)
        n = len(seq)
        last_train = n - 2 if n >= 4 else n  # short sequences only teach
        for t in range(1, last_train):
            train.append(f"{name}\t{' '.join(seq[max(0, t - MAX_HISTORY) : t])}\t{seq[t]}")
        if n >= 4:
            valid.append(f"{name}\t{' '.join(seq[max(0, n - 2 - MAX_HISTORY) : n - 2])}\t{seq[-2]}")
            test.append(f"{name}\t{' '.join(seq[max(0, n - 1 - MAX_HISTORY) : n - 1])}\t{seq[-1]}")
    if not train:
        raise ValueError(
            "not enough shopper events to train on: need shoppers with at least 2 products"
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    header = "user_id\thistory\ttarget\n"
    (tmp / "items.tsv").write_text(
        "item_id\ttext\n" + "".join(f"{p.id}\t{_clean(product_text(p))}\n" for p in products)
    )
    for fname, rows in (("train.tsv", train), ("valid.tsv", valid), ("test.tsv", test)):
        (tmp / fname).write_text(header + "".join(r + "\n" for r in rows))
    old = out.with_name(f".{out.name}.old")
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
    return ExportReport(out, len(products), len(seqs), len(train), len(valid))
