"""Recommendation data in the shared TSV format: items, train/valid/test rows, cached item vectors.

    data = load_rec_data(Path("../shared/data/rec/scientific"))
    vecs = item_vectors(data, embedder, cache_dir=Path("var/cache/rec"))  # (n_items, 384)
    seqs = data.train_sequences()  # item-index sequences, each row's history + target

Format (DATASETS.md): `items.tsv` (item_id, text), `train.tsv`/`valid.tsv`/`test.tsv`
(user_id, space-separated history oldest first, target), one header line each. Without
`valid.tsv` the last 10% of the train rows are held out as validation. Items that a row
names but `items.tsv` lacks are dropped from that row (a row whose target is unknown is
dropped), and counted in the log.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

log = logging.getLogger(__name__)


class RecDataError(ValueError):
    """A recommendation data folder is missing a file or has a malformed line."""


@dataclass(frozen=True)
class RecRow:
    """One prediction task: item indices of the history (oldest first) and the next item."""

    user_id: str
    history: tuple[int, ...]
    target: int


@dataclass
class RecData:
    """Items (index = position in `item_ids`) and the three splits as index rows."""

    path: Path
    item_ids: list[str]
    texts: list[str]
    train: list[RecRow]
    valid: list[RecRow]
    test: list[RecRow]
    valid_from_train: bool = False  # True when valid.tsv was absent
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {iid: i for i, iid in enumerate(self.item_ids)}

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def train_sequences(self) -> list[list[int]]:
        """Each user's train rows (history + target) stitched back into sequences.

        A row that is a prefix of a longer row of the same user is dropped (the usual
        one-row-per-prefix layout collapses to one sequence), and rows whose capped
        history slides by one item are chained, so no interaction is counted twice."""
        by_user: dict[str, list[tuple[int, ...]]] = {}
        for r in self.train:
            by_user.setdefault(r.user_id, []).append((*r.history, r.target))
        out: list[list[int]] = []
        for seqs in by_user.values():
            out.extend(_stitch(seqs))
        return out

    def item_counts(self) -> np.ndarray:
        """How often each item occurs in the train sequences (histories and targets)."""
        counts = np.zeros(self.n_items, dtype=np.float64)
        for s in self.train_sequences():
            np.add.at(counts, np.asarray(s), 1.0)
        return counts


def _stitch(seqs: list[tuple[int, ...]]) -> list[list[int]]:
    """Maximal sequences of one user, with sliding windows (b = a[1:] + [x]) chained."""
    seqs = sorted(set(seqs), key=len, reverse=True)
    kept: list[tuple[int, ...]] = []
    for s in seqs:
        if not any(k[: len(s)] == s for k in kept):
            kept.append(s)
    by_hist = {s[:-1]: s for s in kept}
    nxt = {a: b for a in kept if (b := by_hist.get(a[1:])) is not None and b != a}
    has_prev = set(nxt.values())
    done: set[tuple[int, ...]] = set()
    out: list[list[int]] = []
    for a in [*(s for s in kept if s not in has_prev), *kept]:  # chain starts first
        if a in done:
            continue
        chain = list(a)
        done.add(a)
        while (b := nxt.get(a)) is not None and b not in done:
            chain.append(b[-1])
            done.add(b)
            a = b
        out.append(chain)
    return out


def _read_tsv(path: Path, columns: int) -> list[list[str]]:
    if not path.exists():
        raise RecDataError(f"{path} is missing")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise RecDataError(f"{path} is empty (expected a header line)")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != columns:
            raise RecDataError(
                f"{path}:{n}: expected {columns} tab-separated columns, got {len(parts)}"
            )
        rows.append(parts)
    return rows


def _rows(path: Path, index: dict[str, int]) -> list[RecRow]:
    out, unknown = [], 0
    for user, hist, target in _read_tsv(path, 3):
        items = hist.split()
        known = tuple(index[i] for i in items if i in index)
        unknown += len(items) - len(known) + (target not in index)
        if target in index:
            out.append(RecRow(user, known, index[target]))
    if unknown:
        log.warning("%s: %d item mentions not in items.tsv were dropped", path, unknown)
    return out


def load_rec_data(path: Path) -> RecData:
    """Read a recommendation folder; raises RecDataError with the file and line on bad input."""
    path = Path(path)
    items = _read_tsv(path / "items.tsv", 2)
    if not items:
        raise RecDataError(f"{path / 'items.tsv'} has no items")
    item_ids = [i for i, _ in items]
    if len(set(item_ids)) != len(item_ids):
        raise RecDataError(f"{path / 'items.tsv'} repeats item ids")
    index = {iid: i for i, iid in enumerate(item_ids)}
    train = _rows(path / "train.tsv", index)
    test = _rows(path / "test.tsv", index)
    valid_from_train = not (path / "valid.tsv").exists()
    if valid_from_train:
        cut = len(train) - max(1, len(train) // 10)
        train, valid = train[:cut], train[cut:]
        log.info("%s has no valid.tsv: the last %d train rows are held out", path, len(valid))
    else:
        valid = _rows(path / "valid.tsv", index)
    if not train or not valid or not test:
        raise RecDataError(f"{path}: train, valid and test must each have at least one row")
    return RecData(path, item_ids, [t for _, t in items], train, valid, test, valid_from_train)


def write_rec_data(
    path: Path, items: Sequence[tuple[str, str]], sequences: Mapping[str, Sequence[str]]
) -> Path:
    """Write items and users' item sequences (oldest first) in the shared format, split
    leave-one-out: test = last item, valid = second-to-last, train = one row per earlier
    prefix. Users with fewer than 3 items go to train only. Histories keep the last 50."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    head = "user_id\thistory\ttarget\n"
    splits: dict[str, list[str]] = {"train": [], "valid": [], "test": []}
    for user, seq in sequences.items():
        seq = list(seq)
        n_train = len(seq) - 2 if len(seq) >= 3 else len(seq)
        for end in range(n_train - 1, 0, -1):
            splits["train"].append(f"{user}\t{' '.join(seq[max(0, end - 50) : end])}\t{seq[end]}")
        if len(seq) >= 3:
            for name, end in (("valid", len(seq) - 2), ("test", len(seq) - 1)):
                splits[name].append(f"{user}\t{' '.join(seq[max(0, end - 50) : end])}\t{seq[end]}")
    clean = [(i, " ".join(t.split())) for i, t in items]
    (path / "items.tsv").write_text("item_id\ttext\n" + "".join(f"{i}\t{t}\n" for i, t in clean))
    for name, rows in splits.items():
        (path / f"{name}.tsv").write_text(head + "".join(r + "\n" for r in rows))
    return path


def item_vectors(
    data: RecData, embedder: Embedder, cache_dir: Path | None, show_progress: bool = False
) -> np.ndarray:
    """The frozen encoder's unit vectors of all item texts, (n_items, dim) float32.

    Cached as `<cache_dir>/<hash>.npy`, the hash covering the item ids, texts and the
    encoder, so a changed catalog or model is re-encoded and an unchanged one is not.
    """
    h = hashlib.sha1(embedder.fingerprint.encode())  # the weights, not the folder name
    for iid, text in zip(data.item_ids, data.texts, strict=True):
        h.update(f"{iid}\t{text}\n".encode())
    cache = Path(cache_dir) / f"items-{h.hexdigest()[:20]}.npy" if cache_dir else None
    if cache is not None and cache.exists():
        vecs = np.load(cache)
        if vecs.shape[0] == data.n_items:
            log.info("item vectors from cache %s", cache)
            return vecs.astype(np.float32)
    log.info("encoding %d item texts", data.n_items)
    vecs = embedder.encode(data.texts, show_progress=show_progress)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".items-", suffix=".npy", dir=cache.parent)
        with os.fdopen(fd, "wb") as f:
            np.save(f, vecs)
        os.replace(tmp, cache)
    return vecs
