"""Fine-tuning the generator: LoRA (peft) on SmolLM2-135M-Instruct for grounded, cited replies.

Each training triple is (question, numbered passages -> reference answer citing the
gold passages): the gold evidence plus BM25 distractors, shuffled, in exactly the
prompt the bot uses in serving (`bot.grounding.prompt_messages`); the target is the
reference answer followed by the numbers of the gold passages, e.g. "it has three
motors. [2]". Only the answer tokens are learned (the prompt is masked). The held-out
questions give a teacher-forced loss before and after.

    path = train_generator(GeneratorTrainConfig(kb=..., train=..., base=prepare_llm(models_dir)))
    LocalChatModel.load(base, adapter=path / "adapter")

What we traded for CPU: LoRA rank 8 on the attention's q and v projections of the top
`lora_layers` layers only (the backward pass stops there), at most `max_examples`
triples, passages cut to 80 words.
"""

from __future__ import annotations

import logging
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from bot.grounding import prompt_messages
from bot.llm import to_openai_messages
from finetune.matcher import _parent, finish_artifact
from finetune.qa_data import QAData, QAExample, bm25_negatives
from retrieval.chunking import Passage

log = logging.getLogger(__name__)


@dataclass
class GeneratorTrainConfig:
    kb: Path  # kb.jsonl the questions cite
    train: Path  # questions with evidence_ids and reference answers
    base: Path  # the causal LM folder (SmolLM2-135M-Instruct converted by prepare_llm)
    out: Path = Path("var/models/generator")  # artifact folder (adapter/ inside)
    passages: int = 3  # passages per prompt: gold evidence first, then BM25 distractors
    max_examples: int = 256  # triples trained on (CPU budget); 0: all
    epochs: int = 1
    max_steps: int = -1  # stop after this many optimizer steps (-1: epochs decide)
    batch_size: int = 8
    lr: float = 5e-4  # LoRA learns fast; the base weights never change
    rank: int = 8  # LoRA rank
    alpha: int = 16  # LoRA scaling numerator
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    lora_layers: int = 8  # adapt only the top N of SmolLM2's 30 layers (0: all)
    max_length: int = 384  # tokens per example; longer prompts are dropped
    holdout: float = 0.1  # share of questions held out for the before/after loss
    max_holdout: int = 64  # held-out triples scored (teacher-forced loss, cheap)
    seed: int = 0


def triples(
    questions: Sequence[QAExample],
    by_id: dict[str, Passage],
    negatives: dict[str, list[str]],
    n_passages: int,
    seed: int,
) -> list[tuple[str, list[str], str]]:
    """(question, passages, target) with the gold passages cited in the target."""
    rng = random.Random(seed)
    out = []
    for q in questions:
        if not q.answer:
            continue
        gold = list(q.evidence_ids[: n_passages - 1]) if n_passages > 1 else [q.evidence_ids[0]]
        ids = gold + [p for p in negatives.get(q.id, []) if p not in gold]
        ids = ids[:n_passages]
        rng.shuffle(ids)
        marks = " ".join(f"[{i}]" for i, p in enumerate(ids, 1) if p in gold)
        out.append((q.question, [by_id[p].text for p in ids], f"{q.answer} {marks}"))
    return out


def encode_example(
    tokenizer: Any, question: str, passages: list[str], target: str
) -> tuple[list[int], list[int]]:
    """(input ids, labels) with the prompt masked out of the labels (-100)."""
    prompt = tokenizer.apply_chat_template(
        to_openai_messages(prompt_messages(question, passages)),
        add_generation_prompt=True,
        tokenize=False,
    )
    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    t_ids = tokenizer(target + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    return p_ids + t_ids, [-100] * len(p_ids) + t_ids


def _batches(rows: list[tuple[list[int], list[int]]], size: int, pad: int) -> list[dict[str, Any]]:
    import torch

    out = []
    for i in range(0, len(rows), size):
        chunk = rows[i : i + size]
        n = max(len(x) for x, _ in chunk)
        ids = torch.full((len(chunk), n), pad, dtype=torch.long)
        labels = torch.full((len(chunk), n), -100, dtype=torch.long)
        mask = torch.zeros((len(chunk), n), dtype=torch.long)
        for j, (x, y) in enumerate(chunk):
            ids[j, : len(x)] = torch.tensor(x)
            labels[j, : len(y)] = torch.tensor(y)
            mask[j, : len(x)] = 1
        out.append({"input_ids": ids, "labels": labels, "attention_mask": mask})
    return out


def mean_loss(model: Any, batches: list[dict[str, Any]]) -> float:
    """Teacher-forced loss per answer token over the batches."""
    import torch

    total, tokens = 0.0, 0
    model.eval()
    with torch.inference_mode():
        for b in batches:
            n = int((b["labels"][:, 1:] != -100).sum())
            total += float(model(**b).loss) * n
            tokens += n
    return total / max(tokens, 1)


def train_generator(cfg: GeneratorTrainConfig, progress: bool = True) -> Path:
    """LoRA-tune the generator and write the artifact folder; returns it."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if cfg.passages <= 0 or cfg.batch_size <= 0 or cfg.rank <= 0:
        raise ValueError("passages, batch_size and rank must be > 0")
    data = QAData.load(cfg.kb, cfg.train, need_answers=True)
    train_q, held = data.split(cfg.holdout, cfg.seed)
    rng = random.Random(cfg.seed)
    if cfg.max_examples and len(train_q) > cfg.max_examples:
        train_q = rng.sample(train_q, cfg.max_examples)
    held = held[: cfg.max_holdout]
    negs = bm25_negatives(data.passages, [*train_q, *held], cfg.passages, seed=cfg.seed)
    tok = AutoTokenizer.from_pretrained(str(cfg.base), local_files_only=True)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    def encoded(qs: Sequence[QAExample], seed: int) -> list[tuple[list[int], list[int]]]:
        rows = [encode_example(tok, *t) for t in triples(qs, data.by_id, negs, cfg.passages, seed)]
        return [r for r in rows if len(r[0]) <= cfg.max_length]

    train_rows, held_rows = encoded(train_q, cfg.seed), encoded(held, cfg.seed + 1)
    if not train_rows:
        raise ValueError(f"no training triple fits in max_length={cfg.max_length} tokens")

    torch.manual_seed(cfg.seed)
    base_model = AutoModelForCausalLM.from_pretrained(str(cfg.base), local_files_only=True)
    n_layers = int(base_model.config.num_hidden_layers)
    lora = LoraConfig(
        r=cfg.rank,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=list(cfg.target_modules),
        layers_to_transform=list(range(n_layers - cfg.lora_layers, n_layers))
        if 0 < cfg.lora_layers < n_layers
        else None,
        task_type="CAUSAL_LM",
    )
    model: Any = get_peft_model(base_model, lora)
    held_batches = _batches(held_rows, cfg.batch_size, pad)
    metrics: dict[str, Any] = {
        "n_examples": len(train_rows),
        "n_holdout": len(held_rows),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }
    if held_batches:
        metrics["holdout_loss_before"] = mean_loss(model, held_batches)

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    steps_per_epoch = -(-len(train_rows) // cfg.batch_size)
    total = cfg.max_steps if cfg.max_steps > 0 else steps_per_epoch * cfg.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, total // 10)) * max(0.0, 1 - s / total)
    )
    losses: list[float] = []
    t0 = time.perf_counter()
    step = 0
    bar = tqdm(total=total, desc="LoRA on the generator", disable=not progress)
    while step < total:
        order = list(range(len(train_rows)))
        rng.shuffle(order)
        for b in _batches([train_rows[i] for i in order], cfg.batch_size, pad):
            model.train()
            loss = model(**b).loss
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            losses.append(float(loss))
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
            if step >= total:
                break
    bar.close()
    metrics["train_s"] = round(time.perf_counter() - t0, 1)
    metrics["steps"] = step
    metrics["loss_first"], metrics["loss_last"] = losses[0], sum(losses[-5:]) / len(losses[-5:])
    if held_batches:
        metrics["holdout_loss_after"] = mean_loss(model, held_batches)
    tmp = Path(tempfile.mkdtemp(prefix=".generator-", dir=_parent(cfg.out)))
    try:
        model.save_pretrained(str(tmp / "adapter"))
        finish_artifact(tmp, cfg, metrics)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("generator adapter written to %s: %s", cfg.out, metrics)
    return cfg.out
