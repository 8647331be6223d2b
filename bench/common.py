"""Pieces the benchmarks share: percentiles, the machine's memory bandwidth, docs sections."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def memory_bandwidth_gbs(mb: int = 512, repeats: int = 5) -> float:
    """Copy bandwidth (read + write bytes per second) of a large array, best of `repeats`."""
    a = np.ones(mb * 2**20 // 8)
    b = np.empty_like(a)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t)
    return 2 * a.nbytes / best / 1e9


def write_section(docs: Path, heading: str, text: str) -> None:
    """Replace the section starting with `heading` ("## Serving") in docs, or append it."""
    old = docs.read_text() if docs.exists() else "# Benchmarks\n\n"
    start = old.find(heading + "\n")
    if start == -1:
        new = old.rstrip() + "\n\n" + text
    else:
        nxt = old.find("\n## ", start + 1)
        new = old[:start] + text + (old[nxt + 1 :] if nxt != -1 else "")
    docs.write_text(new)
