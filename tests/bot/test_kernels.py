"""The local decoder's kernels: chosen by what the CPU offers, and every choice keeps int8's
quality (fp32's greedy tokens, or close to them)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from langchain_core.messages import HumanMessage, SystemMessage

from bot.kernels import (
    CpuCaps,
    KernelChoice,
    choose_kernels,
    detect,
    probe,
    prompt_threads,
    runnable_now,
    threads_for_prompt,
    usable_cores,
)
from bot.llm import LocalChatModel
from shopmate.models import prepare_llm

XEON_FLAGS = {"avx2", "fma3", "avx512_f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_bf16"}
CPUS = {  # name: capability record as bot.kernels.detect() builds it
    "Xeon with AMX (this machine)": CpuCaps("Xeon", "AVX512", frozenset(XEON_FLAGS), True),
    "the same Xeon limited to AVX2": CpuCaps("Xeon", "AVX2", frozenset({"avx2", "fma3"}), False),
    "EPYC Zen 3 (AVX2 only)": CpuCaps("EPYC 7B13", "AVX2", frozenset({"avx2", "fma3"}), False),
    "Alder Lake laptop (AVX2 + VNNI)": CpuCaps(
        "i7-1260P", "AVX2", frozenset({"avx2", "fma3", "avx_vnni"}), False
    ),
    "Skylake-SP (AVX-512, bf16 emulated)": CpuCaps(
        "Xeon Gold 6148", "AVX512", frozenset({"avx2", "fma3", "avx512_f"}), True
    ),
    "Cascade Lake (AVX-512 VNNI, no bf16)": CpuCaps(
        "Xeon 8275CL", "AVX512", frozenset({"avx2", "fma3", "avx512_f", "avx512_vnni"}), True
    ),
    "EPYC Zen 4 (AVX-512 bf16)": CpuCaps(
        "EPYC 9B14", "AVX512", frozenset({"avx2", "fma3", "avx512_f", "avx512_bf16"}), True
    ),
    "Graviton 3 (Arm SVE)": CpuCaps("Neoverse-V1", "SVE256", frozenset(), False),
    "old x86 without AVX2": CpuCaps("Xeon E5-2670", "DEFAULT", frozenset(), False),
}


@pytest.mark.parametrize(
    ("cpu", "quantize", "want"),
    [
        ("Xeon with AMX (this machine)", "auto", ("int8", "bf16", ())),
        ("Xeon with AMX (this machine)", "int8", ("int8", "bf16", ())),
        ("EPYC Zen 4 (AVX-512 bf16)", "auto", ("int8", "bf16", ())),
        ("the same Xeon limited to AVX2", "auto", ("int8", "int8", ())),
        ("EPYC Zen 3 (AVX2 only)", "auto", ("int8", "int8", ())),
        ("EPYC Zen 3 (AVX2 only)", "int8", ("int8", "int8", ())),
        ("Alder Lake laptop (AVX2 + VNNI)", "auto", ("int8", "int8", ())),
        ("Skylake-SP (AVX-512, bf16 emulated)", "auto", ("int8", "int8", ())),
        ("Cascade Lake (AVX-512 VNNI, no bf16)", "auto", ("int8", "int8", ())),
        ("Graviton 3 (Arm SVE)", "auto", ("int8", "fp32", ("fp32", "bf16", "int8"))),
        ("old x86 without AVX2", "auto", ("int8", "fp32", ("fp32", "bf16", "int8"))),
        # explicit settings win whatever the CPU
        ("EPYC Zen 3 (AVX2 only)", "none", ("none", "fp32", ())),
        ("Xeon with AMX (this machine)", "none", ("none", "fp32", ())),
        ("EPYC Zen 3 (AVX2 only)", "int8-bf16", ("int8", "bf16", ())),
        ("Xeon with AMX (this machine)", "int8-fp32", ("int8", "fp32", ())),
        ("Graviton 3 (Arm SVE)", "int8-bf16", ("int8", "bf16", ())),
        ("the same Xeon limited to AVX2", "int8-int8", ("int8", "int8", ())),
        ("Xeon with AMX (this machine)", "int8-int8", ("int8", "int8", ())),
    ],
)
def test_kernel_choice_by_cpu(
    cpu: str, quantize: str, want: tuple[str, str, tuple[str, ...]]
) -> None:
    choice = choose_kernels(CPUS[cpu], quantize)
    assert (choice.quantize, choice.prefill, choice.probe) == want
    assert choice.reason


def test_kernel_choice_refuses_unknown_settings() -> None:
    with pytest.raises(ValueError, match="quantize must be one of auto, none, int8"):
        choose_kernels(CPUS["EPYC Zen 3 (AVX2 only)"], "int4")


def test_probe_settles_a_doubtful_choice_on_this_cpu() -> None:
    doubtful = choose_kernels(CPUS["Graviton 3 (Arm SVE)"], "auto")
    w = torch.randn(256, 128)
    settled = probe(doubtful, w, rows=16)
    assert settled.probe == () and settled.prefill in ("fp32", "bf16", "int8")
    assert "probed" in settled.reason and "fp32" in settled.reason
    both = probe(doubtful, w, rows=16, decode=True)  # 'auto' may keep fp32 throughout
    assert both.quantize in ("int8", "none") and "int8 decode" in both.reason
    sure = KernelChoice("int8", "bf16", "native bf16")
    assert probe(sure, w) is sure  # nothing to time


def test_detect_reads_this_cpu_and_honours_an_avx2_limit() -> None:
    caps = detect()
    assert caps.isa == torch.backends.cpu.get_cpu_capability()
    assert caps.model and caps.describe().startswith(caps.model)
    code = (
        "from bot.kernels import detect, choose_kernels; c = detect(); "
        "print(c.isa, ','.join(sorted(c.flags)), c.native_bf16, choose_kernels(c).prefill)"
    )
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    if caps.isa in ("AVX2", "AVX512"):  # an x86 machine: told AVX2, it is an AVX2 machine
        isa, flags, native_bf16, prefill = out
        assert isa == "AVX2" and "avx2" in flags.split(",")
        assert not [f for f in flags.split(",") if f.startswith(("avx512", "amx"))]
        assert (native_bf16, prefill) == ("False", "int8")


def test_int8_prefill_runs_in_the_chosen_type_on_weights_dequantised_once() -> None:
    """A prompt (more than 8 rows) is multiplied in fp32 or bf16 on weights dequantised at
    load; a few rows (decoding) read the int8 weights directly."""
    from bot.int8_linear import Int8Linear

    w, x = torch.randn(96, 64), torch.randn(20, 64)
    fp32, bf16 = Int8Linear(w, "fp32"), Int8Linear(w, "bf16")
    dequantised = fp32.q.float() * fp32.scale.float()[:, None]
    assert fp32.wide is not None and fp32.wide.dtype == torch.float32
    assert torch.equal(fp32.wide, dequantised)
    assert torch.allclose(fp32(x), x @ dequantised.T, atol=1e-5)  # no bf16 rounding on the way
    assert bf16.wide is not None and bf16.wide.dtype == torch.bfloat16
    assert not torch.allclose(bf16(x), x @ dequantised.T, atol=1e-5)  # bf16 activations
    assert torch.allclose(bf16(x), x @ dequantised.T, rtol=0.05, atol=0.05)
    assert torch.equal(fp32(x[:2]), bf16(x[:2]))  # decoding: the same int8 kernel
    head = Int8Linear(w, "fp32", cache=False)
    assert head.wide is None and torch.allclose(head(x), fp32(x))
    with pytest.raises(ValueError, match="prefill must be"):
        Int8Linear(w, "fp8")


def test_int8_prefill_keeps_outlier_channels_in_fp32() -> None:
    """The int8 prompt kernel quantises each token's activations to int8, except the input
    channels named outliers, which it multiplies in fp32: one large channel then no longer
    takes the int8 range of the others."""
    from bot.int8_linear import Int8Linear

    torch.manual_seed(0)
    w, x = torch.randn(96, 64), torch.randn(20, 64)
    x[:, 5] *= 200.0  # one channel far larger than the rest, as in SmolLM2's activations
    lin = Int8Linear(w, "int8")
    assert lin.wide is None  # no fp32 or bf16 copy of the weights
    exact = x @ (lin.q.float() * lin.scale.float()[:, None]).T
    plain = (lin(x) - exact).abs().max()
    lin.set_outliers(torch.tensor([5]))
    split = (lin(x) - exact).abs().max()
    assert split < plain / 10, (float(split), float(plain))
    assert torch.allclose(lin(x), exact, rtol=0.02, atol=0.1 * float(exact.abs().mean()))
    fp32 = Int8Linear(w, "fp32")
    assert torch.equal(lin(x[:2]), fp32(x[:2]))  # decoding: the same int8 kernel


# -- every choice keeps int8's quality --------------------------------------------------

SYSTEM = "You answer shop questions from the numbered passages and cite them like [1]."
PROMPTS = [
    [SystemMessage(SYSTEM), HumanMessage(f"Passages:\n[1] {p}\n\nQuestion: {q}")]
    for p, q in (
        ("Returns are accepted within 30 days of delivery.", "can I return boots?"),
        ("Shipping is free on orders over £50; otherwise £4.95.", "what does shipping cost?"),
        ("The Ridge tent is waterproof to 3000 mm and weighs 2.1 kg.", "how heavy is the tent?"),
    )
]


@pytest.fixture(scope="module")
def llm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_llm(tmp_path_factory.mktemp("models"))


@pytest.fixture
def one_thread() -> Iterator[None]:
    """One torch thread, as the server runs the model (SHOPMATE_TORCH_THREADS)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("one_thread")
def test_every_kernel_choice_keeps_fp32s_greedy_tokens(llm_dir: Path) -> None:
    """Along fp32's own greedy replies, each choice's next token is fp32's: exactly for fp32,
    for int8 (every prefill kernel; the prompt's kernel and the decoding kernel) at least 90%
    of the time (docs/benchmarks.md measures 95-97% on the demo shop's prompts)."""
    fp32 = LocalChatModel.load(llm_dir, quantize="none")
    ref = fp32._lean
    assert ref is not None and ref.quantize == "none"
    seqs = []
    for messages in PROMPTS:
        prompt = fp32._inputs(messages)["input_ids"][0].tolist()
        reply = list(ref.generate(prompt, 12, [2], lookahead=0))
        assert list(ref.generate(prompt, 12, [2], lookahead=3)) == reply  # prompt lookup too
        seqs.append((prompt, reply, ref.logits(prompt + reply)[len(prompt) - 1 : -1].argmax(-1)))
    tested = ("int8-fp32", "int8-bf16", "int8-int8")
    assert f"int8-{choose_kernels(detect(), 'auto').prefill}" in tested  # the default is one
    for quantize in tested:
        lean = LocalChatModel.load(llm_dir, quantize=quantize)._lean
        assert lean is not None and lean.prefill == quantize.removeprefix("int8-")
        same = total = 0
        for prompt, reply, want in seqs:
            seq = prompt + reply
            for start in (None, len(prompt)):  # all as one prompt; the reply decoded
                got = lean.logits(seq, decode_from=start)[len(prompt) - 1 : -1].argmax(-1)
                same += int((got == want).sum())
                total += len(reply)
        assert same / total >= 0.9, (quantize, same / total)


@pytest.mark.parametrize(
    ("setting", "base", "cores", "runnable", "want"),
    [
        (0, 1, 2, 1, 2),  # a quiet 2-core machine: this thread alone runs, both cores read
        (0, 1, 2, 2, 1),  # another job holds a core: one thread, never waiting on it
        (0, 1, 2, 6, 1),  # a busy machine
        (0, 1, 8, 3, 6),  # eight cores, two busy elsewhere: the six idle ones
        (0, 1, 2, None, 1),  # load unreadable: the server's own count
        (0, 2, 2, 9, 2),  # never fewer than the server's threads per call
        (3, 1, 2, 9, 3),  # the operator's fixed count, whatever the load
    ],
)
def test_a_prompt_takes_the_cores_that_are_idle(
    setting: int, base: int, cores: int, runnable: int | None, want: int
) -> None:
    assert prompt_threads(setting, base, cores, runnable) == want


def test_this_machine_is_read_and_the_thread_count_restored(one_thread: None) -> None:
    """The load and cores are readable here, and a prompt's threads are given back after it,
    also when it fails."""
    cores, runnable = usable_cores(), runnable_now()
    assert cores >= 1 and runnable is not None and runnable >= 1
    with threads_for_prompt(2) as n:
        assert n == 2 and torch.get_num_threads() == 2
    assert torch.get_num_threads() == 1
    with pytest.raises(RuntimeError), threads_for_prompt(2):
        raise RuntimeError("a prompt that fails")
    assert torch.get_num_threads() == 1
    # two prompts at once (torch's count is the process's): one thread each while both
    # run, and the count before them once the last one ends
    with threads_for_prompt(2) as first:
        assert first == 2
        with threads_for_prompt(2) as second:
            assert second == 1 and torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 1


@pytest.mark.usefixtures("one_thread")
def test_a_prompt_on_more_threads_gives_the_same_greedy_tokens(llm_dir: Path) -> None:
    """Reading the prompt on two threads instead of one changes nothing a shopper sees."""
    chat = LocalChatModel.load(llm_dir, quantize="auto")
    lean = chat._lean
    assert lean is not None
    replies = {}
    for threads in (1, 2):
        lean.prompt_threads = threads
        lean.prefixes.clear()
        replies[threads] = [
            list(lean.generate(chat._inputs(m)["input_ids"][0].tolist(), 12, [2])) for m in PROMPTS
        ]
    assert replies[1] == replies[2]
