"""PII redaction on the multi-country sets: per-label recall and hard negatives touched.

    .venv/bin/python bench/pii_bench.py                       # tests/data/pii/dev.jsonl and heldout.jsonl
    .venv/bin/python bench/pii_bench.py some/other_set.jsonl  # any file in the same format
    .venv/bin/python bench/pii_bench.py set.jsonl --pred out.jsonl   # score `shopmate redact` output
    .venv/bin/python bench/pii_bench.py kb.jsonl --scan text -v 20   # spans found in unlabelled text

A set is JSONL: {"text", "spans": [[start, end, LABEL], ...], "negatives": [[start, end, kind], ...]}
(code-point offsets; "negatives" optional). With --pred, the spans and redacted text come from
a file written by `shopmate redact --jsonl SET --out OUT` (same line order); otherwise the
redactor is run here.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bot.pii_score import GoldRow, PiiScore, score_pii
from bot.redact import LABELS, redact_spans

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "tests/data/pii/dev.jsonl", ROOT / "tests/data/pii/heldout.jsonl"]


def load_gold(path: Path) -> list[GoldRow]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            d = json.loads(line)
            try:
                rows.append(
                    GoldRow(
                        d["text"],
                        [tuple(s) for s in d["spans"]],
                        [tuple(s) for s in d.get("negatives", [])],
                    )
                )
            except (KeyError, TypeError) as e:
                raise SystemExit(
                    f"{path}:{n}: expected {{'text', 'spans', 'negatives'}}: {e}"
                ) from e
    return rows


def run(path: Path, pred: Path | None, verbose: int) -> tuple[PiiScore, str]:
    """Score one set; the second value is the redactor's time per string (ms), '-' with --pred."""
    gold = load_gold(path)
    t = time.perf_counter()
    if pred is None:
        results = [redact_spans(g.text) for g in gold]
        preds = [[(s.start, s.end, s.label) for s in r.spans] for r in results]
        redacted = [r.redacted for r in results]
        ms = f"{1000 * (time.perf_counter() - t) / max(1, len(gold)):.1f}"
    else:
        out = [
            json.loads(line)
            for line in pred.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        preds = [[tuple(s) for s in o["spans"]] for o in out]
        redacted = [o["redacted"] for o in out]
        ms = "-"
    sc = score_pii(gold, preds, redacted)
    for label, value in sc.missed[:verbose]:
        print(f"  missed {label}: {value!r}")
    for kind, value in sc.touched[:verbose]:
        print(f"  touched {kind}: {value!r}")
    return sc, ms


def table(rows: list[tuple[str, int, PiiScore, str]]) -> str:
    head = (
        "| set | strings | " + " | ".join(LABELS) + " | all | hard negatives touched | ms/string |"
    )
    lines = [head, "|" + "---|" * (len(LABELS) + 5)]
    for name, strings, sc, ms in rows:
        cells = [
            f"{sc.recall[k]:.3f} ({sc.found[k]}/{sc.total[k]})" if k in sc.total else "-"
            for k in LABELS
        ]
        n = sum(sc.total.values())
        lines.append(
            f"| {name} | {strings} | "
            + " | ".join(cells)
            + f" | {sc.overall_recall:.3f} ({sum(sc.found.values())}/{n})"
            + f" | {sc.touched_share:.3f} ({sc.negatives_touched}/{sc.negatives_total}) | {ms} |"
        )
    return "\n".join(lines)


def scan(path: Path, field: str, show: int) -> None:
    """Spans found in unlabelled text (a field of each JSONL line): a false-alarm check on
    real shop text, where nearly nothing should be personal. Prints counts and examples."""
    counts: dict[str, int] = {}
    n, t = 0, time.perf_counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line).get(field) if line.strip() else None
        if not isinstance(text, str):
            continue
        n += 1
        for sp in redact_spans(text).spans:
            counts[sp.label] = counts.get(sp.label, 0) + 1
            if show > 0:
                show -= 1
                print(f"  {sp.label}: {text[max(0, sp.start - 30) : sp.end + 15]!r}")
    secs = time.perf_counter() - t
    print(
        f"{path.name} [{field}]: {n} texts, spans {counts or 'none'}, {1000 * secs / max(1, n):.1f} ms/text"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "sets", nargs="*", type=Path, help="gold JSONL files (default: the dev and held-out sets)"
    )
    ap.add_argument("--pred", type=Path, help="output of `shopmate redact` for a single set")
    ap.add_argument(
        "--scan",
        metavar="FIELD",
        help="no gold: count the spans found in FIELD of each line of the given files (false alarms on real text)",
    )
    ap.add_argument(
        "-v", "--verbose", type=int, default=0, help="print up to N misses and touched negatives"
    )
    args = ap.parse_args()
    if args.scan:
        for path in args.sets:
            scan(path, args.scan, args.verbose)
        return
    sets = args.sets or DEFAULT
    if args.pred and len(sets) != 1:
        ap.error("--pred scores one set: give exactly one gold file")
    rows = []
    for path in sets:
        sc, ms = run(path, args.pred, args.verbose)
        rows.append((path.name, len(load_gold(path)), sc, ms))
    print(table(rows))


if __name__ == "__main__":
    main()
