"""Weight-only int8 linear layers for the local decoder (bot/fastlm.py): one scale per
output channel; the prompt's matrix product runs in fp32 or bf16 on weights dequantised
once, or as an int8 product with a few outlier input channels kept in fp32 (bot/kernels.py
picks which for the CPU).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

OUTLIERS = 16  # input channels per matrix that the int8 prefill keeps in fp32


class Int8Linear(nn.Module):
    """Weight-only int8 (one scale per output channel).

    Quantizing only the weights keeps SmolLM2's greedy tokens 97% the same as fp32 along
    fp32's own replies, where dynamic quantization (int8 activations too) kept 64-77%
    (bench/llm_bench.py measures the replies themselves).

    A few rows (decoding) are read straight from int8 by `torch._weight_int8pack_mm`, with
    16-bit activations: bandwidth is the cost there. More rows (a prompt) are a matrix
    product whose arithmetic is the cost, run on the weights dequantised once to `prefill`
    (bf16 where the CPU has native bf16, else fp32: bot.kernels chooses), or with
    `prefill="int8"` as an int8 product (`torch._int_mm`) on the same int8 weights:
    activations quantised per token, except the few input channels `set_outliers` names
    (SmolLM2's activations have a handful of channels far larger than the rest, which
    would take a per-token scale's whole range), multiplied in fp32. With `cache` False
    (the output head, which prefill feeds one row) fp32/bf16 weights are dequantised per
    call."""

    q: torch.Tensor
    scale: torch.Tensor

    def __init__(self, weight: torch.Tensor, prefill: str = "bf16", cache: bool = True) -> None:
        super().__init__()
        if prefill not in ("bf16", "fp32", "int8"):
            raise ValueError(f"prefill must be 'bf16', 'fp32' or 'int8', got {prefill!r}")
        w = weight.detach().float()
        scale = (w.abs().amax(dim=1) / 127).clamp(min=1e-12)
        self.register_buffer("q", torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale.to(torch.bfloat16))
        self.packed = hasattr(torch, "_weight_int8pack_mm")
        self.int8 = prefill == "int8" and cache
        self.dtype = torch.bfloat16 if prefill == "bf16" else torch.float32
        self.wide: torch.Tensor | None = self._dequantised() if cache and not self.int8 else None
        self.outliers = torch.empty(0, dtype=torch.long)  # input channels kept in fp32
        self.keep = torch.ones(w.shape[1])  # 0 at the outlier channels
        self.w_out = torch.empty(w.shape[0], 0)  # their weight columns, dequantised

    def _dequantised(self) -> torch.Tensor:
        # the bf16 product of bf16 values, rounded to bf16, as the 16-bit kernel computes it
        return (self.q.float() * self.scale.float()[:, None]).to(self.dtype)

    def set_outliers(self, channels: torch.Tensor) -> None:
        """Input channels the int8 prefill multiplies in fp32 instead (from a calibration
        run, LeanDecoder.calibrate)."""
        self.outliers = channels.to(torch.long).sort().values
        self.keep = torch.ones(self.q.shape[1])
        self.keep[self.outliers] = 0.0
        cols = self.q[:, self.outliers].float() * self.scale.float()[:, None]
        self.w_out = cols.t().contiguous()  # (outliers, out)

    def _int8_product(self, flat: torch.Tensor) -> torch.Tensor:
        x = flat.float()
        inner = x * self.keep
        sx = (inner.abs().amax(dim=1, keepdim=True) / 127).clamp(min=1e-12)
        xq = torch.round(inner / sx).to(torch.int8)
        y = torch._int_mm(xq, self.q.t()).float() * (sx * self.scale.float())
        if self.outliers.numel():
            y = y + x[:, self.outliers] @ self.w_out
        return y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])
        if self.packed and flat.shape[0] <= 8:  # decoding: read int8, the bandwidth-bound case
            y = torch._weight_int8pack_mm(flat.to(torch.bfloat16), self.q, self.scale)
        elif self.int8:  # prefill as an int8 product (no fp32 or bf16 copy of the weights)
            y = self._int8_product(flat)
        else:  # prefill is compute-bound: a matrix product on dequantised weights
            wide = self.wide if self.wide is not None else self._dequantised()
            y = flat.to(self.dtype) @ wide.T
        return y.float().view(*x.shape[:-1], -1)


def find_outliers(mods: list[Int8Linear], run: Callable[[], object], outliers: int) -> None:
    """Call `run` (a sample prompt through the model) with `mods` multiplying in fp32 on
    their dequantised weights, and give each int8-prefill matrix the `outliers` input
    channels with the largest activations seen (`Int8Linear.set_outliers`)."""
    peaks: dict[int, torch.Tensor] = {}

    def record(mod: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        peak = args[0].reshape(-1, args[0].shape[-1]).abs().amax(dim=0)
        peaks[id(mod)] = torch.maximum(peaks.get(id(mod), peak), peak)

    hooks = [m.register_forward_pre_hook(record) for m in mods]
    modes = [m.int8 for m in mods]
    try:
        for m in mods:
            m.int8 = False  # the fp32 product of the dequantised weights
        run()
    finally:
        for h in hooks:
            h.remove()
        for m, mode in zip(mods, modes, strict=True):
            m.int8 = mode
    for m in mods:
        if m.int8:
            m.set_outliers(peaks[id(m)].topk(min(outliers, peaks[id(m)].numel())).indices)


def weight_of(module: nn.Module) -> torch.Tensor:
    weight = module.weight
    assert isinstance(weight, torch.Tensor)
    return weight


def weight_bytes(modules: nn.Module) -> int:
    """Bytes of matrix weights read per decoded token (int8 weights count one byte each)."""
    total = 0
    for mod in modules.modules():
        if isinstance(mod, nn.Linear):
            total += weight_of(mod).numel() * weight_of(mod).element_size()
        elif isinstance(mod, Int8Linear):
            total += mod.q.numel() + mod.scale.numel() * mod.scale.element_size()
    return total
