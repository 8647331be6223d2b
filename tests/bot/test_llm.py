"""SmolLM2 from its PyPI package: converted once to safetensors, behind LangChain's BaseChatModel."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from bot.answerer import Answerer
from bot.llm import LocalChatModel
from retrieval.retriever import KnowledgeRetriever
from shopmate.models import SMOLLM2_DIR, prepare_llm
from shopmate.wiring import KNOWLEDGE


@pytest.fixture(scope="module")
def llm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_llm(tmp_path_factory.mktemp("models"))


def test_conversion_happens_once(llm_dir: Path) -> None:
    assert llm_dir.name == SMOLLM2_DIR
    assert (llm_dir / "model.safetensors").exists() and (llm_dir / "tokenizer.json").exists()
    assert not [
        p for p in llm_dir.parent.iterdir() if p.name.startswith(".smollm2-")
    ]  # no temp left
    t = time.perf_counter()
    assert prepare_llm(llm_dir.parent) == llm_dir
    assert time.perf_counter() - t < 1.0  # second call only checks the folder


def test_local_chat_model_generates_and_streams(llm_dir: Path) -> None:
    chat = LocalChatModel.load(llm_dir, max_new_tokens=12)
    out = chat.invoke([HumanMessage("What is the capital of France? Answer in one word.")])
    assert "Paris" in str(out.content)
    chunks = [str(c.content) for c in chat.stream([HumanMessage("Say hello.")])]
    assert len(chunks) > 1 and "".join(chunks).strip()


def test_generated_answers_cite_or_fall_back(llm_dir: Path, services) -> None:  # type: ignore[no-untyped-def]
    chat = LocalChatModel.load(llm_dir, max_new_tokens=80)
    answerer = Answerer(
        services.embedder,
        KnowledgeRetriever(services.embedder, services.store, KNOWLEDGE),
        chat_model=chat,
    )
    a = answerer.answer("How many days do I have to return an item?")
    assert a.grounded and a.citations
    assert a.method in {"generated", "extractive"}
    if a.method == "generated":
        assert "[" in a.text  # it cited a passage


def test_int8_quantized_model_still_streams_a_reply(llm_dir: Path) -> None:
    import torch

    chat = LocalChatModel.load(llm_dir, max_new_tokens=8, quantize="int8", decoder="transformers")
    linear = [m for m in chat._model.modules() if isinstance(m, torch.nn.Linear)]
    assert not linear  # every linear layer was swapped for its int8 version
    pieces = [str(c.content) for c in chat.stream([HumanMessage("Say hello.")])]
    assert "".join(pieces).strip()
    with pytest.raises(ValueError, match="quantize must be"):
        LocalChatModel.load(llm_dir, quantize="fp4")
    with pytest.raises(ValueError, match="decoder must be"):
        LocalChatModel.load(llm_dir, decoder="vllm")


SYSTEM = "You answer shop questions from the numbered passages and cite them like [1]."
PROMPTS = [
    [
        SystemMessage(SYSTEM),
        HumanMessage(
            "Passages:\n[1] Returns are accepted within 30 days.\n\nQuestion: can I return boots?"
        ),
    ],
    [
        SystemMessage(SYSTEM),
        HumanMessage(
            "Passages:\n[1] Shipping is free over $50.\n\nQuestion: what does shipping cost?"
        ),
    ],
]


def _hf_greedy(chat: LocalChatModel, messages: list, n: int) -> list[int]:  # type: ignore[type-arg]
    import torch

    enc = chat._inputs(messages)
    with torch.inference_mode():
        out = chat._model.generate(**enc, max_new_tokens=n, do_sample=False, pad_token_id=2)
    return [t for t in out[0, enc["input_ids"].shape[1] :].tolist() if t != 2]


def test_lean_decoder_gives_transformers_greedy_tokens_and_reuses_prefixes(llm_dir: Path) -> None:
    reference = LocalChatModel.load(llm_dir, decoder="transformers")
    lean = LocalChatModel.load(llm_dir)
    assert lean._lean is not None and lean._model is None
    decoder = lean._lean
    for messages in PROMPTS:  # the second shares the system prompt and template with the first
        ids = lean._inputs(messages)["input_ids"][0].tolist()
        assert list(decoder.generate(ids, 24, [2])) == _hf_greedy(reference, messages, 24)
    assert decoder.reused_tokens >= 20  # the shared system prompt was not prefilled again
    # a reply continued from a reused prefix equals one decoded from scratch
    fresh = LocalChatModel.load(llm_dir)._lean
    ids = lean._inputs(PROMPTS[1])["input_ids"][0].tolist()
    before = decoder.reused_tokens
    assert list(decoder.generate(ids, 24, [2])) == list(fresh.generate(ids, 24, [2]))
    assert decoder.reused_tokens - before == len(ids) - 1  # all but the last prompt token
    # requests served at the same time share the decoder and get the tokens they would alone
    from concurrent.futures import ThreadPoolExecutor

    prompts = [lean._inputs(m)["input_ids"][0].tolist() for m in PROMPTS]
    alone = [list(fresh.generate(p, 16, [2])) for p in prompts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda p: list(decoder.generate(p, 16, [2])), prompts * 2))
    assert together == alone * 2
    # prompt lookup (on by default) gives the one-token-at-a-time greedy reply in fp32
    decoder.drafted = decoder.accepted = 0
    for p in prompts:
        assert list(decoder.generate(p, 40, [], lookahead=4)) == list(
            decoder.generate(p, 40, [], lookahead=0)
        )
    assert decoder.drafted > 0 and decoder.accepted > 0


def test_lean_stream_stops_at_stop_strings_and_int8_reads_a_quarter(llm_dir: Path) -> None:
    import torch

    from bot.int8_linear import Int8Linear

    fp32 = LocalChatModel.load(llm_dir, max_new_tokens=40)
    int8 = LocalChatModel.load(llm_dir, max_new_tokens=40, quantize="int8")
    assert fp32.weight_bytes and int8.weight_bytes
    assert 0.24 < int8.weight_bytes / fp32.weight_bytes < 0.27
    for chat in (fp32, int8):
        text = "".join(str(c.content) for c in chat.stream(PROMPTS[0], stop=["\n"]))
        assert text.strip() and "\n" not in text
    w = torch.randn(64, 32)
    x = torch.randn(3, 32)
    err = (Int8Linear(w)(x) - x @ w.T).abs().max() / (x @ w.T).abs().max()
    assert err < 0.02  # weight-only int8: within 2% of the fp32 product
    with pytest.raises(ValueError, match="no tokens"):
        list(fp32._lean.generate([], 4, [2]))


def test_batched_sampling_matches_greedy_when_cold_and_repeats_by_seed(llm_dir: Path) -> None:
    """`sample` decodes n replies as one batch: at a near-zero temperature every row is the
    greedy reply (so the batched step computes what the one-sequence step does), the same
    seed gives the same replies, and stop strings cut each reply."""
    chat = LocalChatModel.load(llm_dir, max_new_tokens=24)
    decoder = chat._lean
    assert decoder is not None
    ids = chat._inputs(PROMPTS[0])["input_ids"][0].tolist()
    greedy = list(decoder.generate(ids, 24, [2], lookahead=0))
    assert decoder.sample(ids, 3, 24, [2], temperature=1e-4, seed=5) == [greedy] * 3
    warm = [decoder.sample(ids, 4, 24, [2], seed=s) for s in (1, 1, 2)]
    assert warm[0] == warm[1] and warm[0] != warm[2]
    assert len({tuple(t) for t in warm[0]}) > 1  # the rows are drawn independently
    texts = chat.sample(PROMPTS[0], 4, stop=["\n"], seed=1)
    assert len(texts) == 4 and all("\n" not in t for t in texts)
    assert any(t.strip() for t in texts)
    with pytest.raises(ValueError, match="temperature"):
        decoder.sample(ids, 2, 4, [2], temperature=0.0)
    with pytest.raises(ValueError, match="n must be"):
        decoder.sample(ids, 0, 4, [2])


def test_a_remote_model_is_sampled_one_request_per_seed() -> None:
    """The second try asks an OpenAI-compatible server n times, sampled and seeded; the
    first (greedy) request stays at temperature 0."""
    from bot.llm import sample_replies
    from bot.remote_llm import OpenAICompatibleChatModel
    from tests.fake_openai import fake_openai_server

    with fake_openai_server() as (url, requests):
        chat = OpenAICompatibleChatModel(base_url=url)
        chat.invoke([HumanMessage("hi")])
        texts = sample_replies(chat, [HumanMessage("hi")], 3, stop=["\n"], seed=10)
    assert len(texts) == 3 and all(texts)
    assert requests[0]["temperature"] == 0 and "seed" not in requests[0]
    assert [r["seed"] for r in requests[1:]] == [10, 11, 12]
    assert {(r["temperature"], r["top_p"], tuple(r["stop"])) for r in requests[1:]} == {
        (0.7, 0.9, ("\n",))
    }
