"""Generator decoding benchmark: transformers vs the lean decoder, fp32 vs int8, side by side.

    .venv/bin/python bench/llm_bench.py --qa ../shared/data/qa/hetpqa --write-docs

Prompts are the bot's own grounded prompts (bot.grounding.prompt_messages): a question of
the QA set (DATASETS.md format) with its gold evidence and up to two other passages of
the same product, in a seeded order.

(a) Speed, in this process, one variant at a time: prefill of a fresh prompt, prefill
    when the previous request's system prompt is reused (lean decoder only), and decode
    tokens/s over --decode-tokens forced tokens; medians over --runs prompts, beside the
    bound (bytes of the weight matrices ÷ memory bandwidth measured here).
(b) Quality of the replies (greedy, stopped at the first line break, at most 64 tokens)
    on --questions questions: token-F1 against the reference answers, the share that pass
    the grounding check the bot applies (cites a passage, supported by it, no invented
    numbers), citation precision (cited passages that are gold evidence), and the share
    of replies identical to fp32's, and fp32's next token teacher-forced along fp32's
    replies (prompt kernels, and the reply decoded with the decoding kernels).

--variants picks the decoders (lean fp32, int8 with a bf16, fp32 or int8 prefill, the default
`auto`, transformers fp32 and dynamic int8). The CPU (model, ATen level, the flags the
kernels depend on, any ISA limit such as ATEN_CPU_CAPABILITY=avx2) is recorded beside the
load average. --write-docs replaces the --heading section ("## Generator decoding") of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_record, machine_line, memory_bandwidth_gbs, write_section  # noqa: E402

VARIANTS = {  # key: (row name, decoder, SHOPMATE_LLM_QUANTIZE, prompt-lookup tokens)
    "fp32": ("lean fp32", "lean", "none", 3),  # the reference
    "int8-bf16": ("lean int8, bf16 prefill", "lean", "int8-bf16", 0),
    "int8-fp32": ("lean int8, fp32 prefill", "lean", "int8-fp32", 0),
    "int8-int8": ("lean int8, int8 prefill", "lean", "int8-int8", 0),
    "auto": ("lean auto + prompt lookup (default)", "lean", "auto", 3),
    "hf-fp32": ("transformers fp32", "transformers", "none", 0),
    "hf-int8": ("transformers int8 dynamic", "transformers", "int8", 0),
}
HEADING = "## Generator decoding"


def load_items(qa: Path, split: str, n: int, seed: int) -> list[dict[str, Any]]:
    """Questions with their passages (gold first, then same-product others), shuffled."""
    kb: dict[str, dict[str, Any]] = {}
    with (qa / "kb.jsonl").open() as f:
        for line in f:
            if line.strip():
                p = json.loads(line)
                kb[p["id"]] = p
    by_product: dict[str, list[str]] = {}
    for p in kb.values():
        by_product.setdefault(str(p.get("product_id")), []).append(p["id"])
    rng = random.Random(seed)
    with (qa / f"{split}.jsonl").open() as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rng.shuffle(rows)
    items = []
    for q in rows:
        gold = [e for e in q.get("evidence_ids", []) if e in kb][:2]
        if not gold or not q.get("answers"):
            continue
        others = [i for i in by_product.get(str(q.get("product_id")), []) if i not in gold]
        ids = gold + rng.sample(others, min(2, len(others)))
        rng.shuffle(ids)
        items.append(
            {
                "question": q["question"],
                "answers": q["answers"],
                "passages": [kb[i]["text"] for i in ids],
                "gold": [k for k, i in enumerate(ids) if i in gold],
            }
        )
        if len(items) == n:
            break
    if not items:
        raise SystemExit(f"{qa}/{split}.jsonl has no question with evidence and answers")
    return items


def speed(chat: Any, items: list[dict[str, Any]], runs: int, decode_tokens: int) -> dict[str, Any]:
    import torch

    from bot.grounding import prompt_messages

    cold, warm, rates, prompt_len = [], [], [], []
    for k, item in enumerate(items[:runs]):
        enc = chat._inputs(prompt_messages(item["question"], item["passages"]))
        ids = enc["input_ids"][0].tolist()
        prompt_len.append(len(ids))
        if chat._lean is not None:
            lean = chat._lean
            lean.prefixes.clear()
            t0 = time.perf_counter()
            next(lean.generate(ids, 1, []))
            cold.append(time.perf_counter() - t0)
            nxt = items[(k + 1) % len(items)]  # another question: shares the system prompt only
            other = chat._inputs(prompt_messages(nxt["question"], nxt["passages"]))
            t0 = time.perf_counter()
            next(lean.generate(other["input_ids"][0].tolist(), 1, []))
            warm.append(time.perf_counter() - t0)
            gen = lean.generate(ids, decode_tokens + 1, [])
            next(gen)
            t0 = time.perf_counter()
            n = sum(1 for _ in gen)
            rates.append(n / (time.perf_counter() - t0))
        else:
            kw = dict(do_sample=False, pad_token_id=chat._tokenizer.eos_token_id)
            with torch.inference_mode():
                t0 = time.perf_counter()
                chat._model.generate(**enc, max_new_tokens=1, **kw)
                t1 = time.perf_counter()
                chat._model.generate(
                    **enc, max_new_tokens=decode_tokens + 1, min_new_tokens=decode_tokens + 1, **kw
                )
                t2 = time.perf_counter()
            cold.append(t1 - t0)
            rates.append(decode_tokens / max((t2 - t1) - (t1 - t0), 1e-9))
    return {
        "prompt_tokens": statistics.median(prompt_len),
        "prefill_s": statistics.median(cold),
        "prefill_reused_s": statistics.median(warm) if warm else None,
        "decode_tok_s": statistics.median(rates),
    }


def quality(chat: Any, items: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    from bot.grounding import check, cited_passages, prompt_messages
    from finetune.qa_metrics import token_f1

    f1, ok, prec, replies, ttft, rates = [], [], [], [], [], []
    for item in items:
        messages = prompt_messages(item["question"], item["passages"])
        if chat._lean is not None:
            chat._lean.prefixes.clear()  # each question as if it came first
        text, t0, stamps = "", time.perf_counter(), []
        for c in chat.stream(messages, stop=["\n"], max_new_tokens=64):
            text += str(c.content)
            stamps.append(time.perf_counter())
        if stamps:
            ttft.append(stamps[0] - t0)
        n = chat.count_tokens(text)
        if n > 2 and stamps[-1] > stamps[0]:
            rates.append((n - 1) / (stamps[-1] - stamps[0]))
        replies.append(text.strip())
        f1.append(token_f1(text, item["answers"]))
        ok.append(check(text, item["passages"]).ok)
        cited = cited_passages(text, len(item["passages"]))
        if cited:
            prec.append(sum(c in item["gold"] for c in cited) / len(cited))
    return {
        "token_f1": statistics.fmean(f1),
        "grounded": statistics.fmean(ok),
        "citation_precision": statistics.fmean(prec) if prec else 0.0,
        "cites": len(prec) / len(items),
        "ttft_s": statistics.median(ttft) if ttft else float("nan"),
        "reply_tok_s": statistics.median(rates) if rates else float("nan"),
    }, replies


def agreement(chat: Any, reference: Any, items: list[dict[str, Any]]) -> tuple[float, float]:
    """Shares of positions where `chat` picks fp32's greedy token, teacher-forced along the
    fp32 model's own replies (prompt + reply), so one early difference does not count twice:
    with prompt and reply run as one prompt (prefill's kernels), and with the reply decoded
    one token at a time after the prompt (the kernels a served reply goes through; the
    lean decoder only, else the first figure again)."""
    import torch

    from bot.grounding import prompt_messages

    same = [0, 0]
    total = 0
    for item in items:
        ids = reference._inputs(prompt_messages(item["question"], item["passages"]))["input_ids"]
        prompt = ids[0].tolist()
        reply = list(reference._lean.generate(prompt, 48, [chat._tokenizer.eos_token_id]))
        if not reply:
            continue
        seq = prompt + reply
        want = reference._lean.logits(seq)[len(prompt) - 1 : -1].argmax(-1)
        if chat._lean is not None:
            got = [
                chat._lean.logits(seq, decode_from=start)[len(prompt) - 1 : -1].argmax(-1)
                for start in (None, len(prompt))
            ]
        else:
            with torch.inference_mode():
                out = chat._model(input_ids=torch.tensor([seq])).logits[0]
            got = [out[len(prompt) - 1 : -1].argmax(-1)] * 2
        for k in (0, 1):
            same[k] += int((got[k] == want).sum())
        total += len(reply)
    return same[0] / max(total, 1), same[1] / max(total, 1)


def section(r: dict[str, Any], cmd: str) -> str:
    lines = [
        f"{r['heading']}\n",
        f"{r['date']}; {machine_line(r['machine'], r['load_after'])}; {r['threads']} torch "
        f"threads. SmolLM2-135M-Instruct on the bot's grounded prompts built from `{r['qa']}` "
        f"({r['split']} split). The default's kernels here: {r['machine']['kernels']}.\n",
        "```",
        cmd,
        "```\n",
        f"Speed: medians over {r['runs']} prompts (median {r['prompt_tokens']:.0f} tokens); decode "
        f"over {r['decode_tokens']} forced tokens. Bound = weight-matrix bytes read per token ÷ "
        f"{r['bandwidth_gbs']:.1f} GB/s (large-array copy here).\n",
        "| decoder | prefill, fresh prompt | prefill, system prompt reused | decode tok/s | bound tok/s | share of bound |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in r["speed"].items():
        reused = f"{s['prefill_reused_s'] * 1000:.0f} ms" if s["prefill_reused_s"] else "—"
        lines.append(
            f"| {name} | {s['prefill_s'] * 1000:.0f} ms | {reused} | {s['decode_tok_s']:.1f} | "
            f"{s['bound_tok_s']:.0f} | {s['decode_tok_s'] / s['bound_tok_s']:.0%} |"
        )
    lines += [
        "",
        f"Replies on {r['questions']} questions (greedy, first line, ≤ 64 tokens):\n",
        "| decoder | token-F1 | passes grounding check | cites a passage | citation precision | same reply as fp32 | fp32's next token, teacher-forced: as one prompt / reply decoded | first token (median) | tok/s on these replies (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, q in r["quality"].items():
        lines.append(
            f"| {name} | {q['token_f1']:.3f} | {q['grounded']:.0%} | {q['cites']:.0%} | "
            f"{q['citation_precision']:.2f} | {q['same_as_fp32']:.0%} | "
            f"{q['agreement']:.1%} / {q['agreement_decoded']:.1%} | "
            f"{q['ttft_s'] * 1000:.0f} ms | {q['reply_tok_s']:.1f} |"
        )
    lines += [
        "",
        "The column \"fp32's next token\" follows fp32's own replies token by token and counts how often the "
        "other decoder would have picked the same next token (1.0 for fp32 itself), once with prompt and "
        "reply run through as one prompt (the prompt's kernels) and once with the reply decoded a token "
        "at a time (the decoding kernels, as a served reply runs). Dynamic int8 "
        "(`torch.ao` `quantize_dynamic`, as transformers' path does it) quantizes the activations "
        "too; weight-only int8 keeps them 16-bit. Prompt lookup guesses the next 3 tokens from "
        "where the last ones occurred in the prompt or reply and checks them in the same pass; "
        "the forced-decode column above lets the model recite its passages past the first line, "
        "where guesses come true more often than in the first-line replies of this table.",
    ]
    return "\n".join(lines) + "\n\n"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--qa", type=Path, default=ROOT.parent / "shared/data/qa/hetpqa", help="QA data dir"
    )
    p.add_argument("--split", default="dev", help="questions file in --qa (dev, test, train)")
    p.add_argument("--questions", type=int, default=60, help="questions for the quality table")
    p.add_argument("--runs", type=int, default=7, help="prompts per speed figure")
    p.add_argument(
        "--agreement", type=int, default=20, help="questions for the teacher-forced agreement"
    )
    p.add_argument("--decode-tokens", type=int, default=64, help="forced tokens per decode run")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    p.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"decoders to compare, comma-separated, of {', '.join(VARIANTS)} (fp32 always runs)",
    )
    p.add_argument("--heading", default=HEADING, help="the docs section to write")
    p.add_argument("--models-dir", type=Path, default=ROOT / "var/models")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--write-docs", action="store_true", help=f"replace the '{HEADING}' section of --docs"
    )
    p.add_argument("--docs", type=Path, default=ROOT / "docs/benchmarks.md")
    args = p.parse_args()
    keys = [k.strip() for k in args.variants.split(",") if k.strip()]
    if unknown := [k for k in keys if k not in VARIANTS]:
        p.error(f"--variants takes {', '.join(VARIANTS)}; got {', '.join(unknown)}")
    keys = ["fp32", *[k for k in keys if k != "fp32"]]
    cmd = "python bench/llm_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    import torch
    from tqdm import tqdm

    from bot.llm import LocalChatModel
    from shopmate.models import prepare_llm

    threads = args.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    llm = prepare_llm(args.models_dir)
    items = load_items(args.qa, args.split, max(args.questions, args.runs), args.seed)
    r: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": cpu_record(),
        "heading": args.heading,
        "threads": threads,
        "qa": str(args.qa),
        "split": args.split,
        "runs": args.runs,
        "decode_tokens": args.decode_tokens,
        "questions": min(args.questions, len(items)),
        "bandwidth_gbs": memory_bandwidth_gbs(),
        "speed": {},
        "quality": {},
    }
    reference: list[str] = []
    fp32: Any = None
    for key in tqdm(keys, desc="decoders"):
        name, decoder, quant, lookahead = VARIANTS[key]
        chat = LocalChatModel.load(llm, quantize=quant, decoder=decoder, lookahead=lookahead)
        s = speed(chat, items, args.runs, args.decode_tokens)
        # transformers' rows: the same weights' bytes, counted by a lean load of that precision
        bytes_ = chat.weight_bytes or LocalChatModel.load(llm, quantize=quant).weight_bytes or 1
        s["bound_tok_s"] = r["bandwidth_gbs"] * 1e9 / bytes_
        r["speed"][name] = s
        r["prompt_tokens"] = s["prompt_tokens"]
        print(name, s, flush=True)
        if key == "hf-fp32":  # the same tokens as lean fp32 (tests/bot/test_llm.py)
            continue
        q, replies = quality(chat, items[: args.questions])
        if key == "fp32":
            reference, fp32 = replies, chat
        q["agreement"], q["agreement_decoded"] = agreement(chat, fp32, items[: args.agreement])
        q["same_as_fp32"] = (
            statistics.fmean(a == b for a, b in zip(replies, reference, strict=True))
            if reference
            else 1.0
        )
        r["quality"][name] = q
        print(name, q, flush=True)
    r["load_after"] = os.getloadavg()[0]
    text = section(r, cmd)
    print(text)
    if args.write_docs:
        write_section(args.docs, args.heading, text)


if __name__ == "__main__":
    main()
