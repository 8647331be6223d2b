"""Greedy (and batched sampled) decoding for Llama-family chat models on CPU, without
per-step framework overhead.

SmolLM2-135M is small enough that, on two CPU cores, transformers' `generate` spends more
time in Python (cache objects, masks, logits processors, 7 separate projections per layer)
than in reading the weights. `LeanDecoder` runs the same arithmetic with:

- fused projections: q/k/v as one matrix and gate/up as one matrix (4 matmuls per layer
  instead of 7), optionally int8 weights (one scale per output channel, lm_head included;
  bot.kernels picks the prompt's matrix kernel for the CPU: fp32 or bf16 on weights
  dequantised once, or an int8 product calibrated on a sample prompt);
- a preallocated key/value cache written in place (no concatenation per token);
- a prefix cache: the keys and values of recent prompts are kept, and a new prompt that
  starts with the same tokens (the system prompt and chat template on every request, the
  earlier turns of a conversation) only prefills what is new;
- a prompt read on the cores idle when it starts (bot.kernels.threads_for_prompt), decoding
  on the server's one thread per model call;
- prompt lookup: the next few tokens are guessed from where the last ones occurred before
  (replies quote their passages) and checked in the same pass as the next token;
- batched sampling: `sample` draws several replies side by side, one batch per step (the
  grounding check's second try, bot.grounding).

It gives the same greedy tokens as transformers in fp32 (tests/bot/test_llm.py) and falls
back to `generate` for architectures it does not know (`LeanDecoder.supports`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from bot.int8_linear import OUTLIERS, Int8Linear, find_outliers, weight_bytes, weight_of
from bot.kernels import threads_for_prompt
from bot.prefix_cache import PrefixCache
from bot.token_picking import lookup, nucleus

PARALLEL_PROMPT = 32  # new prompt tokens from which a prefill may take more threads


@dataclass
class _Layer:
    ln1: torch.Tensor
    qkv: nn.Module
    o: nn.Module
    ln2: torch.Tensor
    gate_up: nn.Module
    down: nn.Module


def _mats(layer: _Layer) -> list[nn.Module]:
    return [layer.qkv, layer.o, layer.gate_up, layer.down]


def _linear(weight: torch.Tensor) -> nn.Linear:
    lin = nn.Linear(weight.shape[1], weight.shape[0], bias=False, device="meta")
    lin.weight = nn.Parameter(weight.detach(), requires_grad=False)  # shares the storage
    return lin


class LeanDecoder:
    """Greedy decoding of a transformers Llama-family causal LM (fp32 or int8 weights)."""

    def __init__(
        self,
        model: Any,
        quantize: str = "none",
        prefix_slots: int = 8,
        lookahead: int = 0,
        prefill: str = "bf16",
        calibration: Sequence[int] = (),
        outliers: int = OUTLIERS,
        prompt_threads: int = 0,
    ) -> None:
        if not self.supports(model):
            raise ValueError(f"LeanDecoder supports Llama-family models, not {type(model)}")
        cfg = model.config
        self.hidden = cfg.hidden_size
        self.n_heads = cfg.num_attention_heads
        self.n_kv = cfg.num_key_value_heads
        self.head_dim = getattr(cfg, "head_dim", None) or self.hidden // self.n_heads
        self.eps = float(cfg.rms_norm_eps)
        base = model.model
        self.embed = base.embed_tokens.weight.detach()
        self.norm = base.norm.weight.detach()
        modules = nn.ModuleList()
        self.layers: list[_Layer] = []
        for layer in base.layers:
            a, m = layer.self_attn, layer.mlp
            qkv = _linear(torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight]))
            gate_up = _linear(torch.cat([m.gate_proj.weight, m.up_proj.weight]))
            o, down = _linear(a.o_proj.weight), _linear(m.down_proj.weight)
            modules.extend([qkv, o, gate_up, down])
            self.layers.append(
                _Layer(
                    layer.input_layernorm.weight.detach(),
                    qkv,
                    o,
                    layer.post_attention_layernorm.weight.detach(),
                    gate_up,
                    down,
                )
            )
        head: nn.Module = _linear(model.get_output_embeddings().weight)
        modules.append(head)
        if quantize == "int8":
            for layer in self.layers:
                layer.qkv = Int8Linear(weight_of(layer.qkv), prefill)
                layer.o = Int8Linear(weight_of(layer.o), prefill)
                layer.gate_up = Int8Linear(weight_of(layer.gate_up), prefill)
                layer.down = Int8Linear(weight_of(layer.down), prefill)
            head = Int8Linear(weight_of(head), prefill, cache=False)
            modules = nn.ModuleList([m for layer in self.layers for m in _mats(layer)] + [head])
        elif quantize != "none":
            raise ValueError(f"quantize must be 'none' or 'int8', got {quantize!r}")
        self.head = head
        self.quantize = quantize
        self.prefill = prefill if quantize == "int8" else "fp32"
        theta = _rope_theta(cfg)
        self.inv_freq = 1.0 / (
            theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim)
        )
        self._tables = (torch.empty(0, self.head_dim), torch.empty(0, self.head_dim))
        self.prefixes = PrefixCache(prefix_slots)
        self.weight_bytes = weight_bytes(modules)  # the embedding lookup reads one row only
        self.reused_tokens = 0  # prefix-cache hits, for benchmarks and tests
        self.lookahead = lookahead  # tokens guessed by prompt lookup per pass (0: off)
        self.prompt_threads = prompt_threads  # 0: the idle cores (bot.kernels.prompt_threads)
        self.prompts_on: Counter[int] = Counter()  # prompts read, by threads: for benchmarks
        self.drafted = self.accepted = 0  # guessed and kept tokens, for benchmarks and tests
        if self.prefill == "int8":
            if len(calibration) < 2:
                raise ValueError("an int8 prefill needs calibration tokens (a sample prompt)")
            self.calibrate(calibration, outliers)

    @staticmethod
    def supports(model: Any) -> bool:
        """Llama-style decoder: RMSNorm, rotary positions without scaling, SiLU MLP, no biases."""
        cfg = getattr(model, "config", None)
        if cfg is None or getattr(cfg, "model_type", None) not in ("llama", "mistral", "qwen2"):
            return False
        if getattr(cfg, "model_type", None) == "qwen2" or getattr(cfg, "attention_bias", False):
            return False  # q/k/v biases
        if getattr(cfg, "mlp_bias", False) or getattr(cfg, "hidden_act", "silu") != "silu":
            return False
        if getattr(cfg, "sliding_window", None):
            return False
        rope = getattr(cfg, "rope_parameters", None) or getattr(cfg, "rope_scaling", None) or {}
        if rope.get("rope_type", rope.get("type", "default")) != "default":
            return False
        return _rope_theta(cfg) > 0 and hasattr(model, "model")

    # -- arithmetic ------------------------------------------------------------------------

    def _rope(self, start: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        cos, sin = self._tables  # one attribute, swapped whole: safe beside other threads
        if cos.shape[0] < start + n:
            size = max(2 * cos.shape[0], start + n, 512)
            freqs = torch.outer(torch.arange(size, dtype=torch.float32), self.inv_freq)
            emb = torch.cat([freqs, freqs], dim=-1)
            cos, sin = emb.cos(), emb.sin()
            self._tables = (cos, sin)
        return cos[start : start + n], sin[start : start + n]

    def _norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    @staticmethod
    def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rotated * sin

    def _forward(
        self, ids: torch.Tensor, start: int, kv: torch.Tensor, every: bool = False
    ) -> torch.Tensor:
        """Run tokens `ids` (1-D) at positions start.. and write their keys/values into `kv`;
        return the logits of the last one (of every one with `every`)."""
        n = ids.shape[0]
        end = start + n
        x = F.embedding(ids, self.embed).unsqueeze(0)  # (1, n, hidden)
        cos, sin = self._rope(start, n)
        h, g, d = self.n_heads, self.n_kv, self.head_dim
        mask = None
        if n > 1 and start > 0:  # query i sees keys 0 .. start + i (the cached prefix and itself)
            mask = torch.ones(n, end, dtype=torch.bool).tril(diagonal=start)
        for i, layer in enumerate(self.layers):
            y = self._norm(x, layer.ln1)
            q, k, v = layer.qkv(y).split([h * d, g * d, g * d], dim=-1)
            q = self._rotate(q.view(1, n, h, d).transpose(1, 2), cos, sin)
            k = self._rotate(k.view(1, n, g, d).transpose(1, 2), cos, sin)
            kv[i, 0, :, start:end] = k[0]
            kv[i, 1, :, start:end] = v.view(n, g, d).transpose(0, 1)
            keys, values = kv[i, 0, :, :end], kv[i, 1, :, :end]
            if n == 1:  # one new token: plain grouped attention beats the fused kernel's setup
                qg = q.view(g, h // g, d)  # query heads grouped by the key/value head they share
                w = torch.softmax((qg @ keys.transpose(1, 2)) * d**-0.5, dim=-1)
                att = (w @ values).view(1, h, 1, d)
            else:
                att = F.scaled_dot_product_attention(
                    q,
                    keys.unsqueeze(0),
                    values.unsqueeze(0),
                    attn_mask=mask,
                    is_causal=mask is None,
                    enable_gqa=True,
                )
            x = x + layer.o(att.transpose(1, 2).reshape(1, n, h * d))
            y = self._norm(x, layer.ln2)
            gate, up = layer.gate_up(y).chunk(2, dim=-1)
            x = x + layer.down(F.silu(gate) * up)
        x = self._norm(x[0] if every else x[:, -1], self.norm)
        return self.head(x) if every else self.head(x)[0]

    def _prefill(self, ids: torch.Tensor, start: int, kv: torch.Tensor) -> torch.Tensor:
        """A prompt's new tokens, on as many threads as bot.kernels.threads_for_prompt gives."""
        if ids.shape[0] < PARALLEL_PROMPT:
            return self._forward(ids, start, kv)
        with threads_for_prompt(self.prompt_threads) as n:
            self.prompts_on[n] += 1
            return self._forward(ids, start, kv)

    @torch.inference_mode()
    def logits(self, ids: Sequence[int], decode_from: int | None = None) -> torch.Tensor:
        """Next-token logits after every prefix of `ids` (n, vocab): for quality checks. All
        tokens go through as one prompt (prefill's kernels), or with `decode_from` the first
        ones do and the rest one at a time (decoding's kernels, as `generate` runs them)."""
        t = torch.as_tensor(list(ids), dtype=torch.long)
        kv = torch.empty(len(self.layers), 2, self.n_kv, t.shape[0], self.head_dim)
        if decode_from is None or decode_from >= t.shape[0]:
            return self._forward(t, 0, kv, every=True)
        if decode_from < 1:
            raise ValueError(f"decode_from must be >= 1, got {decode_from}")
        rows = [self._forward(t[:decode_from], 0, kv, every=True)]
        rows += [self._forward(t[i : i + 1], i, kv, every=True) for i in range(decode_from, len(t))]
        return torch.cat(rows)

    @torch.inference_mode()
    def calibrate(self, ids: Sequence[int], outliers: int = OUTLIERS) -> None:
        """Give each matrix of the int8 prefill the `outliers` input channels with the
        largest activations on `ids` (a sample prompt), which it then multiplies in fp32."""
        t = torch.as_tensor(list(ids), dtype=torch.long)
        kv = torch.empty(len(self.layers), 2, self.n_kv, t.shape[0], self.head_dim)
        mods = [m for layer in self.layers for m in _mats(layer) if isinstance(m, Int8Linear)]
        find_outliers(mods, lambda: self._forward(t, 0, kv), outliers)

    # -- decoding --------------------------------------------------------------------------

    @torch.inference_mode()
    def generate(
        self,
        prompt_ids: Sequence[int],
        max_new_tokens: int,
        eos_ids: Sequence[int],
        lookahead: int | None = None,
    ) -> Iterator[int]:
        """Yield greedy tokens after `prompt_ids` until an end token or `max_new_tokens`.

        With `lookahead` > 0 (default: the decoder's), tokens are guessed by prompt lookup:
        the last few tokens written are looked up earlier in the prompt and reply, and what
        followed there is checked in the same forward pass as the next token. A grounded
        reply quotes its passages often, and checking several tokens costs about one pass
        (each pass reads the weights once), so several tokens can come out of one pass. A
        guess is kept only where the model's greedy choice agrees, so the reply is the greedy
        one (in fp32 token for token; int8 products round to 16 bits, which can differ by
        the number of tokens in a pass, so a near-tie may break the other way)."""
        ids = torch.as_tensor(list(prompt_ids), dtype=torch.long)
        if ids.numel() == 0:
            raise ValueError("the prompt has no tokens")
        k_max = self.lookahead if lookahead is None else max(0, lookahead)
        kv = torch.empty(
            len(self.layers), 2, self.n_kv, ids.shape[0] + max_new_tokens + k_max + 1, self.head_dim
        )
        shared, cached = self.prefixes.best(ids)
        if cached is not None:
            kv[:, :, :, :shared] = cached.kv[:, :, :, :shared]
            self.reused_tokens += shared
        seq = ids.tolist()
        pending = [int(self._prefill(ids[shared:], shared, kv).argmax())]
        stop = set(eos_ids)
        produced = 0
        try:
            while True:
                for token in pending:
                    if token in stop or produced >= max_new_tokens:
                        return
                    produced += 1
                    seq.append(token)
                    yield token
                if produced >= max_new_tokens:
                    return
                draft = lookup(seq, min(k_max, max_new_tokens - produced - 1))
                feed = torch.tensor([seq[-1], *draft])
                if not draft:
                    pending = [int(self._forward(feed, len(seq) - 1, kv).argmax())]
                    continue
                best = self._forward(feed, len(seq) - 1, kv, every=True).argmax(-1).tolist()
                kept = 0
                while kept < len(draft) and best[kept] == draft[kept]:
                    kept += 1
                pending = [*draft[:kept], best[kept]]
                self.drafted += len(draft)
                self.accepted += kept
        finally:  # also when the caller stops early (a stop string): keep what was computed
            self.prefixes.remember(torch.tensor(seq[:-1], dtype=torch.long), kv)

    @torch.inference_mode()
    def sample(
        self,
        prompt_ids: Sequence[int],
        n: int,
        max_new_tokens: int,
        eos_ids: Sequence[int],
        temperature: float = 0.7,
        top_p: float = 0.9,
        seed: int = 0,
        finished: Callable[[list[int]], bool] | None = None,
    ) -> list[list[int]]:
        """`n` sampled continuations of `prompt_ids` (temperature, then nucleus `top_p`),
        decoded side by side: the prompt is prefilled once (from the prefix cache where it
        can) and each step runs the `n` next tokens as one batch, so on CPU, where reading
        the weights is the cost, `n` replies take little longer than one. A sequence ends
        at an end token, at `max_new_tokens`, or when `finished(tokens)` says so (a stop
        string); the same `seed` gives the same replies."""
        if n <= 0:
            raise ValueError(f"n must be > 0, got {n}")
        if temperature <= 0 or not 0.0 < top_p <= 1.0:
            raise ValueError(
                f"temperature must be > 0 and top_p in (0, 1], got {temperature}, {top_p}"
            )
        ids = torch.as_tensor(list(prompt_ids), dtype=torch.long)
        if ids.numel() == 0:
            raise ValueError("the prompt has no tokens")
        size = ids.shape[0] + max_new_tokens + 1
        kv1 = torch.empty(len(self.layers), 2, self.n_kv, size, self.head_dim)
        shared, cached = self.prefixes.best(ids)
        if cached is not None:
            kv1[:, :, :, :shared] = cached.kv[:, :, :, :shared]
            self.reused_tokens += shared
        logits = self._prefill(ids[shared:], shared, kv1).expand(n, -1)
        # (layers, 2, n, kv_heads, positions, head_dim): every sequence starts from the prompt
        kv = kv1.unsqueeze(2).repeat(1, 1, n, 1, 1, 1)
        gen = torch.Generator().manual_seed(seed)
        stop = set(eos_ids)
        out: list[list[int]] = [[] for _ in range(n)]
        live = [True] * n
        pos = ids.shape[0]
        for _ in range(max_new_tokens):
            tokens = nucleus(logits, temperature, top_p, gen)
            for i, t in enumerate(tokens.tolist()):
                if not live[i]:
                    continue
                if t in stop:
                    live[i] = False
                    continue
                out[i].append(t)
                if finished is not None and finished(out[i]):
                    live[i] = False
            if not any(live):
                break
            logits = self._step(tokens, pos, kv)
            pos += 1
        return out

    def _step(self, tokens: torch.Tensor, pos: int, kv: torch.Tensor) -> torch.Tensor:
        """One token for each of a batch of sequences, all at position `pos`; writes their
        keys/values into `kv` (layers, 2, batch, kv_heads, positions, head_dim) and returns
        the next-token logits (batch, vocab)."""
        b = tokens.shape[0]
        h, g, d = self.n_heads, self.n_kv, self.head_dim
        end = pos + 1
        x = F.embedding(tokens, self.embed)  # (b, hidden)
        cos, sin = self._rope(pos, 1)
        for i, layer in enumerate(self.layers):
            y = self._norm(x, layer.ln1)
            q, k, v = layer.qkv(y).split([h * d, g * d, g * d], dim=-1)
            q = self._rotate(q.view(b, h, d), cos, sin)
            kv[i, 0, :, :, pos] = self._rotate(k.view(b, g, d), cos, sin)
            kv[i, 1, :, :, pos] = v.view(b, g, d)
            keys, values = kv[i, 0, :, :, :end], kv[i, 1, :, :, :end]  # (b, g, end, d)
            qg = q.view(b, g, h // g, d)  # query heads grouped by the key/value head they share
            w = torch.softmax((qg @ keys.transpose(-1, -2)) * d**-0.5, dim=-1)
            x = x + layer.o((w @ values).reshape(b, h * d))
            y = self._norm(x, layer.ln2)
            gate, up = layer.gate_up(y).chunk(2, dim=-1)
            x = x + layer.down(F.silu(gate) * up)
        return self.head(self._norm(x, self.norm))


def _rope_theta(cfg: Any) -> float:
    rope = getattr(cfg, "rope_parameters", None) or {}
    return float(rope.get("rope_theta", getattr(cfg, "rope_theta", 0.0)) or 0.0)
