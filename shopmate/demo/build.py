"""`shopmate demo build`: writes the generated demo shop into the database and Chroma.

The content comes from the data files of `shopmate/demo/data/` (see
:mod:`shopmate.demo.content`), the history around it from the seed. The shop goes in
through the same doors as a real shop's data: the catalog as a CSV file, the help
pages as Markdown files (both written under `<data_dir>/demo/`), ingested by
`shop.catalog_io` and `retrieval.ingest`. A marker file written
last records the seed and a digest of the content, so a second `make run` skips the
build, and edited data files build again.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import delete

from retrieval.ingest import load_file
from shop.catalog_io import read_catalog_csv, write_catalog_csv
from shop.models import Feedback, Message, Order
from shop.repository import EventRecord, ProductRecord
from shopmate.demo.content import packaged_content
from shopmate.demo.generate import generate_demo_shop
from shopmate.demo.records import DemoShop
from shopmate.demo.support_history import SESSION_PREFIX, PastChat, generate_support_history
from shopmate.wiring import KNOWLEDGE, QA_HISTORY, Services

log = logging.getLogger(__name__)

MARKER = "BUILT.json"


@dataclass(frozen=True)
class BuildReport:
    seed: int
    products: int
    pages: int
    passages: int
    qa_pairs: int
    users: int
    events: int
    orders: int
    skipped: bool = False
    content: str = ""  # digest of the data files the shop was built from


def demo_dir(services: Services) -> Path:
    return services.settings.data_dir / "demo"


def is_built(services: Services, seed: int) -> BuildReport | None:
    marker = demo_dir(services) / MARKER
    if not marker.exists():
        return None
    data = json.loads(marker.read_text())
    if (
        data.get("seed") != seed
        or data.get("content") != packaged_content().digest()
        or services.repo.count_products() != data.get("products")
    ):
        return None
    return BuildReport(**{**data, "skipped": True})


def _write_files(shop: DemoShop, root: Path) -> tuple[Path, list[Path]]:
    products = [
        ProductRecord(
            p.id, p.title, p.description, p.category, p.brand, p.price, p.stock, dict(p.attributes)
        )
        for p in shop.products
    ]
    catalog = root / "catalog.csv"
    write_catalog_csv(catalog, products)
    kb = root / "kb"
    kb.mkdir(parents=True, exist_ok=True)
    pages = []
    for page in shop.pages:
        path = kb / f"{page.slug}.md"
        path.write_text(page.markdown, encoding="utf-8")
        pages.append(path)
    with (root / "qa_history.jsonl").open("w", encoding="utf-8") as f:
        for qa in shop.qa:
            f.write(
                json.dumps(
                    {
                        "id": qa.id,
                        "question": qa.question,
                        "answer": qa.answer,
                        "product_id": qa.product_id,
                        "topic": qa.topic,
                    }
                )
                + "\n"
            )
    return catalog, pages


def build_demo(
    services: Services, seed: int, force: bool = False, progress: bool = True
) -> BuildReport:
    """Generate the demo shop for `seed` and load it. Idempotent: reruns skip or upsert."""
    if not force and (done := is_built(services, seed)):
        return done
    root = demo_dir(services)
    (root / MARKER).unlink(missing_ok=True)
    content = packaged_content()
    shop = generate_demo_shop(seed, content)
    repo, store, embedder = services.repo, services.store, services.embedder
    with Progress(disable=not progress) as bar:
        task = bar.add_task("building the demo shop", total=6)
        catalog, pages = _write_files(shop, root)
        bar.advance(task)

        products = read_catalog_csv(catalog)
        repo.upsert_products(products)
        services.item_index.index(products)
        bar.advance(task)

        passages = [p for path in pages for p in load_file(path, source=f"kb/{path.name}")]
        services.ingestor.ingest(passages, KNOWLEDGE)
        # pages that vanished from the KB (a different seed or an older version) go too
        stale = {path for path in _indexed_sources(services)} - {f"kb/{p.name}" for p in pages}
        for source in stale:
            store.delete(KNOWLEDGE, store.ids_where(KNOWLEDGE, {"source": source}))
        bar.advance(task)

        repo.upsert_qa([(q.id, q.question, q.answer, q.product_id, q.topic) for q in shop.qa])
        vecs = embedder.encode([q.question for q in shop.qa])
        store.upsert(
            QA_HISTORY,
            [q.id for q in shop.qa],
            vecs,
            [q.question for q in shop.qa],
            [
                {
                    "answer": q.answer,
                    "product_id": q.product_id,
                    "topic": q.topic,
                    "source": "qa-history",
                }
                for q in shop.qa
            ],
        )
        bar.advance(task)

        repo.replace_history(
            [(u.id, u.name, u.email) for u in shop.users],
            [EventRecord(e.user_id, e.product_id, e.type, e.ts) for e in shop.events],
            [
                Order(
                    id=o.id,
                    user_id=o.user_id,
                    product_ids=list(o.product_ids),
                    status=o.status,
                    created_at=o.created_at,
                    total=o.total,
                )
                for o in shop.orders
            ],
        )
        # weeks of past support chats up to yesterday, for the admin panel's charts
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
        chats = generate_support_history(
            random.Random(seed), yesterday, content.policy_questions, content.agent_replies
        )
        load_support_history(services, chats)
        bar.advance(task)

        report = BuildReport(
            seed,
            len(products),
            len(pages),
            len(passages),
            len(shop.qa),
            len(shop.users),
            len(shop.events),
            len(shop.orders),
            content=content.digest(),
        )
        tmp = root / (MARKER + ".tmp")
        tmp.write_text(json.dumps(report.__dict__ | {"skipped": False}, indent=2))
        tmp.replace(root / MARKER)
        bar.advance(task)
    return report


def load_support_history(services: Services, chats: list[PastChat]) -> None:
    """Replace the demo's past chats (and their thumbs) with `chats`, in one transaction."""
    with services.repo.session() as s, s.begin():
        s.execute(delete(Feedback).where(Feedback.session_id.startswith(SESSION_PREFIX)))
        s.execute(delete(Message).where(Message.session_id.startswith(SESSION_PREFIX)))
        for chat in chats:
            rows = [
                Message(
                    session_id=chat.session_id,
                    user_id=None,
                    role=role,
                    text=text,
                    meta=meta,
                    created_at=at,
                )
                for role, text, meta, at in chat.messages
            ]
            s.add_all(rows)
            if chat.thumbs:
                s.flush()  # the message ids the thumbs point at
            for kind, index, at in chat.thumbs:
                s.add(
                    Feedback(
                        session_id=chat.session_id,
                        thumbs=kind,
                        comment="",
                        message_id=rows[index].id,
                        created_at=at,
                    )
                )


def _indexed_sources(services: Services) -> set[str]:
    ids = services.store.ids_where(KNOWLEDGE, {"source": {"$ne": ""}})
    return {
        str(h.metadata.get("source"))
        for h in services.store.get(KNOWLEDGE, ids)
        if str(h.metadata.get("source", "")).startswith("kb/")
    }
