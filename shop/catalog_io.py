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
# optional columns of shopmate's own format (README "Load your own shop")
OPTIONAL_COLUMNS = (
    "sku",
    "sale_price",
    "parent_id",
    "options",
    "image",
    "url",
    "related",
    "cross_sells",
    "upsells",
    "visibility",
)
REQUIRED = ("id", "title", "price")


class CatalogError(ValueError):
    """A catalog file is unusable; the message names the line and the problem."""


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def write_catalog_csv(path: Path, products: Iterable[ProductRecord]) -> None:
    """shopmate's own catalog format: one row per product, one per variant (`parent_id`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow((*CATALOG_COLUMNS, *OPTIONAL_COLUMNS))
        for p in products:
            links = {k: ",".join(v) for k, v in p.links.items()}
            w.writerow(
                [
                    p.id,
                    p.title,
                    p.description,
                    p.category,
                    p.brand,
                    _num(p.price),
                    "" if p.stock is None else p.stock,
                    json.dumps(p.attributes, sort_keys=True),
                    p.sku,
                    _num(p.sale_price),
                    "",
                    "",
                    ",".join(p.images),
                    p.url,
                    links.get("related", ""),
                    links.get("cross_sell", ""),
                    links.get("upsell", ""),
                    "" if p.listed else "hidden",
                ]
            )
            for v in p.variants:
                w.writerow(
                    [
                        v.sku,
                        "",
                        "",
                        "",
                        "",
                        _num(v.price),
                        "" if v.stock is None else v.stock,
                        "",
                        v.sku,
                        _num(v.sale_price),
                        p.id,
                        json.dumps(v.options),
                        *[""] * 6,
                    ]
                )
    tmp.replace(path)


def is_catalog_csv(path: Path) -> bool:
    """A CSV whose header is a catalog export shopmate recognises."""
    from shop.catalog_import import detect_format

    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    return detect_format(header) is not None


def read_catalog_csv(path: Path) -> list[ProductRecord]:
    """The products of a catalog CSV in shopmate's own format (or a Shopify or
    WooCommerce export; see shop/catalog_import.py for the report of what was read)."""
    from shop.catalog_import import read_catalog

    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    missing = [c for c in REQUIRED if c not in header]
    from shop.catalog_import import detect_format

    if missing and detect_format(header) is None:
        raise CatalogError(
            f"{path}: missing column(s) {missing}; expected {', '.join(CATALOG_COLUMNS)}"
        )
    return read_catalog(path).products
