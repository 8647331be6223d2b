"""`shopmate demo build` is deterministic and idempotent on real SQLite and Chroma."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from shopmate.demo.build import build_demo, is_built
from shopmate.demo.content import packaged_content
from shopmate.demo.generate import generate_demo_shop
from shopmate.settings import Settings
from shopmate.wiring import KNOWLEDGE, QA_HISTORY, Services, build_services


def _fingerprint(svc: Services, user_ids: list[str]) -> dict[str, str]:
    """Digest of the demo shop's rows and Chroma entries, independent of the data dir.

    Rows of other shoppers (other tests add events to the shared shop) are left out.
    """
    out = {}
    marks = ",".join("?" * len(user_ids))
    queries = {
        "products": ("SELECT * FROM products", ()),
        "qa_pairs": ("SELECT * FROM qa_pairs", ()),
        "users": (f"SELECT * FROM users WHERE id IN ({marks})", tuple(user_ids)),
        "events": (
            f"SELECT user_id, product_id, type, ts FROM events WHERE user_id IN ({marks})",
            tuple(user_ids),
        ),
        "orders": (f"SELECT * FROM orders WHERE user_id IN ({marks})", tuple(user_ids)),
    }
    with svc.repo.engine.connect() as conn:
        for table, (sql, params) in queries.items():
            rows = conn.exec_driver_sql(sql, params).fetchall()
            out[table] = hashlib.sha256(json.dumps(sorted(map(repr, rows))).encode()).hexdigest()
    product_ids = [p.id for p in svc.repo.all_products()]
    for col in (KNOWLEDGE, QA_HISTORY, "products"):
        ids = (
            product_ids if col == "products" else svc.store.ids_where(col, {"source": {"$ne": ""}})
        )
        hits = svc.store.get(col, ids)
        out[col] = hashlib.sha256(
            json.dumps(sorted((h.id, h.text) for h in hits)).encode()
        ).hexdigest()
    return out


@pytest.fixture(scope="module")
def shop(embedder, tmp_path_factory: pytest.TempPathFactory) -> Services:  # type: ignore[no-untyped-def]
    """A demo shop of this module's own: other tests add events to the shared one."""
    svc = build_services(Settings(data_dir=tmp_path_factory.mktemp("own-shop")), embedder=embedder)
    build_demo(svc, seed=7, progress=False)
    return svc


def test_same_seed_builds_the_same_shop(shop, embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = build_services(Settings(data_dir=tmp_path / "again"), embedder=embedder)
    report = build_demo(other, seed=7, progress=False)
    assert not report.skipped
    assert report.products >= 300 and report.pages >= 15 and report.qa_pairs >= 150
    assert report.users >= 200
    user_ids = [u.id for u in generate_demo_shop(7).users]
    assert _fingerprint(other, user_ids) == _fingerprint(shop, user_ids)


def test_rebuild_is_skipped_or_upserts_without_duplicates(shop) -> None:  # type: ignore[no-untyped-def]
    services = shop
    counts = services.repo.table_counts()
    passages = services.store.count(KNOWLEDGE)
    assert is_built(services, 7) is not None
    assert build_demo(services, seed=7, progress=False).skipped

    forced = build_demo(services, seed=7, force=True, progress=False)
    assert not forced.skipped
    after = services.repo.table_counts()
    for table in ("products", "users", "events", "orders", "qa_pairs"):
        assert after[table] == counts[table], table
    assert services.store.count(KNOWLEDGE) == passages == forced.passages
    assert services.store.count("products") == counts["products"]


def test_demo_files_are_written_for_operators_to_read(shop) -> None:  # type: ignore[no-untyped-def]
    services = shop
    root = services.settings.data_dir / "demo"
    assert (root / "catalog.csv").exists()
    assert len(list((root / "kb").glob("*.md"))) >= 15
    marker = json.loads((root / "BUILT.json").read_text())
    assert marker["seed"] == 7
    # edited data files change the digest, so the next build does not skip
    assert marker["content"] == packaged_content().digest()
