"""Serving benchmark over loopback: matched-answer latency, generative streaming, a soak test.

    .venv/bin/python bench/serve_bench.py --data-dir var --write-docs

Starts real `shopmate serve` processes on the demo shop of --data-dir (built first when
missing) and drives them over HTTP on 127.0.0.1:

(a) Matched-answer path: the shop's own past questions sent to /v1/chat one at a time;
    p50/p95 of those answered by reusing a past answer (the others are counted).
(b) Generative path (SHOPMATE_GENERATOR=local, SmolLM2-135M; past-answer reuse off so
    every question reaches the generator): /v1/chat/stream, time to the first token
    event and to the final event; decode tokens/s (tokens after the first, over the time
    after the first) beside the memory-bandwidth bound (weight bytes / bandwidth measured
    here with a large array copy). One server per --quantize value (fp32 is the
    reference for the ratios) and one from --baseline-code (an earlier checkout) if given,
    all up at once; each question goes to each in turn, so a shared machine's changing load
    falls on every variant alike.
(c) Soak: --sessions concurrent shoppers for --soak-seconds, each sending its next
    message when the last reply arrived; every non-200 and every exception is an error;
    afterwards each session's stored shopper messages are counted in the database:
    sent - stored = lost messages. --workers N runs it on N server processes sharing the
    database and a `chroma run` server.

Every run records the CPU (model, ATen's level, the flags the decoder's kernels depend on,
any ISA limits such as ATEN_CPU_CAPABILITY=avx2 in the environment) beside the load average.
--write-docs replaces the "## Serving" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    cpu_record,
    machine_line,
    memory_bandwidth_gbs,
    pct,
    write_section,
)

BIN = Path(sys.executable).parent
LABELS = {  # SHOPMATE_LLM_QUANTIZE value: row label
    "none": "fp32",
    "int8": "int8 weight-only",
    "int8-bf16": "int8, bf16 prefill",
    "int8-fp32": "int8, fp32 prefill",
    "int8-int8": "int8, int8 prefill",
    "auto": "auto (default)",
    "baseline": "baseline checkout's default",
}

SOAK_MESSAGES = [
    "What is your return policy?",
    "How long does delivery take?",
    "I need a waterproof jacket for hiking in the rain",
    "do you have a warm sleeping bag under 100?",
    "Where is my order?",
    "hello!",
    "Can I pay with PayPal?",
    "recommend something for camping",
    "does it come in blue?",
    "thanks, that helps",
]
GENERATIVE_QUESTIONS = [
    "How long do I have to send something back?",
    "What does shipping cost?",
    "Do you ship abroad?",
    "How do I look after a waterproof jacket?",
    "Which payment methods can I use?",
    "Can I change my delivery address after ordering?",
    "How do I choose the right boot size?",
    "Is there a warranty on tents?",
    "How can I contact customer service?",
    "Do you offer gift cards?",
    "What happens if my parcel arrives damaged?",
    "Can I cancel an order?",
    "How do I reset my password?",
    "Can I delete my account?",
    "Can I cancel part of my order?",
    "What are your customer service opening hours?",
    "How do I exchange shoes for a different size?",
    "What if the size I want to exchange for is out of stock?",
    "How long is a gift card valid?",
    "How do I check my gift card balance?",
    "Do you deliver to the EU, and do I pay customs?",
    "What happens if I refuse a parcel from abroad?",
    "How do I earn Trail Club points?",
    "How do I turn loyalty points into a voucher?",
    "Do my points expire?",
    "What do the order statuses mean?",
    "My order is late, what should I do?",
    "My parcel says delivered but I never got it",
    "When is my card charged?",
    "Can I get a VAT invoice?",
    "My payment was declined, why?",
    "Do you price match other shops?",
    "Can I use two promo codes at once?",
    "How do you use my personal data?",
    "When will I get my refund?",
    "Can I return something I bought in the sale?",
    "How should I wash a down jacket?",
    "How do I re-proof a waterproof jacket?",
    "Is express delivery available?",
    "What is your approach to sustainability?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


@contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@contextmanager
def server(
    data_dir: Path,
    logs: Path,
    name: str,
    workers: int = 1,
    code: Path | None = None,
    **extra: str,
) -> Iterator[str]:
    """A `shopmate serve` on a free port (and a `chroma run` server when workers > 1), from
    another checkout's code when `code` is given."""
    port = free_port()
    env = {
        **os.environ,
        **({"PYTHONPATH": str(code)} if code else {}),
        "SHOPMATE_DATA_DIR": str(data_dir),
        "SHOPMATE_RATE_LIMIT_PER_MINUTE": "100000000",
        "SHOPMATE_RATE_LIMIT_PER_KEY_PER_MINUTE": "100000000",
        "SHOPMATE_LOG_LEVEL": "WARNING",
        **{f"SHOPMATE_{k.upper()}": v for k, v in extra.items()},
    }
    cmd = [str(BIN / "shopmate"), "serve", "--port", str(port), "--workers", str(workers)]
    if workers == 1:
        with process(cmd, env, logs / f"{name}.log") as proc:
            wait_http(f"http://127.0.0.1:{port}/healthz", proc)
            yield f"http://127.0.0.1:{port}"
        return
    cport = free_port()
    chroma = [str(BIN / "chroma"), "run", "--path", str(data_dir / "chroma"), "--port", str(cport)]
    with process(chroma, dict(os.environ), logs / f"{name}-chroma.log") as cproc:
        wait_http(f"http://127.0.0.1:{cport}/api/v2/heartbeat", cproc)
        env["SHOPMATE_CHROMA_URL"] = f"http://127.0.0.1:{cport}"
        with process(cmd, env, logs / f"{name}.log") as proc:
            wait_http(f"http://127.0.0.1:{port}/healthz", proc)
            yield f"http://127.0.0.1:{port}"


def past_questions(data_dir: Path, n: int) -> list[str]:
    from sqlalchemy import select

    from shop.models import QAPair
    from shop.repository import ShopRepository

    repo = ShopRepository.from_url(f"sqlite:///{data_dir / 'shop.db'}")
    with repo.session() as s:
        qs = list(s.scalars(select(QAPair.question).order_by(QAPair.id)))
    random.Random(0).shuffle(qs)
    return qs[:n]


def matched_path(base: str, questions: list[str]) -> dict[str, Any]:
    lat, other = [], 0
    with httpx.Client(timeout=60) as c:
        c.post(f"{base}/v1/chat", json={"session_id": "warm", "message": "hello"})
        for i, q in enumerate(questions):
            t = time.perf_counter()
            r = c.post(f"{base}/v1/chat", json={"session_id": f"m{i}-{os.getpid()}", "message": q})
            dt = time.perf_counter() - t
            r.raise_for_status()
            if any(x["source"] == "qa-history" for x in r.json()["citations"]):
                lat.append(dt * 1000)
            else:
                other += 1
    return {"n": len(lat), "other": other, "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95)}


def generative_path(
    bases: dict[str, str], questions: list[str], tokenizer: Any
) -> dict[str, dict[str, Any]]:
    """Each question to every variant's server in turn (the order rotating per question), so
    that other jobs' load on a shared machine falls on all variants alike. Each request opens
    its own session, so no variant finds another's turns in its conversation."""
    got: dict[str, dict[str, list[float]]] = {
        k: {"ttft": [], "total": [], "rates": [], "tokens": []} for k in bases
    }
    names = list(bases)
    with httpx.Client(timeout=300) as c:
        for i, q in enumerate(questions):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                one = stream_once(c, bases[name], f"g{i}-{name}-{os.getpid()}", q, tokenizer)
                if one is not None:
                    for key, value in one.items():
                        got[name][key].append(value)
    return {
        name: {
            "n": len(g["ttft"]),
            "ttft_p50_ms": pct(g["ttft"], 50),
            "ttft_p95_ms": pct(g["ttft"], 95),
            "total_p50_s": pct(g["total"], 50),
            "total_p95_s": pct(g["total"], 95),
            "tokens_median": statistics.median(g["tokens"]) if g["tokens"] else 0,
            "decode_tok_s_median": statistics.median(g["rates"]) if g["rates"] else float("nan"),
        }
        for name, g in got.items()
    }


def stream_once(
    c: httpx.Client, base: str, session: str, question: str, tokenizer: Any
) -> dict[str, float] | None:
    """One /v1/chat/stream request: time to the first token event and to the end, tokens,
    and decode tokens/s after the first (None when no token came)."""
    t0 = time.perf_counter()
    first = last = None
    text = ""
    with c.stream(
        "POST", f"{base}/v1/chat/stream", json={"session_id": session, "message": question}
    ) as r:
        r.raise_for_status()
        event = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "token":
                now = time.perf_counter()
                first = first or now
                last = now
                text += json.loads(line[5:])["text"]
    end = time.perf_counter()
    if first is None or last is None:
        return None
    n = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    out = {"ttft": (first - t0) * 1000, "total": end - t0, "tokens": float(n)}
    if n > 1 and last > first:
        out["rates"] = (n - 1) / (last - first)
    return out


async def soak(base: str, sessions: int, seconds: float) -> dict[str, Any]:
    sent: dict[str, int] = {}
    errors: list[str] = []
    lat: list[float] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    async with httpx.AsyncClient(timeout=120, limits=limits) as c:

        async def shopper(k: int) -> None:
            sid = f"soak-{k}-{os.getpid()}"
            rng = random.Random(k)
            sent[sid] = 0
            while time.monotonic() < stop:
                msg = rng.choice(SOAK_MESSAGES)
                t = time.perf_counter()
                try:
                    r = await c.post(
                        f"{base}/v1/chat",
                        json={
                            "session_id": sid,
                            "user_id": f"u{(k % 250) + 1:04d}",
                            "message": msg,
                        },
                    )
                    sent[sid] += 1
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}: {r.text[:120]}")
                    else:
                        lat.append(time.perf_counter() - t)
                except httpx.HTTPError as e:
                    errors.append(f"{type(e).__name__}: {e}")

        await asyncio.gather(*(shopper(k) for k in range(sessions)))
    return {"sent": sent, "errors": errors, "lat": lat}


def count_stored(data_dir: Path, sent: dict[str, int]) -> int:
    from shop.repository import ShopRepository

    repo = ShopRepository.from_url(f"sqlite:///{data_dir / 'shop.db'}")
    return sum(sum(1 for role, _ in repo.transcript(sid) if role == "shopper") for sid in sent)


def section(r: dict[str, Any], cmd: str) -> str:
    m, s = r["matched"], r["soak"]
    lines = [
        "## Serving\n",
        f"{r['date']}; {machine_line(r['machine'], r['load_after'])}. Loopback HTTP to real "
        "`shopmate serve` processes on the demo shop.\n",
        "```",
        cmd,
        "```\n",
        "| path | figure | target | measured |",
        "|---|---|---|---|",
        f"| matched answer (`/v1/chat`, past answer reused; {m['n']} questions, {m['other']} others answered otherwise) | p50 / p95 | p95 ≤ 150 ms | {m['p50_ms']:.0f} / {m['p95_ms']:.0f} ms |",
    ]
    for quant, g in (r.get("generative") or {}).items():
        label = LABELS.get(quant, quant)
        bound = r["bound_tok_s"][quant]
        lines += [
            f"| generative, {label} (`/v1/chat/stream`, SmolLM2-135M local, {g['n']} questions) | time to first token p50 / p95 | p95 ≤ 500 ms | {g['ttft_p50_ms']:.0f} / {g['ttft_p95_ms']:.0f} ms |",
            f"| generative, {label} | full reply p50 / p95 | ≤ 3 s | {g['total_p50_s']:.2f} / {g['total_p95_s']:.2f} s |",
            f"| generative, {label} | decode tokens/s (median; {g['tokens_median']:.0f} tokens per reply) | ≥ ½ of the bound | {g['decode_tok_s_median']:.1f} tok/s vs bound ≈{bound:.0f} tok/s |",
        ]
    lines += [
        f"| soak: {r['sessions']} concurrent sessions × {r['soak_seconds']:.0f} s, {r['workers']} worker(s) | requests / errors / lost messages | 0 errors, 0 lost | {s['requests']} / {s['errors']} / {s['lost']} |",
        f"| soak | reply latency p50 / p95 under that load | — | {s['p50_s']:.2f} / {s['p95_s']:.2f} s |",
        "",
    ]
    if r.get("generative"):
        lines += ratios(r["generative"])
        lines += [
            "Decode bound: the bytes of the weight matrices read once per token "
            f"({r['weight_mb']['none']:.0f} MB fp32, {r['weight_mb']['int8']:.0f} MB int8) at "
            f"{r['bandwidth_gbs']:.1f} GB/s (large-array copy on this machine). All use the "
            "lean decoder (bot/fastlm.py); the default's kernels here: "
            f"{r['machine']['kernels']}. `bench/llm_bench.py` compares it with transformers' "
            "`generate` and measures what int8 does to the replies.",
            "",
        ]
    if s["error_samples"]:
        lines += ["Soak errors (first few): " + "; ".join(s["error_samples"]), ""]
    return "\n".join(lines) + "\n"


def ratios(gen: dict[str, dict[str, Any]]) -> list[str]:
    """Each variant's stages against fp32's in the same run (< 1: faster than fp32)."""
    fp32 = gen.get("none")
    if not fp32 or len(gen) < 2:
        return []
    out = ["Against fp32 in the same run (time ratios; below 1 is faster):\n"]
    for quant, g in gen.items():
        if quant == "none":
            continue
        parts = [
            f"first token p50 {g['ttft_p50_ms'] / fp32['ttft_p50_ms']:.2f}, "
            f"p95 {g['ttft_p95_ms'] / fp32['ttft_p95_ms']:.2f}",
            f"full reply p50 {g['total_p50_s'] / fp32['total_p50_s']:.2f}, "
            f"p95 {g['total_p95_s'] / fp32['total_p95_s']:.2f}",
            f"time per decoded token {fp32['decode_tok_s_median'] / g['decode_tok_s_median']:.2f}",
        ]
        out.append(f"- {LABELS.get(quant, quant)}: " + "; ".join(parts))
    return [*out, ""]


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--data-dir", type=Path, default=Path("var"), help="demo shop data dir (built if missing)"
    )
    p.add_argument("--matched", type=int, default=80, help="past questions for the matched path")
    p.add_argument(
        "--generative", type=int, default=12, help="questions for the generative path (0: skip)"
    )
    p.add_argument("--sessions", type=int, default=50, help="concurrent soak sessions")
    p.add_argument("--soak-seconds", type=float, default=120.0, help="soak duration")
    p.add_argument("--workers", type=int, default=1, help="server processes for the soak")
    p.add_argument(
        "--quantize",
        default="none,auto",
        help="SHOPMATE_LLM_QUANTIZE values to compare on the generative path, comma-separated "
        "(none, auto, int8, int8-bf16, int8-fp32, int8-int8); 'none' (fp32) is the reference",
    )
    p.add_argument(
        "--baseline-code",
        type=Path,
        default=None,
        help="also serve the generative path from the code in this folder (a checkout of an "
        "earlier commit: `git worktree add DIR REV`) at its default SHOPMATE_LLM_QUANTIZE",
    )
    p.add_argument(
        "--write-docs", action="store_true", help="replace the '## Serving' section of --docs"
    )
    p.add_argument("--docs", type=Path, default=ROOT / "docs/benchmarks.md")
    args = p.parse_args()
    quants = [q.strip() for q in args.quantize.split(",") if q.strip()]
    bad = [q for q in quants if q not in LABELS or q == "baseline"]
    if bad:
        p.error(
            f"--quantize takes none, auto, int8, int8-bf16, int8-fp32, int8-int8; got {', '.join(bad)}"
        )
    if args.baseline_code and not (args.baseline_code / "shopmate").is_dir():
        p.error(f"--baseline-code {args.baseline_code} is not a shopmate checkout")
    cmd = "python bench/serve_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    data = args.data_dir.resolve()
    if not (data / "shop.db").exists():
        subprocess.run(
            [str(BIN / "shopmate"), "demo", "build"],
            env={**os.environ, "SHOPMATE_DATA_DIR": str(data)},
            check=True,
        )
    logs = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    r: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": cpu_record(),
        "sessions": args.sessions,
        "soak_seconds": args.soak_seconds,
        "workers": args.workers,
    }
    with server(data, logs, "extractive") as base:
        r["matched"] = matched_path(base, past_questions(data, args.matched))
        print("matched:", r["matched"], flush=True)
    with server(data, logs, "soak", workers=args.workers) as base:
        out = asyncio.run(soak(base, args.sessions, args.soak_seconds))
    sent = sum(out["sent"].values())
    stored = count_stored(data, out["sent"])
    r["soak"] = {
        "requests": sent,
        "errors": len(out["errors"]),
        "lost": sent - stored,
        "p50_s": pct(out["lat"], 50),
        "p95_s": pct(out["lat"], 95),
        "error_samples": out["errors"][:3],
    }
    print("soak:", {k: v for k, v in r["soak"].items()}, flush=True)
    if args.generative:
        from transformers import AutoTokenizer

        from bot.llm import LocalChatModel
        from shopmate.models import prepare_llm

        llm = prepare_llm(data / "models")
        r["bandwidth_gbs"] = memory_bandwidth_gbs()
        weights = {
            q: LocalChatModel.load(llm, quantize=q).weight_bytes or 0 for q in ("none", "int8")
        }
        r["weight_mb"] = {q: b / 1e6 for q, b in weights.items()}
        runs: list[tuple[str, Path | None, dict[str, str]]] = [
            (q, None, {"llm_quantize": q}) for q in quants
        ]
        if args.baseline_code:
            runs.append(("baseline", args.baseline_code.resolve(), {}))
        r["bound_tok_s"] = {
            q: r["bandwidth_gbs"] * 1e9 / weights["none" if q == "none" else "int8"]
            for q, _, _ in runs
        }
        tok = AutoTokenizer.from_pretrained(str(llm), local_files_only=True)
        qs = GENERATIVE_QUESTIONS[: args.generative]
        with ExitStack() as stack:  # all variants up at once, asked in turn
            bases = {
                quant: stack.enter_context(
                    server(
                        data,
                        logs,
                        f"generative-{quant}",
                        code=code,
                        generator="local",
                        qa_reuse_min_score="1.0",
                        **extra,
                    )
                )
                for quant, code, extra in runs
            }
            r["generative"] = generative_path(bases, qs, tok)
        for quant, g in r["generative"].items():
            print(f"generative ({quant}):", g, flush=True)
    r["load_after"] = os.getloadavg()[0]
    text = section(r, cmd)
    print(text)
    if args.write_docs:
        write_section(args.docs, "## Serving", text)
    if r["soak"]["errors"]:
        print(f"server logs kept in {logs}")
    else:
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()
