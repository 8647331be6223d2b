"""Choosing the next tokens: nucleus sampling for sampled replies, and prompt lookup
(guessing the next tokens from where the last ones occurred before) for greedy ones.
"""

from __future__ import annotations

import torch


def nucleus(
    logits: torch.Tensor, temperature: float, top_p: float, gen: torch.Generator
) -> torch.Tensor:
    """One token per row: softmax at `temperature`, kept to the smallest set of most likely
    tokens whose probability reaches `top_p`, then drawn."""
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    sorted_p, order = probs.sort(dim=-1, descending=True)
    sorted_p = sorted_p * ((sorted_p.cumsum(-1) - sorted_p) < top_p)
    pick = torch.multinomial(sorted_p, 1, generator=gen)
    return order.gather(-1, pick).squeeze(-1)


def lookup(seq: list[int], k: int, longest: int = 3, shortest: int = 2) -> list[int]:
    """Prompt lookup: the `k` tokens that followed the latest earlier occurrence of the
    sequence's last n tokens (n from `longest` down to `shortest`); [] when none."""
    if k <= 0:
        return []
    for n in range(longest, shortest - 1, -1):
        if len(seq) <= n:
            continue
        tail = seq[-n:]
        first = tail[0]
        for i in range(len(seq) - n - 1, -1, -1):
            if seq[i] == first and seq[i : i + n] == tail:
                return seq[i + n : i + n + k]
    return []
