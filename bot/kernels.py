"""Which matrix kernels the local decoder uses, chosen by what this CPU runs well.

SmolLM2's int8 weights are read by two kinds of matrix products: decoding (one to a few
rows per pass: reading the weights is the cost, so int8 wins) and prefill (hundreds of
prompt tokens at once: arithmetic is the cost). Prefill's best kernel depends on the CPU:

- with native bf16 (AVX-512 BF16 or AMX): bf16 products on weights dequantised once;
- AVX2 or AVX-512 without bf16: bf16 is emulated there and about 6x slower than fp32, and
  int8 products (`torch._int_mm`) run at nearly twice fp32's rate, so the prompt is
  multiplied in int8 on the same int8 weights: activations quantised per token, the few
  input channels SmolLM2's activations peak on (found on a sample prompt at load) in fp32.
  On the bot's prompts it keeps fp32's next token as often as an fp32 prompt kernel does
  (97%), with no fp32 copy of the weights;
- anything else (no AVX2, another architecture): a short probe times the candidates.

'int8-fp32' and 'int8-bf16' force a prompt kernel on weights dequantised once
(docs/benchmarks.md, "Generator decoding per CPU", has each one's speed and agreement).

    caps = detect()                       # CpuCaps from torch and /proc/cpuinfo
    choice = choose_kernels(caps, "auto")  # pure: the table in tests/bot/test_kernels.py
    if choice.probe: choice = probe(choice, sample_weight)

Detection honours ATen's and oneDNN's own limits (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA),
so a machine told to use AVX2 only is treated as an AVX2 machine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

QUANTIZE = ("auto", "none", "int8", "int8-bf16", "int8-fp32", "int8-int8")
# prefill kernels for int8 weights: dequantised once to fp32 or bf16, or an int8 product
PREFILL = ("fp32", "bf16", "int8")
PROBED = ("fp32", "bf16", "int8")  # timed where the CPU is not one the table knows
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
    if "avx2" in caps.flags:  # bf16 would be emulated; int8 products run at full width
        return KernelChoice("int8", "int8", f"{caps.isa}, no native bf16")
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
            if kind == "int8":  # where the CPU has no int8 product, it is not a candidate
                timings[kind] = _int8_timing(w, x)
                continue
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


def _int8_timing(w: torch.Tensor, x: torch.Tensor) -> float:
    """Seconds for the int8 prompt product of `x` by `w` (quantising `x` included), or
    infinity where torch has no int8 product for this CPU."""
    import torch

    def product() -> object:
        sx = x.abs().amax(dim=1, keepdim=True) / 127
        return torch._int_mm(torch.round(x / sx).to(torch.int8), q.t()).float() * sx

    q = torch.round(w / (w.abs().amax(dim=1, keepdim=True) / 127)).to(torch.int8)
    try:
        return _best(product)
    except (RuntimeError, NotImplementedError):
        return float("inf")


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


# -- threads for a prompt ----------------------------------------------------------------


@cache
def usable_cores() -> int:
    """CPUs this process may run on: its affinity, less a cgroup (v2) quota below that
    (read once: every prompt asks)."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def runnable_now(reads: int = 3, gap_s: float = 0.001) -> int | None:
    """Threads runnable on the machine now (/proc/loadavg's fourth field, the caller's own
    thread included): the fewest of up to `reads` reads `gap_s` apart, stopping at 1 (the
    caller alone), so a thread that runs for a moment (a tokenizer's worker finishing) is
    not taken for a busy core; None where unreadable."""
    least: int | None = None
    for i in range(max(1, reads)):
        if i:
            time.sleep(gap_s)
        try:
            now = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return least
        least = now if least is None else min(least, now)
        if least <= 1:
            break
    return least


def prompt_threads(setting: int, base: int, cores: int, runnable: int | None) -> int:
    """Threads for one prompt's prefill, the first of any read at the same time; pure.

    `setting` > 0 is the operator's fixed choice. 0 (auto) spreads the prompt over the
    cores that are idle at this instant: `cores` usable, `runnable` threads on the machine
    (this one included), never fewer than `base` (the server's threads per model call).
    A prompt is one large product per layer, so two idle cores take it in about half the
    time; a core another job is running on would make both threads wait on it (p95 several
    times worse, docs/benchmarks.md), so busy cores are left alone, and where the machine's
    load cannot be read the server's own count is kept."""
    if setting > 0:
        return setting
    if runnable is None:
        return base
    return max(base, min(cores, cores - runnable + 1))


_prompts = {"active": 0, "base": 0}  # prompts being read now; the thread count before them
_prompts_lock = threading.Lock()


@contextmanager
def threads_for_prompt(setting: int = 0) -> Iterator[int]:
    """Run the block (a prompt's prefill) on `prompt_threads` threads, then restore the
    count. torch's thread count is the process's, so a second prompt read at the same time
    puts it back to the count before them (one thread each, as the server is configured)
    and the last one to finish restores it."""
    import torch

    with _prompts_lock:
        if _prompts["active"] == 0:
            _prompts["base"] = torch.get_num_threads()
            n = prompt_threads(setting, _prompts["base"], usable_cores(), runnable_now())
        else:
            n = _prompts["base"]
        _prompts["active"] += 1
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
    try:
        yield n
    finally:
        with _prompts_lock:
            _prompts["active"] -= 1
            if _prompts["active"] == 0 and torch.get_num_threads() != _prompts["base"]:
                torch.set_num_threads(_prompts["base"])
