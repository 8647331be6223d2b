"""The sentence embedder (all-MiniLM-L6-v2 by default), loaded once in `warm_up()`.

emb = Embedder(model_path)
emb.warm_up()
vecs = emb.encode(["waterproof jacket"])  # (1, 384) float32, L2-normalised
"""

from __future__ import annotations

import hashlib
import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class Embedder:
    """Encodes texts into unit-length vectors; cosine similarity is a dot product."""

    def __init__(self, model_path: Path, batch_size: int = 64, device: str = "cpu") -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        if not Path(model_path).is_dir():
            raise ValueError(f"embedder model folder not found: {model_path}")
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            log.info("loading embedder from %s", self.model_path)
            self._model = SentenceTransformer(
                str(self.model_path), device=self.device, local_files_only=True
            )

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            self.warm_up()
        assert self._model is not None
        return self._model

    @property
    def dim(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ValueError(f"{self.model_path} does not declare its embedding dimension")
        return int(dim)

    @property
    def name(self) -> str:
        return (
            self.model_path.name if self.model_path.name != "model" else self.model_path.parent.name
        )

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the model's files (not of where they are): two models embed alike only if
        their fingerprints match.

        Vectors of different models do not mix: an index, an intent head or a user encoder
        built with one cannot be read with another, so they record this and check it."""
        h = hashlib.sha1()
        for f in sorted(p for p in self.model_path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(self.model_path)).encode())
            with f.open("rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
        return h.hexdigest()[:16]

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vecs, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def require_recorded_embedder(
    recorded: str | None, fingerprint: str, name: str, what: str, fix: str
) -> None:
    """Refuse an artifact built on another embedder's vectors than the serving one's.

    `recorded` is the fingerprint the artifact saved (None: it predates recording and is
    accepted); `what` says what was built on it, `fix` how to rebuild."""
    if recorded in (None, fingerprint):
        return
    raise ValueError(
        f"{what} embedder {recorded}, but the shop embeds with {name} ({fingerprint}): {fix}"
    )
