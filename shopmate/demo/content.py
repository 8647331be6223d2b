"""The demo shop's content, read from the data files under ``shopmate/demo/data/``.

Everything a shop owner would write lives there as plain files, and this module only reads
and checks them:

- ``catalog.csv``: the products, in shopmate's own catalog columns (README "Load your own
  shop"), read by the same :func:`shop.catalog_io.read_catalog_csv` as a real shop's catalog;
- ``kb/*.md``: the help pages, one Markdown file per page, the slug is the file name;
- ``policy_qa.jsonl``: the support team's answers, one intent a line: ``topic`` (a page slug),
  ``questions`` (shopper phrasings), ``answer`` and ``facts`` (phrases the answer and the page
  share word for word);
- ``shoppers.json``: name pools, e-mail domains and personas (related categories) for the
  generated shoppers;
- ``shop.json``: the shop's name and the sign-offs of its support agents.

    content = DemoContent.load()  # or DemoContent.load(Path("my-demo-data"))
    len(content.products), content.pages[0].slug
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shop.catalog_io import read_catalog_csv
from shopmate.demo.records import DemoPage, DemoProduct, PolicyQuestion, ShopperPools

DATA_DIR = Path(__file__).with_name("data")


class ContentError(ValueError):
    """A demo data file is missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class DemoContent:
    """The literal content of the demo shop, as read from one data folder."""

    name: str
    agent_replies: tuple[str, ...]  # what a support agent writes when taking over a chat
    products: tuple[DemoProduct, ...]
    pages: tuple[DemoPage, ...]
    policy_questions: tuple[PolicyQuestion, ...]
    shoppers: ShopperPools

    @classmethod
    def load(cls, root: Path = DATA_DIR) -> DemoContent:
        """Read and check every file of the data folder ``root``."""
        if not root.is_dir():
            raise ContentError(f"{root}: no such demo data folder")
        shop = _json(root / "shop.json")
        return cls(
            name=_text(shop, "name", root / "shop.json"),
            agent_replies=_texts(shop, "agent_replies", root / "shop.json"),
            products=load_products(root / "catalog.csv"),
            pages=load_pages(root / "kb"),
            policy_questions=load_policy_questions(root / "policy_qa.jsonl"),
            shoppers=load_shoppers(root / "shoppers.json"),
        )

    def digest(self) -> str:
        """A short fingerprint of everything read: equal content, equal digest."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


@cache
def packaged_content() -> DemoContent:
    """The content shipped with shopmate, read once per process."""
    return DemoContent.load()


def load_products(path: Path) -> tuple[DemoProduct, ...]:
    """The catalog CSV as demo products; each needs a price and a stock."""
    products = []
    for r in read_catalog_csv(path):
        if r.price is None or r.stock is None:
            raise ContentError(f"{path}: product {r.id} needs a price and a stock")
        attributes = {k: str(v) for k, v in r.attributes.items()}
        products.append(
            DemoProduct(
                r.id, r.title, r.description, r.category, r.brand, r.price, r.stock, attributes
            )
        )
    if not products:
        raise ContentError(f"{path}: the catalog has no products")
    return tuple(products)


def load_pages(folder: Path) -> tuple[DemoPage, ...]:
    """Every ``*.md`` page of ``folder`` by file name; each opens with "# Title"."""
    pages = []
    for path in sorted(folder.glob("*.md")):
        markdown = path.read_text(encoding="utf-8")
        first_line = markdown.split("\n", 1)[0]
        if not first_line.startswith("# "):
            raise ContentError(f"{path}: a page must start with '# Title', got {first_line!r}")
        pages.append(DemoPage(slug=path.stem, title=first_line[2:].strip(), markdown=markdown))
    if not pages:
        raise ContentError(f"{folder}: no help pages (*.md)")
    return tuple(pages)


def load_policy_questions(path: Path) -> tuple[PolicyQuestion, ...]:
    """The support intents of a JSON-lines file, in file order (blank lines are skipped)."""
    intents = []
    for n, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ContentError(f"{where}: not JSON ({e.msg})") from e
        intents.append(
            PolicyQuestion(
                topic=_text(row, "topic", where),
                questions=_texts(row, "questions", where),
                answer=_text(row, "answer", where),
                facts=_texts(row, "facts", where, allow_empty=True),
            )
        )
    return tuple(intents)


def load_shoppers(path: Path) -> ShopperPools:
    """Name pools, e-mail domains and personas for the generated shoppers."""
    data = _json(path)
    personas = data.get("personas")
    if not isinstance(personas, list) or not all(
        isinstance(p, list) and p and all(isinstance(c, str) for c in p) for p in personas
    ):
        raise ContentError(f"{path}: 'personas' must be a list of lists of category paths")
    return ShopperPools(
        first_names=_texts(data, "first_names", path),
        last_names=_texts(data, "last_names", path),
        email_domains=_texts(data, "email_domains", path),
        personas=tuple(tuple(p) for p in personas),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(f"{path}: missing") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as e:
        raise ContentError(f"{path}: not JSON ({e.msg}, line {e.lineno})") from e
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a JSON object")
    return data


def _text(row: dict[str, Any], key: str, where: Path | str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: '{key}' must be a non-empty string")
    return value


def _texts(
    row: dict[str, Any], key: str, where: Path | str, allow_empty: bool = False
) -> tuple[str, ...]:
    value = row.get(key)
    if (
        not isinstance(value, list)
        or not (value or allow_empty)
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise ContentError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)
