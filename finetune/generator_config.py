"""The generator's training recipe, apart from its training code so that the CLI can show and
use the same defaults without importing the training stack at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Target = Literal["grounded", "reference"]
Order = Literal["retrieval", "shuffled"]


@dataclass
class GeneratorTrainConfig:
    kb: Path  # kb.jsonl the questions cite
    train: Path  # questions with evidence_ids and reference answers
    base: Path  # the causal LM folder (SmolLM2-135M-Instruct converted by prepare_llm)
    out: Path = Path("var/models/generator")  # artifact folder (adapter/ inside)
    passages: int = 3  # passages per prompt (the bot shows up to 3): gold + distractors
    # when set, each prompt shows k = 1..len(passage_mix) passages with these weights (as the
    # bot's judge hands over 1-3 contenders); `passages` is then ignored
    passage_mix: tuple[float, ...] = ()
    order: Order = "retrieval"  # retrieval: by the ranker's cosine, as served; shuffled: random
    # sentence-transformers folder that orders them (the CLI: MiniLM); order "retrieval" needs it
    ranker: Path | None = None
    # reference: the shop's own answer, as written; grounded: the reference if the grounding
    # check keeps it, else the gold passage's best words. Reference replies read like the
    # shop's answers and score higher; the ones the check rejects get second tries, then the
    # quote (docs/benchmarks.md, "Fine-tuned QA")
    target: Target = "reference"
    max_examples: int = 0  # triples trained on (0: all)
    epochs: int = 1
    max_steps: int = -1  # stop after this many optimizer steps (-1: epochs decide)
    max_minutes: float = 18.0  # stop training after this many minutes (0: no cap)
    batch_size: int = 8
    lr: float = 1e-3  # LoRA learns fast; the base weights never change
    rank: int = 8  # LoRA rank
    alpha: int = 16  # LoRA scaling numerator
    dropout: float = 0.05
    target_modules: tuple[str, ...] = (
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
    )  # fmt: skip
    lora_layers: int = 16  # adapt only the top N of SmolLM2's 30 layers (0: all)
    bf16: bool = True  # bfloat16 autocast for forward/backward (CPUs with avx512_bf16: ~4x)
    max_length: int = 384  # tokens per example; longer prompts are dropped
    holdout: float = 0.1  # share of questions held out for the before/after checks
    max_holdout: int = 64  # held-out triples scored (teacher-forced loss, cheap)
    gen_check: int = 40  # held-out questions answered by base and tuned model (0: skip)
    seed: int = 0
