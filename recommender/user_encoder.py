"""The BERT user encoder: a small causal transformer over frozen MiniLM item vectors.

Items are the sentence encoder's text vectors, whitened and mapped by a learned linear
adaptor, plus a learned id embedding for items seen in training (new items have text
only). The transformer reads a history of such item vectors, newest last, and its last
state is the user's vector in the same space; score(item) = cos(user, item) / temperature,
trained with full softmax over all items (finetune/user_encoder.py).

Serving loads an artifact folder (weights.pt, config.json, item_ids.json) and runs on
numpy in, numpy out:

    enc = UserEncoder.load(Path("var/models/user-encoder"))
    items = enc.item_vectors(product_ids, text_vectors)   # (n, dim), unit length
    user = enc.user_vector(items[history_positions])      # (dim,), unit length
    scores = items @ user
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from recommender.seq_encoder import CausalEncoder

log = logging.getLogger(__name__)

WEIGHTS, CONFIG, ITEM_IDS = "weights.pt", "config.json", "item_ids.json"


@dataclass(frozen=True)
class EncoderSpec:
    """Architecture of the user encoder (saved in the artifact's config.json)."""

    text_dim: int = 384  # dimension of the frozen sentence encoder's vectors
    dim: int = 128  # width of the transformer and of user/item vectors
    layers: int = 2  # transformer layers
    heads: int = 2  # attention heads
    dropout: float = 0.2  # dropout in the transformer and on its input
    max_len: int = 50  # newest items of a history the encoder reads
    temperature: float = 0.07  # softmax temperature of the cosine scores
    use_ids: bool = True  # add a learned id embedding to each training item's text vector

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EncoderSpec:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def whitening(text: np.ndarray, eps: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """Mean and PCA-whitening matrix (dim, dim) of item text vectors: (x - mu) @ W has unit
    variance per component (scaled by 1/sqrt(dim)), which conditions the linear adaptor.
    Directions without variance among the items (and all beyond n items) are dropped."""
    x = np.asarray(text, dtype=np.float64)
    mu = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mu, full_matrices=False)
    std = s / np.sqrt(len(x))
    scale = np.where(std > 1e-6 * max(float(std.max(initial=0.0)), 1e-12), 1.0 / (std + eps), 0.0)
    w = np.zeros((x.shape[1], x.shape[1]))
    w[:, : len(std)] = vt.T * scale / np.sqrt(x.shape[1])
    return mu.astype(np.float32), w.astype(np.float32)


class UserEncoderNet(nn.Module):
    """Item tower (whitening -> linear adaptor, + id embedding) and the causal transformer."""

    mu: torch.Tensor
    white: torch.Tensor

    def __init__(self, spec: EncoderSpec, n_ids: int) -> None:
        super().__init__()
        self.spec = spec
        self.register_buffer("mu", torch.zeros(spec.text_dim))
        self.register_buffer("white", torch.eye(spec.text_dim))
        self.adapt = nn.Linear(spec.text_dim, spec.dim)
        self.ids = nn.Embedding(n_ids + 1, spec.dim, padding_idx=0) if spec.use_ids else None
        if self.ids is not None:
            nn.init.normal_(self.ids.weight, std=0.02)
            with torch.no_grad():
                self.ids.weight[0].zero_()
        self.encoder = CausalEncoder(spec.dim, spec.layers, spec.heads, spec.dropout, spec.max_len)
        self.text: torch.Tensor | None = None  # training items' text vectors, set by the trainer

    def set_whitening(self, mu: np.ndarray, white: np.ndarray) -> None:
        self.mu.copy_(torch.as_tensor(mu))
        self.white.copy_(torch.as_tensor(white))

    def embed(self, text: torch.Tensor, ids: torch.Tensor | None = None) -> torch.Tensor:
        """Item vectors (n, dim) from text vectors (n, text_dim) and 1-based ids (0 = unknown)."""
        e: torch.Tensor = self.adapt((text - self.mu) @ self.white)
        if self.ids is not None and ids is not None:
            e = e + self.ids(ids)
        return e

    # the interface the training loop uses (finetune/seq_training.py) --------------
    def item_table(self) -> torch.Tensor:
        """Vectors of all training items, row i = item index i."""
        if self.text is None:
            raise RuntimeError("set net.text to the training items' text vectors first")
        ids = torch.arange(1, len(self.text) + 1)
        return self.embed(self.text, ids)

    def states(self, x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        """x: (B, L) 1-based item indices, 0 = padding -> (B, L, dim) states."""
        padded = torch.cat([torch.zeros(1, table.shape[1]), table], 0)
        out: torch.Tensor = self.encoder(padded[x], x == 0)
        return out

    def logits(self, states: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        return F.normalize(states, dim=-1) @ F.normalize(table, dim=-1).T / self.spec.temperature


class UserEncoder:
    """A trained user encoder for serving: item vectors and user vectors as numpy arrays."""

    def __init__(self, net: UserEncoderNet, item_ids: Sequence[str], meta: dict[str, Any]) -> None:
        if net.ids is not None and net.ids.num_embeddings != len(item_ids) + 1:
            raise ValueError(
                f"id embeddings ({net.ids.num_embeddings - 1}) do not match item_ids ({len(item_ids)})"
            )
        self.net = net.eval()
        self.spec = net.spec
        self.index = {iid: i + 1 for i, iid in enumerate(item_ids)}
        self.meta = meta

    @classmethod
    def load(cls, path: Path, weights: str = WEIGHTS) -> UserEncoder:
        path = Path(path)
        for name in (weights, CONFIG, ITEM_IDS):
            if not (path / name).exists():
                raise ValueError(f"{path} is not a user-encoder artifact: {name} is missing")
        meta = json.loads((path / CONFIG).read_text())
        spec = EncoderSpec.from_dict(meta["model"])
        item_ids = json.loads((path / ITEM_IDS).read_text())
        net = UserEncoderNet(spec, len(item_ids))
        net.load_state_dict(torch.load(path / weights, map_location="cpu", weights_only=True))
        log.info("user encoder %s from %s (%d known items)", weights, path, len(item_ids))
        return cls(net, item_ids, meta)

    @property
    def dim(self) -> int:
        return self.spec.dim

    def known(self, item_id: str) -> bool:
        return item_id in self.index

    @torch.inference_mode()
    def raw_item_vectors(self, item_ids: Sequence[str], text_vecs: np.ndarray) -> np.ndarray:
        """Unnormalised item vectors (the encoder's inputs); unknown ids get text only."""
        text = torch.as_tensor(np.asarray(text_vecs, dtype=np.float32))
        if text.ndim != 2 or text.shape[1] != self.spec.text_dim:
            raise ValueError(
                f"text vectors must be (n, {self.spec.text_dim}), got {tuple(text.shape)}"
            )
        ids = torch.as_tensor([self.index.get(i, 0) for i in item_ids], dtype=torch.long)
        return self.net.embed(text, ids).numpy()

    @torch.inference_mode()
    def user_vectors(self, histories: Sequence[np.ndarray], chunk: int = 256) -> np.ndarray:
        """(rows, dim) unit user vectors from each history's raw item vectors (oldest first);
        an empty history gets a zero vector. Rows run in chunks of similar length."""
        out = np.zeros((len(histories), self.spec.dim), dtype=np.float32)
        lengths = np.array([min(len(h), self.spec.max_len) for h in histories])
        order = [int(i) for i in np.argsort(lengths, kind="stable") if lengths[i] > 0]
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            length = int(lengths[part[-1]])
            x = torch.zeros(len(part), length, self.spec.dim)
            pad = torch.ones(len(part), length, dtype=torch.bool)
            for row, i in enumerate(part):
                h = torch.as_tensor(np.asarray(histories[i], dtype=np.float32)[-length:])
                x[row, length - len(h) :] = h
                pad[row, length - len(h) :] = False
            states = self.net.encoder(x, pad)[:, -1]
            out[part] = F.normalize(states, dim=-1).numpy()
        return out

    def user_vector(self, history: np.ndarray) -> np.ndarray | None:
        """Unit user vector from one history's raw item vectors; None when it is empty."""
        return self.user_vectors([history])[0] if len(history) else None


def unit_rows(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(n == 0, 1.0, n)).astype(np.float32)
