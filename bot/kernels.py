"""Which matrix kernels the local decoder uses, chosen by what this CPU runs well.

SmolLM2's int8 weights are read by two kinds of matrix products: decoding (one to a few
rows per pass: reading the weights is the cost, so int8 wins) and prefill (hundreds of
prompt tokens at once: arithmetic is the cost). Prefill's best kernel depends on the CPU:

- with native bf16 (AVX-512 BF16 or AMX): bf16 products on weights dequantised once;
- AVX2 or AVX-512 without bf16: bf16 is emulated there and about 6x slower than fp32, so
  prefill runs in fp32 on weights dequantised once (the same int8 values, no bf16);
- anything else (no AVX2, another architecture): a short probe times the candidates.

'int8-int8' (asked for, never chosen by 'auto') multiplies the prompt in int8 too
(`torch._int_mm`, activations quantised per token, a few outlier channels in fp32): on
AVX2 about 1.2x faster to the first token than fp32, at 95% of fp32's next tokens against
96-97% for the other int8 choices (docs/benchmarks.md, "Generator decoding per CPU").

    caps = detect()                       # CpuCaps from torch and /proc/cpuinfo
    choice = choose_kernels(caps, "auto")  # pure: the table in tests/bot/test_kernels.py
    if choice.probe: choice = probe(choice, sample_weight)

Detection honours ATen's and oneDNN's own limits (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA),
so a machine told to use AVX2 only is treated as an AVX2 machine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

QUANTIZE = ("auto", "none", "int8", "int8-bf16", "int8-fp32", "int8-int8")
# prefill kernels for int8 weights: dequantised once to fp32 or bf16, or an int8 product
PREFILL = ("fp32", "bf16", "int8")
PROBED = ("fp32", "bf16")  # timed where the CPU is not one the table knows
# cpuinfo features that matter to these kernels, as torch.cpu.get_capabilities names them
FLAGS = (
    "avx2",
    "fma3",
    "avx512_f",
    "avx512_vnni",
    "avx512_bf16",
    "avx_vnni",
    "amx_bf16",
    "amx_int8",
)
_WIDE = ("avx512", "amx")  # features ATen and oneDNN leave unused when limited to AVX2


@dataclass(frozen=True)
class CpuCaps:
    """What this CPU offers to torch: ATen's vector level, cpuinfo features, oneDNN bf16."""

    model: str  # "Intel(R) Xeon(R) Processor"
    isa: str  # torch.backends.cpu.get_cpu_capability(): DEFAULT, AVX2, AVX512, SVE256, ...
    flags: frozenset[str]  # of FLAGS, less what ATen's level rules out
    onednn_bf16: bool  # oneDNN will run bf16 products (natively or emulated)

    @property
    def native_bf16(self) -> bool:
        return self.onednn_bf16 and bool({"avx512_bf16", "amx_bf16"} & self.flags)

    def describe(self) -> str:
        """One line for logs and benchmark tables."""
        flags = " ".join(f for f in FLAGS if f in self.flags) or "none"
        bf16 = "native" if self.native_bf16 else "emulated" if self.onednn_bf16 else "off"
        return f"{self.model}; ATen {self.isa}; {flags}; oneDNN bf16 {bf16}"


@dataclass(frozen=True)
class KernelChoice:
    """Kernels for the local decoder: fp32 throughout (quantize='none'), or int8 weights
    read by `torch._weight_int8pack_mm` when decoding and, for prompts, dequantised once to
    `prefill`'s type (fp32, bf16) or multiplied as int8 (`prefill='int8'`). `probe` lists
    prefill candidates still to be timed on this CPU."""

    quantize: str  # none | int8
    prefill: str  # fp32 | bf16 | int8
    reason: str
    probe: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.quantize == "none":
            return f"fp32 weights throughout ({self.reason})"
        return f"int8 weights, int8 decode, {self.prefill} prefill ({self.reason})"


def choose_kernels(caps: CpuCaps, quantize: str = "auto") -> KernelChoice:
    """The kernels for `quantize` (QUANTIZE) on a CPU with `caps`; a pure function.

    'auto' and 'int8' both mean int8 weights (a quarter of the bytes per decoded token, 97%
    of fp32's next tokens) with the fastest prefill that keeps int8's values; 'int8-bf16',
    'int8-fp32' and 'int8-int8' force the prefill kernel; 'none' keeps fp32 everywhere."""
    if quantize not in QUANTIZE:
        raise ValueError(f"quantize must be one of {', '.join(QUANTIZE)}, got {quantize!r}")
    if quantize == "none":
        return KernelChoice("none", "fp32", "asked for")
    if quantize.startswith("int8-"):
        return KernelChoice("int8", quantize.removeprefix("int8-"), "asked for")
    if caps.native_bf16:
        return KernelChoice("int8", "bf16", "native bf16")
    if "avx2" in caps.flags:  # bf16 would be emulated; fp32 GEMMs run at full width
        return KernelChoice("int8", "fp32", f"{caps.isa}, no native bf16")
    return KernelChoice("int8", "fp32", f"{caps.isa}: not a case we know", probe=PROBED)


def detect() -> CpuCaps:
    """This CPU as torch will use it (ATEN_CPU_CAPABILITY and ONEDNN_MAX_CPU_ISA honoured)."""
    import torch

    isa = torch.backends.cpu.get_cpu_capability()
    info = _cpuinfo()
    try:
        have = {k for k, v in torch.cpu.get_capabilities().items() if v is True}
    except (AttributeError, RuntimeError):  # older torch: the kernel's own list
        have = {
            f.replace("avx512f", "avx512_f").replace("fma", "fma3") for f in info["flags"].split()
        }
    flags = {f for f in FLAGS if f in have}
    if not isa.startswith("AVX512"):  # ATen (and so the decoder's own ops) stops below
        flags = {f for f in flags if not f.startswith(_WIDE)}
    if not isa.startswith("AVX"):  # DEFAULT (no AVX2 in use), or not x86
        flags.discard("avx2")
        flags.discard("avx_vnni")
    try:
        onednn_bf16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        onednn_bf16 = False
    return CpuCaps(info["model"] or "unknown CPU", isa, frozenset(flags), onednn_bf16)


def _cpuinfo() -> dict[str, str]:
    """Model name and flags of the first CPU in /proc/cpuinfo ('' where unreadable)."""
    out = {"model": "", "flags": ""}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        import platform

        out["model"] = platform.processor()
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key in ("model name", "Model") and not out["model"]:
            out["model"] = value.strip()
        elif key in ("flags", "Features") and not out["flags"]:
            out["flags"] = value.strip()
    return out


def probe(
    choice: KernelChoice, weight: torch.Tensor, rows: int = 64, decode: bool = False
) -> KernelChoice:
    """Time each prefill candidate of `choice` on `weight` (a matrix of the model, e.g. one
    layer's gate/up) with `rows` prompt tokens and keep the fastest; with `decode` (asked
    for 'auto') also time one row through int8 and fp32, and keep fp32 throughout where int8
    decodes no faster. A few milliseconds in all."""
    if not choice.probe:
        return choice
    import torch

    w = weight.detach().float()
    x = torch.randn(rows, w.shape[1])
    timings: dict[str, float] = {}
    with torch.inference_mode():
        for kind in choice.probe:
            dtype = torch.bfloat16 if kind == "bf16" else torch.float32
            wd, xd = w.to(dtype), x.to(dtype)
            timings[kind] = _best(lambda: (xd @ wd.T).float())  # noqa: B023 (called at once)
        if decode:  # one row: int8 weights read by the decode kernel, or fp32's matvec
            scale = (w.abs().amax(dim=1) / 127).clamp(min=1e-12)
            q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
            row, s16 = x[:1].to(torch.bfloat16), scale.to(torch.bfloat16)
            timings["int8 decode"] = _best(lambda: torch._weight_int8pack_mm(row, q, s16))
            timings["fp32 decode"] = _best(lambda: x[:1] @ w.T)
    best = min(choice.probe, key=timings.__getitem__)
    measured = ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in timings.items())
    quantize = choice.quantize
    if decode and timings["fp32 decode"] < timings["int8 decode"]:
        quantize = "none"  # int8 gains nothing here: fp32 throughout, the better quality
    return KernelChoice(quantize, best, f"{choice.reason}; probed {measured}")


def _best(fn: Callable[[], object], repeats: int = 3) -> float:
    fn()  # first call: allocations, oneDNN's kernel build
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def resolve(quantize: str, weight: torch.Tensor) -> KernelChoice:
    """Detect, choose, probe where in doubt (on `weight`, a matrix of the model), and log
    the choice (once per model load)."""
    caps = detect()
    choice = probe(choose_kernels(caps, quantize), weight, decode=quantize == "auto")
    log.info("local decoder on %s: %s", caps.describe(), choice.describe())
    return choice
