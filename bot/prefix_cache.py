"""The keys and values of recent prompts, so a new prompt that starts with the same tokens
(the system prompt and chat template on every request, the earlier turns of a
conversation) only prefills what is new (bot/fastlm.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import torch

MIN_REUSE = 8  # shorter shared prefixes are not worth a cache copy


@dataclass
class Cached:
    ids: torch.Tensor  # (n,) tokens whose keys/values are held
    kv: torch.Tensor  # (layers, 2, kv_heads, n, head_dim)


class PrefixCache:
    """The last `slots` prompts' keys and values, shared safely across threads."""

    def __init__(self, slots: int = 8) -> None:
        self.slots = slots
        self._entries: OrderedDict[int, Cached] = OrderedDict()
        self._lock = threading.Lock()
        self._serial = 0

    def best(self, ids: torch.Tensor) -> tuple[int, Cached | None]:
        """The longest cached prefix of `ids` (at least MIN_REUSE tokens, one left to
        prefill): how many tokens it shares, and the entry."""
        best, found = 0, None
        with self._lock:
            for cached in self._entries.values():
                n = min(cached.ids.shape[0], ids.shape[0] - 1)  # keep >= 1 token to prefill
                if n < MIN_REUSE:
                    continue
                diff = (cached.ids[:n] != ids[:n]).nonzero()
                shared = int(diff[0, 0]) if diff.numel() else n
                if shared > best:
                    best, found = shared, cached
        return best, found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def remember(self, ids: torch.Tensor, kv: torch.Tensor) -> None:
        n = ids.shape[0]
        entry = Cached(ids.clone(), kv[:, :, :, :n].clone())
        with self._lock:
            self._serial += 1
            self._entries[self._serial] = entry
            while len(self._entries) > self.slots:
                self._entries.popitem(last=False)
