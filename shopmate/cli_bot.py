"""CLI commands of the dialogue engine: `shopmate eval intents` and `shopmate finetune intents`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from shopmate.console import make_console

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

console = make_console()


def _embedder() -> Embedder:
    from retrieval.embedder import Embedder
    from shopmate.models import minilm_path, offline

    offline()
    emb = Embedder(minilm_path())
    emb.warm_up()
    return emb


def eval_intents(
    data: Annotated[
        Path,
        typer.Option(
            help="Intent data (JSON lines with text and intent).", exists=True, dir_okay=False
        ),
    ],
    test: Annotated[
        Path | None,
        typer.Option(
            help="Evaluate on this file (same format) after training on all of --data.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write {accuracy, macro_f1, ...} here.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the fixed 80/20 split and of training.")] = 0,
) -> None:
    """Train the intent head and print accuracy and macro-F1 on held-out messages."""
    from finetune.intents import IntentDataError, IntentTrainConfig, evaluate_intents

    try:
        result = evaluate_intents(_embedder(), data, test, IntentTrainConfig(data=data, seed=seed))
    except IntentDataError as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True, markup=False)
        raise typer.Exit(2) from e
    table = Table(
        "metric",
        "value",
        title=f"intents: {'train on ' + data.name + ', test on ' + test.name if test else '80/20 split of ' + data.name}",
    )
    for key in ("accuracy", "macro_f1", "n_train", "n", "train_s"):
        value = result[key]
        table.add_row(
            key if key != "n" else "n_test",
            f"{value:.4f}" if isinstance(value, float) and key != "train_s" else str(value),
        )
    console.print(table)
    per_class = result["per_class_f1"]
    assert isinstance(per_class, dict)
    worst = sorted(per_class.items(), key=lambda kv: kv[1])[:5]
    console.print("weakest intents: " + ", ".join(f"{k} {v:.3f}" for k, v in worst), soft_wrap=True)
    if result["unseen_intents"]:
        console.print(
            f"intents in the test file never seen in training: {result['unseen_intents']}"
        )
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=1))


def finetune_intents(
    data: Annotated[
        Path,
        typer.Option(
            help="Intent data (JSON lines with text and intent).", exists=True, dir_okay=False
        ),
    ],
    out: Annotated[Path, typer.Option(help="Artifact folder to write.")] = Path(
        "var/models/intents"
    ),
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the data.")] = 60,
) -> None:
    """Train the intent classifier head and write an artifact folder (head, labels, config, metrics)."""
    from finetune.intents import IntentDataError, IntentTrainConfig, train_intents

    try:
        path = train_intents(IntentTrainConfig(data=data, out=out, epochs=epochs), _embedder())
    except IntentDataError as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True, markup=False)
        raise typer.Exit(2) from e
    metrics = json.loads((path / "metrics.json").read_text())
    console.print(f"wrote {path}: held-out macro-F1 {metrics.get('macro_f1', float('nan')):.4f}")
