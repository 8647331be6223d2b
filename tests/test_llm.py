"""SmolLM2 from its PyPI package: converted once to safetensors, behind LangChain's BaseChatModel."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

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

    chat = LocalChatModel.load(llm_dir, max_new_tokens=8, quantize="int8")
    linear = [m for m in chat._model.modules() if isinstance(m, torch.nn.Linear)]
    assert not linear  # every linear layer was swapped for its int8 version
    pieces = [str(c.content) for c in chat.stream([HumanMessage("Say hello.")])]
    assert "".join(pieces).strip()
    with pytest.raises(ValueError, match="quantize must be"):
        LocalChatModel.load(llm_dir, quantize="fp4")
