"""The served chat engine on shops it was not built on: answers right per kind, search
precision and reply latency, dense and hybrid retrieval side by side in one run.

    .venv/bin/python bench/shop_bench.py                       # every shop under bench/shops/
    .venv/bin/python bench/shop_bench.py --shops DIR [DIR ...] --json out.json

Each shop folder (a catalog export, kb/, questions.jsonl, optional map.toml and shop.toml)
is built into a fresh data dir, then every question goes through `ChatEngine.respond` in a
fresh session — the path `POST /v1/chat` runs — with the extractive generator. Latency is
the second pass over the questions (the first warms the shop's indexes), per reply, on this
machine's CPU (recorded with the table).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_record, pct
from finetune.shop_eval import KINDS, load_questions, run_shop_eval
from shopmate.cli_eval import _load_shop
from shopmate.settings import Settings
from shopmate.wiring import build_services, load_shared

SHOPS = Path(__file__).resolve().parent / "shops"


def run(shops: list[Path], retrievers: list[str]) -> dict[str, Any]:
    settings = Settings()
    shared = load_shared(settings)
    out: dict[str, Any] = {"cpu": cpu_record(), "shops": {}}
    for shop in shops:
        qs = load_questions(shop / "questions.jsonl")
        for retriever in retrievers:
            with tempfile.TemporaryDirectory(prefix="shopmate-bench-") as tmp:
                update: dict[str, Any] = {
                    "data_dir": Path(tmp),
                    "database_url": None,
                    "chroma_url": None,
                    "retriever": retriever,
                    "generator": "extractive",
                }
                if (shop / "shop.toml").exists():
                    import tomllib

                    own = tomllib.loads((shop / "shop.toml").read_text(encoding="utf-8"))
                    update |= {k: own[k] for k in ("currency", "shop_name") if k in own}
                services = build_services(settings.model_copy(update=update), shared=shared)
                _load_shop(services, shop)
                run_shop_eval(services.engine, services.repo, qs)  # warm-up pass
                result = run_shop_eval(services.engine, services.repo, qs)
            secs = [o.seconds for o in result.outcomes]
            out["shops"].setdefault(shop.name, {})[retriever] = {
                "right": result.right,
                "total": len(result.outcomes),
                "by_kind": result.by_kind(),
                "search_precision": result.search_precision(),
                "p50_ms": 1000 * pct(secs, 50),
                "p95_ms": 1000 * pct(secs, 95),
                "wrong": [w["id"] for w in result.to_json()["wrong"]],
            }
    return out


def table(res: dict[str, Any]) -> str:
    head = (
        "| shop | retriever | right | " + " | ".join(KINDS) + " | search precision | p50 / p95 ms |"
    )
    lines = [head, "|" + "---|" * (len(KINDS) + 5)]
    for shop, by in res["shops"].items():
        for retriever, r in by.items():
            kinds = " | ".join(
                f"{r['by_kind'][k][0]}/{r['by_kind'][k][1]}" if k in r["by_kind"] else "–"
                for k in KINDS
            )
            sp = r["search_precision"]
            lines.append(
                f"| {shop} | {retriever} | **{r['right']}/{r['total']}** | {kinds} | "
                f"{'–' if sp is None else f'{sp:.2f}'} | {r['p50_ms']:.0f} / {r['p95_ms']:.0f} |"
            )
    total = {
        rt: sum(by[rt]["right"] for by in res["shops"].values() if rt in by)
        for rt in {rt for by in res["shops"].values() for rt in by}
    }
    cpu = res["cpu"]
    lines.append("")
    lines.append("Right over all shops: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    lines.append(f"CPU: {cpu.get('cpu')} ({cpu.get('cpu_class')}), load {cpu.get('load')}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shops", nargs="*", type=Path, help="shop folders (default: bench/shops/*)")
    ap.add_argument(
        "--retrievers", nargs="*", default=["dense", "hybrid"], choices=["dense", "hybrid"]
    )
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    shops = args.shops or sorted(p for p in SHOPS.iterdir() if (p / "questions.jsonl").exists())
    res = run(shops, args.retrievers)
    print(table(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))


if __name__ == "__main__":
    main()
