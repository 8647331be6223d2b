"""Reading and writing catalog CSV files.

Columns: id, title, description, category (path with " > "), brand, price,
stock, attributes (a JSON object). Every row is checked; the first bad row
stops the import with its line number and what is wrong, before anything is written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from shop.repository import ProductRecord

CATALOG_COLUMNS = (
    "id",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "stock",
    "attributes",
)
REQUIRED = ("id", "title", "price")


class CatalogError(ValueError):
    """A catalog file is unusable; the message names the line and the problem."""


def write_catalog_csv(path: Path, products: Iterable[ProductRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CATALOG_COLUMNS)
        for p in products:
            w.writerow(
                [
                    p.id,
                    p.title,
                    p.description,
                    p.category,
                    p.brand,
                    f"{p.price:.2f}",
                    p.stock,
                    json.dumps(p.attributes, sort_keys=True),
                ]
            )
    tmp.replace(path)


def is_catalog_csv(path: Path) -> bool:
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f), [])
    return all(c in header for c in REQUIRED)


def read_catalog_csv(path: Path) -> list[ProductRecord]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(
                f"{path}: missing column(s) {missing}; expected {', '.join(CATALOG_COLUMNS)}"
            )
        out: list[ProductRecord] = []
        seen: set[str] = set()
        for n, row in enumerate(reader, start=2):
            pid = (row.get("id") or "").strip()
            title = (row.get("title") or "").strip()
            if not pid or not title:
                raise CatalogError(f"{path}:{n}: 'id' and 'title' must not be empty")
            if pid in seen:
                raise CatalogError(f"{path}:{n}: duplicate product id {pid!r}")
            seen.add(pid)
            try:
                price = float(row.get("price") or 0)
                stock = int(row.get("stock") or 0)
            except ValueError as e:
                raise CatalogError(
                    f"{path}:{n}: price must be a number and stock a whole number ({e})"
                ) from e
            if price < 0 or stock < 0:
                raise CatalogError(f"{path}:{n}: price and stock must not be negative")
            raw_attrs = (row.get("attributes") or "").strip()
            try:
                attrs = json.loads(raw_attrs) if raw_attrs else {}
            except json.JSONDecodeError as e:
                raise CatalogError(f"{path}:{n}: attributes must be a JSON object ({e.msg})") from e
            if not isinstance(attrs, dict):
                raise CatalogError(
                    f"{path}:{n}: attributes must be a JSON object, got {type(attrs).__name__}"
                )
            out.append(
                ProductRecord(
                    pid,
                    title,
                    (row.get("description") or "").strip(),
                    (row.get("category") or "").strip(),
                    (row.get("brand") or "").strip(),
                    price,
                    stock,
                    {str(k): str(v) for k, v in attrs.items()},
                )
            )
    return out
