"""The `shopmate` command line. It only parses options; the work lives in the packages.

shopmate demo build        # generate and load the demo shop (skipped when already built)
shopmate serve             # API at /docs, chat at /ui
shopmate ingest docs/      # add Markdown/HTML/text/JSONL/CSV knowledge, or a catalog CSV
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from shopmate.cli_bot import eval_intents, finetune_intents
from shopmate.cli_eval import eval_app
from shopmate.cli_growth import analytics_app, experiments_app, simulate_cmd
from shopmate.cli_offpolicy import estimate_cmd, replay_cmd, size_cmd, train_policy_cmd
from shopmate.cli_qa import eval_qa, finetune_generator, finetune_judge, finetune_matcher
from shopmate.cli_rec import eval_rec, user_encoder
from shopmate.cli_redact import redact_cmd
from shopmate.cli_setup import cli_settings
from shopmate.console import make_console

app = typer.Typer(help="shopmate: the shopping assistant for online shops.", no_args_is_help=True)
demo_app = typer.Typer(help="The generated demo shop.", no_args_is_help=True)
models_app = typer.Typer(help="Packaged model weights.", no_args_is_help=True)
finetune_app = typer.Typer(
    help="Train shopmate's models on a shop's own data.", no_args_is_help=True
)
eval_app.command("intents")(eval_intents)
finetune_app.command("intents")(finetune_intents)
eval_app.command("rec")(eval_rec)
finetune_app.command("user-encoder")(user_encoder)
finetune_app.command("matcher")(finetune_matcher)
finetune_app.command("judge")(finetune_judge)
finetune_app.command("generator")(finetune_generator)
eval_app.command("qa")(eval_qa)
app.add_typer(demo_app, name="demo")
app.add_typer(models_app, name="models")
app.add_typer(
    eval_app, name="eval", help="Measure retrieval, intents and recommendations on data sets."
)
app.add_typer(finetune_app, name="finetune")
experiments_app.command("replay")(replay_cmd)
experiments_app.command("size")(size_cmd)
experiments_app.command("estimate")(estimate_cmd)
experiments_app.command("train-policy")(train_policy_cmd)
app.add_typer(experiments_app, name="experiments")
app.add_typer(analytics_app, name="analytics")
app.command("simulate")(simulate_cmd)
app.command("redact")(redact_cmd)
console = make_console()


@demo_app.command("build")
def demo_build(
    seed: Annotated[
        int | None, typer.Option(help="Seed of the generated shop (default SHOPMATE_DEMO_SEED).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even when this seed is already built.")
    ] = False,
) -> None:
    """Generate the demo shop (catalog, help pages, Q/A history, shoppers) and index it."""
    from shopmate.demo.build import build_demo
    from shopmate.wiring import build_services

    s = cli_settings()
    services = build_services(s, warm=False)  # models load only if there is something to build
    report = build_demo(services, seed if seed is not None else s.demo_seed, force=force)
    verb = "already built" if report.skipped else "built"
    console.print(
        f"demo shop {verb} (seed {report.seed}): {report.products} products, {report.pages} help pages "
        f"({report.passages} passages), {report.qa_pairs} past Q/A, {report.users} shoppers, "
        f"{report.events} events, {report.orders} orders in {s.data_dir}",
        soft_wrap=True,
    )


@models_app.command("prepare")
def models_prepare() -> None:
    """Convert the packaged SmolLM2 GGUF to safetensors once (later starts take seconds)."""
    from shopmate.models import minilm_path, prepare_llm

    s = cli_settings()
    console.print(f"embedder: {minilm_path()}")
    with console.status("preparing SmolLM2-135M-Instruct (first time only, ~30 s)"):
        path = prepare_llm(s.models_dir)
    console.print(f"chat model: {path}")


COLLECTIONS = ("knowledge", "products")


def _source_name(f: Path) -> str:
    """The name a file's passages are stored under: its path from the working directory
    when it lies below it, else its folder's name and its own; never an absolute path (the
    same file gets the same name whether it is ingested alone or with its folder)."""
    full = f.resolve()
    try:
        return full.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return f"{full.parent.name}/{full.name}" if full.parent.name else full.name


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.", exists=True)],
    collection: Annotated[
        str,
        typer.Option(
            help="'knowledge' for help pages, promotions and passages; 'products' for a "
            "catalog export (found by its header: shopmate's columns, Shopify, WooCommerce)."
        ),
    ] = "knowledge",
    map_file: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="A TOML column mapping for any other catalog export (README: 'Load your own "
            "shop'); implies --collection products.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Ingest knowledge files (.md .html .txt .jsonl .csv) or catalog exports; one line per
    file, then a summary. A catalog CSV found among knowledge files is imported as products."""
    if collection not in COLLECTIONS:
        console.print(
            f"[red]unknown collection {collection!r}[/red]; accepted: {', '.join(COLLECTIONS)} "
            "(knowledge: help pages, FAQs, promotions; products: catalog exports)"
        )
        raise typer.Exit(2)
    from rich.progress import Progress

    from bot.redact import redact
    from retrieval.ingest import KNOWLEDGE_SUFFIXES, IngestError, load_file
    from shop.catalog_import import read_catalog
    from shop.catalog_io import CatalogError, is_catalog_csv
    from shopmate.wiring import build_services

    s = cli_settings()
    files = [
        f
        for root in paths
        for f in ([root] if root.is_file() else sorted(root.rglob("*")))
        if f.is_file() and not f.name.startswith(".")
    ]
    if map_file is not None:
        collection = "products"
    with console.status("loading models"):
        services = build_services(s)
    failed = skipped_n = 0
    totals = {"passages": 0, "products": 0, "variants": 0}

    def ok(name: str, what: str) -> None:
        console.print(f"[green]ingested[/green] {escape(name)}: {escape(what)}", soft_wrap=True)

    def skipped(name: str, reason: str) -> None:
        console.print(f"[yellow]skipped[/yellow]  {escape(name)}: {escape(reason)}", soft_wrap=True)

    with Progress(console=console, transient=True, disable=not progress) as bar:
        task = bar.add_task("ingesting", total=len(files))
        for f in files:
            name = _source_name(f)
            bar.update(task, description=f"ingesting {name}")
            try:
                catalog = collection == "products" or (
                    f.suffix.lower() == ".csv" and is_catalog_csv(f)
                )
                if catalog:
                    report = read_catalog(f, map_file)
                    services.repo.upsert_products(report.products)
                    n = services.item_index.index(report.products)
                    totals["products"] += len(report.products)
                    totals["variants"] += sum(len(p.variants) for p in report.products)
                    ok(name, f"{n} products embedded, {len(report.products) - n} unchanged")
                    for line in report.summary():
                        console.print(f"  {escape(line)}", soft_wrap=True)
                elif f.suffix.lower() not in KNOWLEDGE_SUFFIXES:
                    skipped_n += 1
                    skipped(
                        name,
                        f"{f.suffix or 'extension-less'} files are not knowledge "
                        f"(accepted: {', '.join(sorted(KNOWLEDGE_SUFFIXES))})",
                    )
                else:
                    for r in services.ingestor.ingest(
                        load_file(f, source=name, clean_rows=redact), collection
                    ):
                        totals["passages"] += r.added + r.unchanged
                        ok(r.source, f"{r.added} new, {r.unchanged} unchanged, {r.removed} removed")
            except (IngestError, CatalogError) as e:
                failed += 1
                skipped(name, str(e))
            bar.advance(task)
    console.print(
        f"done: {len(files) - failed - skipped_n} of {len(files)} file(s) ingested — "
        f"{totals['passages']} knowledge passages, {totals['products']} products "
        f"({totals['variants']} variants); {skipped_n} skipped, {failed} failed"
    )
    if failed:
        raise typer.Exit(1)


@app.command()
def forget(user_id: Annotated[str, typer.Argument(help="The shopper to erase.")]) -> None:
    """Erase a shopper's events, conversations and orders (their vector goes with their events)."""
    from shop.repository import ShopRepository

    s = cli_settings()
    erased = ShopRepository.from_url(s.resolved_database_url()).forget_user(user_id)
    console.print(
        f"erased {user_id}: " + ", ".join(f"{n} {k}" for k, n in erased.items()), soft_wrap=True
    )


GRACEFUL_SHUTDOWN_S = 10  # SIGTERM: requests still running after this are cut, so it always stops


def port_in_use(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (e.g. "address already in use"), or None."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        return str(e)
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(addr)
        except OSError as e:
            return e.strerror or str(e)
    return None


def tour(base: str, several_shops: bool) -> str:
    """The banner `shopmate serve` prints once the models are loaded: every surface's URL."""
    shop = "/t/<shop>" if several_shops else ""
    return "\n".join(
        [
            f"shopmate is up at {base}",
            f"  chat for shoppers    {base}{shop}/ui",
            f"  widget demo          {base}/widget/demo.html  (a product page: /widget/demo-product.html)",
            f"  agent desk           {base}{shop}/agent",
            f"  admin                {base}{shop}/admin",
            f"  API docs             {base}/docs",
        ]
    )


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default SHOPMATE_HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default SHOPMATE_PORT, 8000).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes. Above 1 they share state through the database and a Chroma "
            "server (SHOPMATE_CHROMA_URL, from `chroma run`); each loads its own models.",
        ),
    ] = 1,
) -> None:
    """Serve the API (/docs) and the chat UI (/ui)."""
    import os

    import uvicorn

    from api.app import create_app

    s = cli_settings()
    host, port = host or s.host, port or s.port
    s = s.model_copy(update={"host": host, "port": port})
    if s.chroma_url:  # an unreachable Chroma: one line naming it, not a traceback after a hang
        from retrieval.store import StoreUnavailable, probe

        try:
            probe(s.chroma_url, timeout=5.0)
        except StoreUnavailable as e:
            console.print(f"[red]error:[/red] {escape(str(e))}", soft_wrap=True)
            raise typer.Exit(2) from None
    if workers > 1:
        if not s.chroma_url:
            console.print(
                "[red]error:[/red] several workers need a shared Chroma server: start `chroma run "
                "--path DIR --port 8001` and set SHOPMATE_CHROMA_URL=http://127.0.0.1:8001",
                soft_wrap=True,
            )
            raise typer.Exit(2)
        # each worker builds its app from the environment (the settings' one source)
        os.environ["SHOPMATE_HOST"], os.environ["SHOPMATE_PORT"] = host, str(port)
        console.print(f"shopmate: {workers} workers on http://{host}:{port}", soft_wrap=True)
        uvicorn.run(
            "api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=s.log_level.lower(),
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        return

    busy = port_in_use(host, port)
    if busy:  # say so before loading models or printing a banner that would not be true
        console.print(
            f"[red]error:[/red] cannot listen on {host}:{port} ({busy}); stop what is using it "
            "or choose another port with --port or SHOPMATE_PORT",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    base = f"http://{host}:{port}"

    def ready() -> None:
        console.print(tour(base, bool(s.tenants_file)), soft_wrap=True)

    app_ = create_app(s, on_ready=ready)
    uvicorn.run(
        app_,
        host=host,
        port=port,
        log_level=s.log_level.lower(),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


if __name__ == "__main__":
    app()
