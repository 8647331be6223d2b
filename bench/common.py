"""Pieces the benchmarks share: percentiles, the machine's memory bandwidth and CPU, docs
sections."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

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


# variables that keep ATen, oneDNN, MKL and FBGEMM below the CPU's own instruction sets
# (ATEN_CPU_CAPABILITY=avx2 ... emulates an AVX2-only CPU on an AVX-512 one)
ISA_LIMITS = (
    "ATEN_CPU_CAPABILITY",
    "ONEDNN_MAX_CPU_ISA",
    "MKL_ENABLE_INSTRUCTIONS",
    "FBGEMM_ENABLE_INSTRUCTIONS",
)


def cpu_record() -> dict[str, Any]:
    """The CPU a figure comes from, as the local decoder sees it (bot.kernels): model, ATen's
    vector level, the relevant cpuinfo flags, oneDNN bf16, its class, any instruction-set
    limits set in the environment, the decoder's default kernels, cores and load average."""
    from bot.kernels import choose_kernels, detect

    caps = detect()
    if caps.native_bf16:
        klass = "AVX-512 with native bf16" + (" and AMX" if "amx_bf16" in caps.flags else "")
    elif caps.isa.startswith("AVX512"):
        klass = "AVX-512 without native bf16"
    elif "avx2" in caps.flags:
        klass = "AVX2 only (no AVX-512, no native bf16)"
    else:
        klass = caps.isa
    limits = {k: os.environ[k] for k in ISA_LIMITS if os.environ.get(k)}
    return {
        "cpu": caps.describe(),
        "cpu_class": klass
        + (
            " (emulated: " + ", ".join(f"{k}={v}" for k, v in limits.items()) + ")"
            if limits
            else ""
        ),
        "kernels": choose_kernels(caps, "auto").describe(),
        "cores": os.cpu_count(),
        "load": os.getloadavg()[0],
    }


def machine_line(before: dict[str, Any], load_after: float) -> str:
    """One sentence for a benchmark section: the CPU, its class, cores, load averages."""
    return (
        f"{before['cpu_class']}: {before['cpu']}; {before['cores']} cores; load average "
        f"{before['load']:.1f} before and {load_after:.1f} after (other engineers' jobs shared "
        "the machine)"
    )


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
