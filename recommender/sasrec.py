"""SASRec (Kang & McAuley, 2018): item-id embeddings and a causal transformer, our own implementation.

Trained like the user encoder (finetune/sasrec.py): full softmax cross-entropy over all
items at every position, early stopping on the validation rows. It knows items only by
id, so it is the collaborative baseline the text-based encoder has to beat.

    net = SASRecNet(SASRecSpec(), n_items=4385)
    table = net.item_table()                     # (n_items, dim)
    scores = net.logits(net.states(x, table)[:, -1], table)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from recommender.seq_encoder import CausalEncoder


@dataclass(frozen=True)
class SASRecSpec:
    """Architecture of SASRec (the paper's defaults, with full cross-entropy)."""

    dim: int = 64  # item embedding and transformer width
    layers: int = 2  # transformer layers
    heads: int = 1  # attention heads
    dropout: float = 0.5  # dropout, high as in the paper for sparse Amazon data
    max_len: int = 50  # newest items read


class SASRecNet(nn.Module):
    """Item embeddings shared between input and output (dot-product scores)."""

    def __init__(self, spec: SASRecSpec, n_items: int) -> None:
        super().__init__()
        if n_items <= 0:
            raise ValueError(f"n_items must be > 0, got {n_items}")
        self.spec = spec
        self.items = nn.Embedding(n_items + 1, spec.dim, padding_idx=0)
        nn.init.normal_(self.items.weight, std=spec.dim**-0.5)
        with torch.no_grad():
            self.items.weight[0].zero_()
        self.encoder = CausalEncoder(spec.dim, spec.layers, spec.heads, spec.dropout, spec.max_len)

    def item_table(self) -> torch.Tensor:
        return self.items.weight[1:]

    def states(self, x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        padded = torch.cat([torch.zeros(1, table.shape[1]), table], 0)
        out: torch.Tensor = self.encoder(padded[x] * self.spec.dim**0.5, x == 0)
        return out

    def logits(self, states: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        return states @ table.T
