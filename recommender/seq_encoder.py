"""The causal transformer over item sequences shared by our user encoder and SASRec, and its batching.

Sequences are left-padded (index 0 = padding, items are 1-based) so the last column
is always the newest item, and the position embedding counts back from it: position 0
is "most recent", which is the same for a 3-item and a 50-item history.

    enc = CausalEncoder(dim=128, layers=2, heads=2, dropout=0.2, max_len=50)
    x = pad_left([[3, 7, 9], [4]], 3)            # (2, 3) long, 0 = padding
    h = enc(item_embeddings[x], x == 0)          # (2, 3, 128); h[:, -1] sums up each history
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import nn


def pad_left(seqs: Sequence[Sequence[int]], length: int, offset: int = 1) -> torch.Tensor:
    """(len(seqs), length) long tensor of the last `length` items of each sequence + offset,
    right-aligned, 0 in front."""
    x = torch.zeros(len(seqs), max(length, 1), dtype=torch.long)
    for i, s in enumerate(seqs):
        tail = list(s)[-length:] if length else []
        if tail:
            x[i, x.shape[1] - len(tail) :] = torch.as_tensor(tail, dtype=torch.long) + offset
    return x


def training_windows(sequences: Sequence[Sequence[int]], max_len: int) -> list[list[int]]:
    """Cut sequences into windows of at most max_len + 1 items (inputs + next items), newest
    first, so every item after the first is a target exactly once."""
    out: list[list[int]] = []
    for s in sequences:
        end = len(s)
        while end >= 2:
            start = max(0, end - max_len - 1)
            out.append(list(s[start:end]))
            end = start + 1 if start > 0 else 0
    return out


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Shuffled batches of similar lengths (little padding): shuffle, sort within chunks of
    50 batches, shuffle the batches."""
    perm = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches = []
    for i in range(0, len(perm), chunk):
        part = sorted(perm[i : i + chunk], key=lambda j: lengths[j])
        batches += [np.asarray(part[k : k + batch_size]) for k in range(0, len(part), batch_size)]
    for b in rng.permutation(len(batches)):
        yield batches[b]


class CausalEncoder(nn.Module):
    """Pre-LN transformer layers with a causal mask; returns one state per position."""

    def __init__(self, dim: int, layers: int, heads: int, dropout: float, max_len: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim ({dim}) must be divisible by heads ({heads})")
        self.heads = heads
        self.pos = nn.Embedding(max_len, dim)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.ln_in = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(
                dim,
                heads,
                dim * 2,
                dropout,
                activation="gelu",
                batch_first=True,
                norm_first=True,
            )
            for _ in range(layers)
        )
        self.ln_out = nn.LayerNorm(dim)

    def forward(self, emb: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        """emb: (B, L, dim) item embeddings, pad: (B, L) bool, True where padding."""
        _, length = pad.shape
        length = min(length, self.pos.num_embeddings)
        emb, pad = emb[:, -length:], pad[:, -length:]
        recency = torch.arange(length - 1, -1, -1, device=emb.device)
        h = self.drop(self.ln_in(emb + self.pos(recency)[None]))
        future = torch.triu(torch.ones(length, length, dtype=torch.bool, device=emb.device), 1)
        mask = future[None] | pad[:, None, :]
        mask &= ~torch.eye(length, dtype=torch.bool, device=emb.device)[None]  # never all-masked
        mask = mask.repeat_interleave(self.heads, 0)
        for block in self.blocks:
            h = block(h, src_mask=mask)
        out: torch.Tensor = self.ln_out(h)
        return out
