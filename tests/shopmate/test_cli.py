"""The `shopmate` command line, in-process with Typer's runner, on real stores in a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopmate.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("serve", "ingest", "demo", "models"):
        assert cmd in r.output


def test_ingest_reports_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(tmp_path / "var"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "returns.md").write_text("# Returns\n\n## Window\nReturn within 30 days.\n")
    (docs / "logo.png").write_bytes(b"\x89PNG")
    (docs / "broken.jsonl").write_text("{oops\n")
    (docs / "prices.csv").write_text("name,price\nx,1\n")
    r = runner.invoke(app, ["ingest", str(docs)])
    assert r.exit_code == 1, r.output  # one file failed: non-zero, but the others went in
    assert "returns.md" in r.output and "ingested" in r.output
    assert "logo.png" in r.output and "not knowledge" in r.output
    assert "broken.jsonl" in r.output and "not valid JSON" in r.output
    # the reason is printed as is (no markup swallowed)
    assert "needs a 'text' column" in r.output and "['name', 'price']" in r.output

    again = runner.invoke(app, ["ingest", str(docs / "returns.md")])
    assert again.exit_code == 0
    assert "0 new, 1 unchanged, 0 removed" in again.output


def test_catalog_csv_goes_to_products(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(tmp_path / "var"))
    csv = tmp_path / "catalog.csv"
    csv.write_text(
        "id,title,description,category,brand,price,stock,attributes\n"
        'x1,Trail Tent,A two person tent.,Camping > Tents,Fjell,199,4,"{""colour"": ""green""}"\n'
    )
    r = runner.invoke(app, ["ingest", str(csv), "--collection", "products"])
    assert r.exit_code == 0, r.output
    from shop.repository import ShopRepository

    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'var' / 'shop.db'}")
    p = repo.get_product("x1")
    assert p is not None and p.attributes == {"colour": "green"} and p.stock == 4


def test_invalid_settings_exit_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMATE_PORT", "99999")
    r = runner.invoke(app, ["serve"])
    assert r.exit_code == 2
    assert "invalid settings" in r.output and "port" in r.output


def test_ingested_rows_are_redacted_but_shop_pages_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reviews and tickets may carry shoppers' personal data; the shop's own pages carry its
    contact details on purpose."""
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(tmp_path / "var"))
    (tmp_path / "reviews.jsonl").write_text(
        '{"id": "r1", "text": "Great tent! Questions? mail me at jo@example.com", "product_id": "p1"}\n'
    )
    (tmp_path / "contact.md").write_text(
        "# Contact\n\n## Phone\nCall us on 0131 496 0123, 9am to 5pm.\n"
    )
    assert (
        runner.invoke(
            app, ["ingest", str(tmp_path / "reviews.jsonl"), str(tmp_path / "contact.md")]
        ).exit_code
        == 0
    )
    from retrieval.store import VectorStore

    store = VectorStore.open(path=tmp_path / "var" / "chroma")
    texts = {
        h.id: h.text
        for h in store.get("knowledge", store.ids_where("knowledge", {"source": {"$ne": ""}}))
    }
    assert texts["r1"] == "Great tent! Questions? mail me at [email]"
    assert any("0131 496 0123" in t for t in texts.values())
