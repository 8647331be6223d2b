"""Fine-tuning the generator: LoRA (peft) on SmolLM2-135M-Instruct for grounded, cited replies.

Each training triple is (question, numbered passages -> a short answer citing the gold
passage): the gold evidence plus distractors (other passages of the same product, then
BM25 hits), the two the retriever's encoder ranks highest, numbered in that encoder's
order as the bot's retriever numbers them (or shuffled: `order="shuffled"`), in exactly
the prompt the bot uses in serving (`bot.grounding.prompt_messages`). By default
(`target="reference"`) the model learns the shop's own answer as written, citing the gold
passage ("this is for use indoors only. [1]"). Those answers often paraphrase beyond the
passage, so some replies fail the bot's grounding check; in serving they get second tries
and then the quoted passage, and the ones that pass read like the shop's answers and
score higher than replies trained on the check-safe `target="grounded"`: the reference
when the check would keep it ("it has three motors. [2]"), otherwise the words of the
gold passage closest to the reference answers, after its yes/no ("Yes, works good on
cooked clay [2]"; docs/benchmarks.md, "Fine-tuned QA"). Only the answer tokens are learned
(the prompt is masked, and the vocabulary projection runs on answer positions only). The
held-out questions give a teacher-forced loss before and after, and a generation check:
greedy replies of the base and the tuned model through the bot's `Answerer.reply_from`, scored
for token-F1 and citation precision.

    minilm = minilm_path()  # shopmate.models: the packaged MiniLM folder (the CLI passes it)
    cfg = GeneratorTrainConfig(kb=..., train=..., base=prepare_llm(models_dir), ranker=minilm)
    path = train_generator(cfg)
    LocalChatModel.load(base, adapter=path / "adapter")

What we trade for CPU: LoRA rank 8 on the top `lora_layers` layers only (the backward
pass stops there), forward and backward under bfloat16 autocast (the LoRA weights and
AdamW stay float32), and a wall-clock cap `max_minutes` on training: the learning rate
decays with whichever runs out first, steps or minutes.
"""

from __future__ import annotations

import logging
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from bot.grounding import (
    MAX_PASSAGE_WORDS,
    check,
    clip_passage,
    content_words,
    passage_words,
    prompt_messages,
)
from bot.passage_text import readable
from bot.remote_llm import to_openai_messages
from finetune.generator_config import GeneratorTrainConfig, Target
from finetune.matcher import _parent, finish_artifact
from finetune.qa_data import QAData, QAExample, distractors
from finetune.qa_metrics import normalise, token_f1
from retrieval.chunking import Passage

log = logging.getLogger(__name__)
_JSONISH = re.compile(r'[{}"]+')  # attribute passages are JSON-like; spans drop the braces


@dataclass(frozen=True)
class Triple:
    question: str
    passages: list[str]  # as numbered in the prompt
    target: str  # the reply to learn, citations included
    gold: list[int]  # 0-based positions of the gold evidence in `passages`
    answers: list[str]  # the reference answers (for token-F1)


def _f1(pred: Counter[str], n_pred: int, gold: Counter[str], n_gold: int) -> float:
    common = sum((pred & gold).values())
    return 0.0 if common == 0 else 2 * common / (n_pred + n_gold)


def grounded_answer(
    answers: Sequence[str], passages: Sequence[str], gold: Sequence[int], max_span: int = 30
) -> tuple[str, list[int]]:
    """(answer text, cited positions) the grounding check keeps: the first reference that
    passes it with one gold passage (or all of them) cited, else the span of a gold
    passage's first words with the best token-F1 against the references, after the
    reference's leading yes/no."""
    for ref in answers:
        for cite in [[g] for g in gold] + ([list(gold)] if len(gold) > 1 else []):
            marks = " ".join(f"[{i + 1}]" for i in cite)
            if check(f"{ref} {marks}", passages).ok:
                return ref, cite
    refs = [(Counter(t), len(t)) for t in (normalise(a) for a in answers) if t]
    lead = next((t[0] for t in (normalise(a) for a in answers) if t), "")
    prefix = lead.capitalize() + ", " if lead in ("yes", "no") else ""
    best, best_f, best_g = "", -1.0, list(gold[:1])
    for g in gold:
        words = passages[g].split()[:MAX_PASSAGE_WORDS]
        norm = [normalise(w) for w in words]
        for i in range(len(words)):
            if prefix and normalise(words[i])[:1] == [lead]:
                continue  # the span would repeat the yes/no
            bag: Counter[str] = Counter(normalise(prefix))
            n = sum(bag.values())
            for j in range(i, min(len(words), i + max_span)):
                bag.update(norm[j])
                n += len(norm[j])
                f = max((_f1(bag, n, c, m) for c, m in refs), default=0.0)
                longer = f == best_f and j + 1 - i > len(best.split())  # ties: more context
                if (f > best_f or longer) and content_words(" ".join(words[i : j + 1])):
                    best, best_f, best_g = " ".join(words[i : j + 1]), f, [g]
    if prefix and max((_f1(Counter([lead]), 1, c, m) for c, m in refs), default=0.0) >= best_f:
        return prefix.rstrip(", ") + ".", best_g  # "Yes." beats any span
    text = (prefix + best) if best else passages[best_g[0]]
    clean = " ".join(_JSONISH.sub(" ", text).split()).rstrip(" ,;:")
    return (clean if clean and check(clean + " [1]", [passages[best_g[0]]]).ok else text), best_g


Similarity = Callable[[QAExample, list[str]], list[float]]


def cosine_ranker(
    encoder_path: Path, passages: Sequence[Passage], questions: Sequence[QAExample]
) -> Similarity:
    """(question, passage ids) -> cosine similarities under a sentence-transformers model,
    every text encoded once up front."""
    from retrieval.embedder import Embedder

    emb = Embedder(encoder_path)
    pv = emb.encode([p.text for p in passages])
    qv = emb.encode([q.question for q in questions])
    row = {p.id: i for i, p in enumerate(passages)}
    qrow = {q.id: i for i, q in enumerate(questions)}

    def sims(q: QAExample, ids: list[str]) -> list[float]:
        return [float(pv[row[i]] @ qv[qrow[q.id]]) for i in ids]

    return sims


def triples(
    questions: Sequence[QAExample],
    by_id: dict[str, Passage],
    negatives: dict[str, list[str]],
    n_passages: int,
    seed: int,
    target: Target = "grounded",
    similarity: Similarity | None = None,
    mix: Sequence[float] = (),
) -> list[Triple]:
    """(question, passages -> cited answer) triples; see `grounded_answer`. With `mix`, each
    question's prompt shows k passages, k = 1..len(mix) drawn with those weights.

    Without `similarity` the gold passage(s) and the first distractors are shuffled. With
    it, the prompt shows the gold passage(s) and the distractors the ranker likes best,
    in the ranker's order, as the bot's retriever would number them: the model learns
    that [1] is usually right, and when to prefer another passage."""
    rng = random.Random(seed)
    out = []
    sizes = list(range(1, len(mix) + 1))
    for q in questions:
        if not q.answer:
            continue
        if mix:
            n_passages = rng.choices(sizes, weights=mix)[0]
        gold = list(q.evidence_ids[: max(1, n_passages - 1)])
        others = [p for p in negatives.get(q.id, []) if p not in gold]
        if similarity is None:
            ids = (gold + others)[:n_passages]
            rng.shuffle(ids)
        else:
            pool = gold + others
            score = dict(zip(pool, similarity(q, pool), strict=True))
            others.sort(key=lambda p: -score[p])
            ids = sorted(gold + others[: max(0, n_passages - len(gold))], key=lambda p: -score[p])
        # as the bot shows them: readable, each cut to its place's words
        texts = [
            clip_passage(readable(by_id[p].text), q.question, passage_words(k))
            for k, p in enumerate(ids)
        ]
        pos = [i for i, p in enumerate(ids) if p in gold]
        answers = list(q.answers) or [q.answer]
        text, cite = (
            grounded_answer(answers, texts, pos) if target == "grounded" else (q.answer, pos)
        )
        marks = " ".join(f"[{i + 1}]" for i in cite)
        out.append(Triple(q.question, texts, f"{text} {marks}", pos, answers))
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


def _bucketed(rows: list[Any], size: int, rng: random.Random) -> list[Any]:
    """Shuffled rows, sorted by length within pools of 16 batches (less padding), the
    batches in random order."""
    order = rows[:]
    rng.shuffle(order)
    pool = size * 16
    chunks = []
    for i in range(0, len(order), pool):
        part = sorted(order[i : i + pool], key=lambda r: len(r[0]))
        chunks += [part[j : j + size] for j in range(0, len(part), size)]
    rng.shuffle(chunks)
    return [r for c in chunks for r in c]


def answer_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Mean cross-entropy over the answer tokens; logits only where a label is set."""
    import torch

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = lm.get_decoder()(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    labels = batch["labels"][:, 1:]
    keep = labels != -100
    logits = lm.get_output_embeddings()(hidden[:, :-1][keep])
    return torch.nn.functional.cross_entropy(logits.float(), labels[keep])


def _autocast(on: bool) -> Any:
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16) if on else nullcontext()


def mean_loss(model: Any, batches: list[dict[str, Any]], bf16: bool = False) -> float:
    """Teacher-forced loss per answer token over the batches."""
    import torch

    total, tokens = 0.0, 0
    model.eval()
    with torch.inference_mode(), _autocast(bf16):
        for b in batches:
            n = int((b["labels"][:, 1:] != -100).sum())
            total += float(answer_loss(model, b)) * n
            tokens += n
    return total / max(tokens, 1)


def generation_check(
    base: Path,
    adapter: Path | None,
    rows: Sequence[Triple],
    embedder: Path,
    max_new_tokens: int = 64,
) -> dict[str, float]:
    """Greedy replies written as the bot writes them (`Answerer.reply_from`: first line,
    grounding check, second tries, the quote from `embedder` as fallback): token-F1 after
    the check, raw token-F1, citation precision against the gold positions, and the
    fallback rate."""
    from bot.answerer import Answerer
    from bot.grounding import default_second_tries
    from bot.llm import LocalChatModel
    from retrieval.embedder import Embedder
    from retrieval.store import Hit

    chat = LocalChatModel.load(base, max_new_tokens, adapter=adapter)
    # as the bot serves each: a fine-tuned generator gets sampled second tries, the base none
    tries = default_second_tries(fine_tuned=adapter is not None)
    writer = Answerer(Embedder(embedder), None, chat_model=chat, second_tries=tries)
    f1, raw_f1, prec, fell = [], [], [], 0
    for t in rows:
        hits = [Hit(str(i), text, 1.0, {}, 1.0) for i, text in enumerate(t.passages)]
        r = writer.reply_from(t.question, hits)
        cited = [int(c.id) for c in r.citations]
        f1.append(token_f1(r.text, t.answers))
        raw_f1.append(token_f1(r.raw, t.answers))
        prec.append(sum(c in t.gold for c in cited) / len(cited) if cited else 0.0)
        fell += r.method != "generated"
        log.debug("%s -> %r (%s)", t.question, r.raw, r.method)
    n = max(len(rows), 1)
    return {
        "token_f1": sum(f1) / n,
        "raw_token_f1": sum(raw_f1) / n,
        "citation_precision": sum(prec) / n,
        "fallback_rate": fell / n,
    }


def train_generator(cfg: GeneratorTrainConfig, progress: bool = True) -> Path:
    """LoRA-tune the generator and write the artifact folder; returns it."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if cfg.passages <= 0 or cfg.batch_size <= 0 or cfg.rank <= 0:
        raise ValueError("passages, batch_size and rank must be > 0")
    if cfg.passage_mix and (min(cfg.passage_mix) < 0 or sum(cfg.passage_mix) <= 0):
        raise ValueError(
            f"passage_mix must be non-negative weights of 1, 2, ... passages, got {cfg.passage_mix}"
        )
    most = len(cfg.passage_mix) or cfg.passages
    if cfg.target not in ("grounded", "reference"):
        raise ValueError(f"target must be 'grounded' or 'reference', got {cfg.target!r}")
    if cfg.order not in ("retrieval", "shuffled"):
        raise ValueError(f"order must be 'retrieval' or 'shuffled', got {cfg.order!r}")
    if cfg.order == "retrieval" and cfg.ranker is None:
        raise ValueError("order 'retrieval' needs a ranker (a sentence-transformers folder)")
    data = QAData.load(cfg.kb, cfg.train, need_answers=True)
    train_q, held = data.split(cfg.holdout, cfg.seed)
    rng = random.Random(cfg.seed)
    if cfg.max_examples and len(train_q) > cfg.max_examples:
        train_q = rng.sample(train_q, cfg.max_examples)
    held = held[: max(cfg.max_holdout, cfg.gen_check)]
    # retrieval order picks the distractors from a deeper pool, as a retriever would
    pool = most if cfg.order == "shuffled" else max(8, 3 * most)
    negs = distractors(data.passages, [*train_q, *held], pool, seed=cfg.seed)
    similarity = None
    if cfg.order == "retrieval" and cfg.ranker is not None:
        similarity = cosine_ranker(cfg.ranker, data.passages, [*train_q, *held])
    tok = AutoTokenizer.from_pretrained(str(cfg.base), local_files_only=True)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    def encoded(ts: list[Triple]) -> list[tuple[list[int], list[int]]]:
        rows = [encode_example(tok, t.question, t.passages, t.target) for t in ts]
        return [r for r in rows if len(r[0]) <= cfg.max_length]

    train_t = triples(
        train_q, data.by_id, negs, most, cfg.seed, cfg.target, similarity, cfg.passage_mix
    )
    held_t = triples(
        held, data.by_id, negs, most, cfg.seed + 1, cfg.target, similarity, cfg.passage_mix
    )
    train_rows, held_rows = encoded(train_t), encoded(held_t[: cfg.max_holdout])
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
        "target_is_reference": sum(t.target.startswith(t.answers[0]) for t in train_t)
        / len(train_t),
    }
    if held_batches:
        metrics["holdout_loss_before"] = mean_loss(model, held_batches, cfg.bf16)

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    steps_per_epoch = -(-len(train_rows) // cfg.batch_size)
    total = cfg.max_steps if cfg.max_steps > 0 else steps_per_epoch * cfg.epochs
    budget = cfg.max_minutes * 60.0
    warmup = max(1, total // 10)
    losses: list[float] = []
    t0 = time.perf_counter()
    step, done = 0, 0.0
    bar = tqdm(total=total, desc="LoRA on the generator", disable=not progress)
    while done < 1.0:
        for b in _batches(_bucketed(train_rows, cfg.batch_size, rng), cfg.batch_size, pad):
            for g in opt.param_groups:  # warm-up, then linear decay to 0 over steps or minutes
                g["lr"] = cfg.lr * min(1.0, (step + 1) / warmup) * (1.0 - done)
            model.train()
            with _autocast(cfg.bf16):
                loss = answer_loss(model, b)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            losses.append(float(loss.detach()))
            step += 1
            elapsed = time.perf_counter() - t0
            done = max(step / total, elapsed / budget if budget > 0 else 0.0)
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
            if done >= 1.0:
                break
    bar.close()
    metrics["train_s"] = round(time.perf_counter() - t0, 1)
    metrics["steps"] = step
    metrics["stopped_by"] = "steps" if step >= total else "minutes"
    metrics["loss_first"], metrics["loss_last"] = losses[0], sum(losses[-5:]) / len(losses[-5:])
    if held_batches:
        metrics["holdout_loss_after"] = mean_loss(model, held_batches, cfg.bf16)
    tmp = Path(tempfile.mkdtemp(prefix=".generator-", dir=_parent(cfg.out)))
    try:
        model.save_pretrained(str(tmp / "adapter"))
        if cfg.gen_check and held_t and cfg.ranker is None:
            log.warning("no ranker (embedder) given: the held-out generation check is skipped")
        elif cfg.gen_check and held_t and cfg.ranker is not None:
            rows = held_t[: cfg.gen_check]
            metrics["holdout_generation"] = {
                "n": len(rows),
                "base": generation_check(cfg.base, None, rows, cfg.ranker),
                "tuned": generation_check(cfg.base, tmp / "adapter", rows, cfg.ranker),
            }
        finish_artifact(tmp, cfg, metrics)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("generator adapter written to %s: %s", cfg.out, metrics)
    return cfg.out
