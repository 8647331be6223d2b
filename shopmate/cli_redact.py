"""`shopmate redact`: clean a JSONL export of personal data; it only parses options and reports.

shopmate redact --jsonl messages.jsonl --out clean.jsonl
shopmate redact --jsonl messages.jsonl --out clean.jsonl --region ES

Each input line is a JSON object with a string field "text"; each output line keeps the
object's other fields and adds "redacted" (the text with [email], [phone], [card], [iban]
and [address] in place of the values) and "spans" ([[start, end, LABEL], ...], code-point
offsets into "text"). The output is written to a temporary file beside OUT and renamed when
every line is done, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from shopmate.console import make_console

console = make_console()
_ACCEPTED = 'each line must be a JSON object with a string field "text", e.g. {"text": "call me on 0171 7037409"}'


class BadLine(ValueError):
    pass


def _parse(line: str, n: int) -> dict[str, object]:
    # the message names the line and the problem, never the line's content (it may hold PII)
    try:
        row = json.loads(line)
    except json.JSONDecodeError as e:
        raise BadLine(f"line {n}: not valid JSON ({e.msg} at column {e.colno}); {_ACCEPTED}") from e
    if not isinstance(row, dict):
        raise BadLine(f"line {n}: a JSON {type(row).__name__}, not an object; {_ACCEPTED}")
    if not isinstance(row.get("text"), str):
        what = "missing" if "text" not in row else f"a {type(row['text']).__name__}"
        raise BadLine(f'line {n}: "text" is {what}; {_ACCEPTED}')
    return row


def redact_cmd(
    jsonl: Annotated[
        Path,
        typer.Option(
            "--jsonl",
            help='Input: one JSON object per line with a string field "text" (blank lines are skipped).',
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help='Output JSONL: each input object plus "redacted" and "spans" (\\[\\[start, end, LABEL], ...]; code-point offsets).',
            dir_okay=False,
        ),
    ],
    region: Annotated[
        str | None,
        typer.Option(
            help="The shop's country (ISO code such as ES) for phone numbers written without +code; "
            "US, GB, DE, FR, CN and IN are always tried."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Redact e-mails, phone numbers, cards, IBANs and postal addresses from a JSONL export.

    Labels: EMAIL, PHONE, CARD, IBAN, ADDRESS. Kept: order, tracking, voucher and loyalty numbers, SKUs, dates, prices.
    """
    from rich.progress import Progress

    from bot.redact import redact_spans

    if out.resolve() == jsonl.resolve():
        console.print("[red]--out must differ from --jsonl[/red] (the input is read while writing)")
        raise typer.Exit(2)
    if region is not None:
        try:
            redact_spans("", region)
        except ValueError as e:
            console.print(f"[red]--region:[/red] {escape(str(e))}")
            raise typer.Exit(2) from e
    with jsonl.open(encoding="utf-8") as f:
        total = sum(1 for _ in f)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    tmp = Path(tmp_name)
    counts: Counter[str] = Counter()
    lines = 0
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8") as dst,
            jsonl.open(encoding="utf-8") as src,
            Progress(console=console, transient=True, disable=not progress) as bar,
        ):
            task = bar.add_task("redacting", total=total)
            for n, line in enumerate(src, 1):
                bar.advance(task)
                if not line.strip():
                    continue
                row = _parse(line, n)
                r = redact_spans(str(row["text"]), region)
                row["redacted"] = r.redacted
                row["spans"] = [[s.start, s.end, s.label] for s in r.spans]
                counts.update(s.label for s in r.spans)
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
                lines += 1
        tmp.replace(out)
    except BadLine as e:
        tmp.unlink(missing_ok=True)
        console.print(f"[red]{escape(str(jsonl))}:[/red] {escape(str(e))}; nothing was written")
        raise typer.Exit(2) from e
    except UnicodeDecodeError as e:
        tmp.unlink(missing_ok=True)
        console.print(
            f"[red]{escape(str(jsonl))}:[/red] not UTF-8 text ({e.reason}); nothing was written"
        )
        raise typer.Exit(2) from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    found = ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) or "nothing"
    console.print(f"{lines} lines redacted ({found}) -> {escape(str(out))}", soft_wrap=True)
