"""`shopmate finetune user-encoder` and `shopmate eval rec`: train and measure the recommender.

shopmate finetune user-encoder --data ../shared/data/rec/scientific --out var/models/user-encoder
shopmate eval rec --data ../shared/data/rec/scientific --json var/rec-eval/scientific.json

Mounted in shopmate/cli.py with `app.add_typer(finetune_app, name="finetune")` and
`eval_app.command("rec")(eval_rec)`. Only option parsing here; the work lives in
finetune/user_encoder.py and finetune/rec_eval.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopmate.cli_setup import cli_settings
from shopmate.console import make_console

finetune_app = typer.Typer(help="Train shopmate's models.", no_args_is_help=True)
console = make_console()

DataOpt = Annotated[
    Path,
    typer.Option(
        "--data",
        help="Recommendation folder: items.tsv, train.tsv, valid.tsv (optional), test.tsv.",
        exists=True,
        file_okay=False,
    ),
]


@finetune_app.callback()
def _group() -> None:
    """Train shopmate's models (one group, even with a single command)."""


@finetune_app.command("user-encoder")
def user_encoder(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Recommendation folder: items.tsv, train.tsv, valid.tsv (optional), test.tsv.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    from_shop: Annotated[
        bool,
        typer.Option(
            "--from-shop",
            help="Train on this shop's own catalog and events (exported to <data dir>/rec-data).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Artifact folder to write (default: <data dir>/models/user-encoder)."),
    ] = None,
    members: Annotated[int, typer.Option(min=1, help="Encoders in the ensemble.")] = 3,
    max_minutes: Annotated[
        float, typer.Option(min=0.5, help="Training budget for all encoders.")
    ] = 12.0,
    epochs: Annotated[int, typer.Option(min=1, help="Most epochs per encoder.")] = 30,
    threads: Annotated[int, typer.Option(min=0, help="Torch CPU threads (0: default).")] = 2,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Item-vector cache folder (default: <data dir>/cache/rec)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the first encoder.")] = 0,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Train the BERT user encoder (and its fusion) on a recommendation folder."""
    from finetune.user_encoder import UserEncoderConfig, train_user_encoder
    from recommender.data import RecDataError
    from shopmate.models import minilm_path

    settings = cli_settings(models=True)
    if (data is None) == (not from_shop):
        console.print("[red]error:[/red] give either --data DIR or --from-shop (not both)")
        raise typer.Exit(2)
    out = out or settings.models_dir / "user-encoder"
    cache_dir = cache_dir or settings.data_dir / "cache" / "rec"
    if data is None:
        from recommender.export import export_rec_folder
        from shop.repository import ShopRepository

        repo = ShopRepository.from_url(settings.resolved_database_url())
        try:
            report = export_rec_folder(repo, settings.data_dir / "rec-data")
        except ValueError as e:
            console.print(f"[red]error:[/red] {e}", soft_wrap=True)
            raise typer.Exit(2) from e
        console.print(
            f"exported {report.items} products, {report.users} shoppers, "
            f"{report.train_rows} training rows to {report.path}"
        )
        data = report.path
    cfg = UserEncoderConfig(
        data=data,
        out=out,
        # the item vectors the shop will serve with
        embedder_path=settings.embedder_path or minilm_path(),
        members=members,
        max_minutes=max_minutes,
        epochs=epochs,
        threads=threads,
        cache_dir=cache_dir,
        seed=seed,
        progress=progress,
    )
    try:
        path = train_user_encoder(cfg)
    except RecDataError as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True)
        raise typer.Exit(2) from e
    console.print(
        f"user encoder written to {path}; the shop serves it from "
        f"{settings.models_dir / 'user-encoder'} or SHOPMATE_USER_ENCODER_PATH"
    )


def eval_rec(
    data: DataOpt,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures to this JSON file.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where trained artifacts go.")] = Path("var/rec-eval"),
    models: Annotated[
        str, typer.Option(help="Comma-separated: ours,sasrec,transitions,meanpool,popularity.")
    ] = "ours,sasrec,transitions,meanpool,popularity",
    members: Annotated[int, typer.Option(min=1, help="Encoders in our ensemble.")] = 3,
    max_minutes: Annotated[
        float, typer.Option(min=0.5, help="Training budget per trained model.")
    ] = 12.0,
    threads: Annotated[int, typer.Option(min=0, help="Torch CPU threads (0: default).")] = 2,
    cache_dir: Annotated[Path, typer.Option(help="Item-vector cache folder.")] = Path(
        "var/cache/rec"
    ),
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Recall@10/50 and NDCG@10/50 on test.tsv of ours, SASRec, transitions, mean pooling, popularity."""
    from finetune.rec_eval import RecEvalConfig, evaluate_rec
    from recommender.data import RecDataError
    from shopmate.cli_eval import write_json
    from shopmate.models import minilm_path

    cli_settings(models=True)
    try:
        cfg = RecEvalConfig(
            data=data,
            embedder_path=minilm_path(),
            out=out,
            models=tuple(m.strip() for m in models.split(",") if m.strip()),
            members=members,
            max_minutes=max_minutes,
            threads=threads,
            cache_dir=cache_dir,
            progress=progress,
        )
        report = evaluate_rec(cfg)
    except (RecDataError, ValueError) as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True)
        raise typer.Exit(2) from e
    table = Table(
        "model",
        "Recall@10",
        "NDCG@10",
        "Recall@50",
        "NDCG@50",
        "train s",
        title=f"{data}: {report.n_test} test users, {report.n_items} items (full ranking)",
    )
    for name, r in report.models.items():
        m = r.metrics
        table.add_row(
            name,
            *(f"{m[k]:.4f}" for k in ("recall@10", "ndcg@10", "recall@50", "ndcg@50")),
            f"{r.train_s:.0f}",
        )
    console.print(table)
    if json_out is not None:
        write_json(json_out, report.as_dict())
        console.print(f"wrote {json_out}")
