"""Catalog import from the exports shops already have.

    report = read_catalog(Path("products.csv"))               # format found by its header
    report = read_catalog(Path("export.csv"), Path("map.toml"))  # any other export
    repo.upsert_products(report.products); print(report.summary())

Recognised by header: shopmate's own columns (README "Load your own shop"), Shopify's
product CSV and WooCommerce's product CSV export; anything else (Magento, PrestaShop, a
spreadsheet) goes through a small TOML column mapping (`[columns]`, `[options]`,
`[attributes]`, see the README). Variants fold under their parent with their option
values, SKU, price and stock; sale and regular price, related / up-sell / cross-sell links
and image URLs are kept; HTML is stripped and list items become sentences of their own.
A blank price or stock stays unknown (None), never 0. Every row is checked: the first
unusable value stops the import with its line number, before anything is written.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shop.catalog_io import CATALOG_COLUMNS, OPTIONAL_COLUMNS, CatalogError
from shop.catalog_text import clean_description, parse_options
from shop.repository import LINK_KINDS, ProductRecord, Variant

SHOPIFY_HEADER = {"Handle", "Title", "Body (HTML)", "Variant Price"}
WOO_HEADER = {"ID", "Type", "SKU", "Name", "Regular price"}
SHOPMATE_REQUIRED = ("id", "title", "price")
# catalog visibility values that hide a product (WooCommerce "hidden", PrestaShop "none"):
# it is imported and answered on its own page, but never suggested or found by search
HIDDEN = ("hidden", "none")
MAP_FIELDS = (
    "id",
    "parent_id",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "sale_price",
    "stock",
    "sku",
    "image",
    "url",
    "related",
    "cross_sells",
    "upsells",
    "status",
    "visibility",
    "key",
)
VARIANT_FIELDS = (
    "file",
    "parent",
    "sku",
    "price",
    "price_add",
    "stock",
    "option_names",
    "option_values",
)


@dataclass
class Row:
    """One export row in shopmate's terms, before variants are folded under parents."""

    line: int
    id: str
    parent: str = ""  # a variant row: its parent's id or SKU
    title: str = ""
    description: str = ""
    category: str = ""
    brand: str = ""
    price: float | None = None
    sale_price: float | None = None
    stock: int | None = None
    sku: str = ""
    options: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    url: str = ""
    links: dict[str, list[str]] = field(default_factory=dict)
    refs: list[str] = field(default_factory=list)  # other names variants use for it
    price_add: float | None = None  # a variant priced as its parent's price plus this
    listed: bool = True  # False: the export hides it from the catalog and search


@dataclass
class ImportReport:
    """What an import did: the products, and what was mapped, folded and skipped."""

    source: str
    format: str
    products: list[ProductRecord]
    mapped: dict[str, str]  # shopmate field -> the export's column
    unused_columns: list[str]
    folded: int = 0  # variant rows folded under their parent
    skipped: list[str] = field(default_factory=list)  # "line N: reason"

    @property
    def unknown_price(self) -> int:
        return sum(p.current_price is None for p in self.products)

    @property
    def unknown_stock(self) -> int:
        return sum(
            p.stock is None and all(v.stock is None for v in p.variants) for p in self.products
        )

    def summary(self) -> list[str]:
        n_var = sum(len(p.variants) for p in self.products)
        lines = [
            f"{self.source}: {self.format} export, {len(self.products)} products "
            f"({n_var} variants folded from {self.folded} rows), {len(self.skipped)} rows skipped",
            "mapped: " + ", ".join(f"{k} <- {v}" for k, v in self.mapped.items()),
        ]
        if self.unknown_price or self.unknown_stock:
            lines.append(
                f"unknown: price for {self.unknown_price}, stock for {self.unknown_stock} "
                "product(s) (blank in the export; the bot says the page doesn't list it)"
            )
        if hidden := sum(not p.listed for p in self.products):
            lines.append(
                f"hidden: {hidden} product(s) the export keeps out of its catalog (answered on "
                "their own page, never suggested or found by search)"
            )
        if self.unused_columns:
            lines.append("not used: " + ", ".join(self.unused_columns))
        lines += [f"skipped {s}" for s in self.skipped[:20]]
        if len(self.skipped) > 20:
            lines.append(f"… and {len(self.skipped) - 20} more skipped rows")
        return lines


# values -------------------------------------------------------------------------------
_NUM = re.compile(r"-?\d[\d,. ]*")


def number(raw: str | None, what: str, line: int) -> float | None:
    """'45', '45.00', '£1,299.50', '12,5' -> float; blank -> None; nonsense -> CatalogError."""
    s = (raw or "").strip()
    if not s:
        return None
    m = _NUM.search(s.replace("\u00a0", " "))
    if m is None:
        raise CatalogError(f"line {line}: {what} {s!r} is not a number (blank means unknown)")
    t = m.group(0).replace(" ", "")
    if "," in t and "." not in t and re.fullmatch(r"-?\d+,\d{1,2}", t):
        t = t.replace(",", ".")  # a decimal comma: 12,5
    t = t.replace(",", "")
    try:
        value = float(t)
    except ValueError as e:
        raise CatalogError(f"line {line}: {what} {s!r} is not a number") from e
    if value < 0 or value != value or value in (float("inf"), float("-inf")):
        raise CatalogError(f"line {line}: {what} must be a finite number ≥ 0, got {s!r}")
    return value


def signed(raw: str | None, what: str, line: int) -> float | None:
    """Like `number`, but '-5' and '+5' are allowed (a price difference)."""
    s = (raw or "").strip()
    value = number(s.lstrip("+-"), what, line)
    return None if value is None else (-value if s.startswith("-") else value)


def whole(raw: str | None, what: str, line: int) -> int | None:
    v = number(raw, what, line)
    return None if v is None else int(v)


def split_list(raw: str | None, sep: str = ",") -> list[str]:
    return [x.strip() for x in (raw or "").split(sep) if x.strip()]


# formats ------------------------------------------------------------------------------
def detect_format(header: list[str]) -> str | None:
    h = {c.strip() for c in header}
    if h >= SHOPIFY_HEADER:
        return "shopify"
    if h >= WOO_HEADER:
        return "woocommerce"
    if all(c in h for c in SHOPMATE_REQUIRED):
        return "shopmate"
    return None


def _shopmate_rows(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[Row]:
    for n, r in rows:
        attrs_raw = (r.get("attributes") or "").strip()
        attrs = parse_options(attrs_raw, n, "attributes") if attrs_raw else {}
        links = {
            kind: split_list(r.get(col))
            for kind, col in (
                ("cross_sell", "cross_sells"),
                ("upsell", "upsells"),
                ("related", "related"),
            )
            if split_list(r.get(col))
        }
        yield Row(
            n,
            (r.get("id") or "").strip(),
            parent=(r.get("parent_id") or "").strip(),
            title=(r.get("title") or "").strip(),
            description=r.get("description") or "",
            category=(r.get("category") or "").strip(),
            brand=(r.get("brand") or "").strip(),
            price=number(r.get("price"), "price", n),
            sale_price=number(r.get("sale_price"), "sale_price", n),
            stock=whole(r.get("stock"), "stock", n),
            sku=(r.get("sku") or "").strip(),
            options=parse_options(r.get("options") or "", n, "options"),
            attributes=attrs,
            images=split_list(r.get("image"), ",") if r.get("image") else [],
            url=(r.get("url") or "").strip(),
            links=links,
            listed=(r.get("visibility") or "").strip().lower() not in HIDDEN,
        )


def _shopify_rows(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[Row]:
    """Shopify: rows sharing a Handle; the first carries the product, each row with a
    variant price one variant, rows with only an image add an image."""
    names: dict[str, list[str]] = {}
    for n, r in rows:
        handle = (r.get("Handle") or "").strip()
        if not handle:
            continue
        first = handle not in names
        if first:
            names[handle] = [(r.get(f"Option{i} Name") or "").strip() for i in (1, 2, 3)]
            status = (r.get("Status") or "active").strip().lower()
            if status and status not in {"active"}:
                yield Row(n, handle, title="", attributes={"_skip": f"status {status}"})
                continue
            attrs = {}
            if tags := (r.get("Tags") or "").strip():
                attrs["tags"] = tags
            category = (r.get("Product Category") or "").strip() or (r.get("Type") or "").strip()
            if (r.get("Type") or "").strip() and category != r["Type"].strip():
                attrs["type"] = r["Type"].strip()
            yield Row(
                n,
                handle,
                title=(r.get("Title") or "").strip(),
                description=r.get("Body (HTML)") or "",
                category=category,
                brand=(r.get("Vendor") or "").strip(),
                attributes=attrs,
                images=[r["Image Src"].strip()] if (r.get("Image Src") or "").strip() else [],
            )
        price_raw = (r.get("Variant Price") or "").strip()
        sku = (r.get("Variant SKU") or "").strip()
        if not price_raw and not sku:  # an image row
            if (img := (r.get("Image Src") or "").strip()) and not first:
                yield Row(n, handle, parent=handle, attributes={"_image": img})
            continue
        values = [(r.get(f"Option{i} Value") or "").strip() for i in (1, 2, 3)]
        options = {
            name: v
            for name, v in zip(names[handle], values, strict=True)
            if name and v and not (name == "Title" and v == "Default Title")
        }
        price = number(price_raw, "Variant Price", n)
        compare = number(r.get("Variant Compare At Price"), "Variant Compare At Price", n)
        tracked = (r.get("Variant Inventory Tracker") or "").strip()
        qty = whole(r.get("Variant Inventory Qty"), "Variant Inventory Qty", n)
        stock = qty if tracked or qty is not None else None
        if tracked == "" and (r.get("Variant Inventory Policy") or "") == "continue":
            stock = None
        on_sale = compare is not None and price is not None and compare > price
        attrs = {}
        grams = number(r.get("Variant Grams"), "Variant Grams", n)
        if grams:
            unit = (r.get("Variant Weight Unit") or "g").strip() or "g"
            attrs["weight"] = f"{grams / 1000:g} kg" if unit == "g" else f"{grams:g} g"
        yield Row(
            n,
            sku or f"{handle}#{n}",
            parent=handle,
            price=compare if on_sale else price,
            sale_price=price if on_sale else None,
            stock=stock,
            sku=sku,
            options=options,
            attributes=attrs,
            images=[r["Variant Image"].strip()] if (r.get("Variant Image") or "").strip() else [],
        )


_FLAG_COLUMN = re.compile(
    r"(?i)\b0\s*=\s*no\b"
)  # PrestaShop: "Available online only (0 = No, 1 = Yes)"


def _yes_no(column: str, value: str) -> str:
    """A 0/1 flag column's value in words, as a shopper reads it."""
    if _FLAG_COLUMN.search(column) and value in {"0", "1"}:
        return "yes" if value == "1" else "no"
    return value


def _lead_zero(v: str) -> str:
    return f"0{v}" if v.startswith(".") else v


_WOO_WEIGHT = re.compile(r"^Weight \((\w+)\)$")
_WOO_DIM = re.compile(r"^(Length|Width|Height) \((\w+)\)$")


def _woo_rows(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[Row]:
    """WooCommerce: one row per product, variation rows name their parent (SKU or id:N)."""
    for n, r in rows:
        kind = (r.get("Type") or "").strip().lower()
        pid = (r.get("SKU") or "").strip() or f"woo-{(r.get('ID') or '').strip()}"
        if (r.get("Published") or "1").strip() in {"0", "-1"}:
            yield Row(n, pid, attributes={"_skip": "not published"})
            continue
        attrs: dict[str, str] = {}
        options: dict[str, str] = {}
        dims: list[str] = []
        dim_unit = ""
        for col, value in r.items():
            v = (value or "").strip()
            if not col or not v:
                continue
            if m := _WOO_WEIGHT.match(col):
                attrs["weight"] = f"{_lead_zero(v)} {m.group(1)}"
            elif m := _WOO_DIM.match(col):
                dims.append(_lead_zero(v))
                dim_unit = m.group(2)
        if len(dims) == 3:
            attrs["dimensions"] = f"{' × '.join(dims)} {dim_unit}"
        for i in range(1, 10):
            name = (r.get(f"Attribute {i} name") or "").strip()
            values = (r.get(f"Attribute {i} value(s)") or "").strip()
            if not name:
                continue
            if "variation" in kind:
                if values:
                    options[name] = values
            elif values:
                attrs[name] = values
        if tags := (r.get("Tags") or "").strip():
            attrs["tags"] = tags
        stock_qty = whole(r.get("Stock"), "Stock", n)
        in_stock = (r.get("In stock?") or "").strip()
        stock = stock_qty if stock_qty is not None else (0 if in_stock == "0" else None)
        regular = number(r.get("Regular price"), "Regular price", n)
        sale = number(r.get("Sale price"), "Sale price", n)
        cats = split_list(r.get("Categories"))
        links = {
            kind_: split_list(r.get(col))
            for kind_, col in (("upsell", "Upsells"), ("cross_sell", "Cross-sells"))
            if split_list(r.get(col))
        }
        if grouped := split_list(r.get("Grouped products")):
            links["related"] = grouped
        desc = "\n\n".join(
            x for x in ((r.get("Short description") or ""), (r.get("Description") or "")) if x
        )
        parent = (r.get("Parent") or "").strip() if "variation" in kind else ""
        yield Row(
            n,
            pid,
            parent=parent,
            title=(r.get("Name") or "").strip(),
            description=desc,
            category=cats[0] if cats else "",
            brand=(r.get("Brands") or r.get("Brand") or "").strip(),
            price=regular if regular is not None else sale,
            sale_price=sale
            if regular is not None and sale is not None and sale < regular
            else None,
            stock=stock,
            sku=(r.get("SKU") or "").strip(),
            options=options,
            attributes=attrs,
            images=split_list(r.get("Images")),
            url=(r.get("External URL") or "").strip(),
            links=links,
            listed=(r.get("Visibility in catalog") or "").strip().lower() not in HIDDEN,
        )


def _mapped_rows(
    rows: Iterator[tuple[int, dict[str, str]]], mapping: dict[str, Any]
) -> Iterator[Row]:
    cols: dict[str, str] = mapping.get("columns", {})
    opt_cols: dict[str, str] = mapping.get("options", {})
    attr_cols: dict[str, str] = mapping.get("attributes", {})
    fmt: dict[str, str] = mapping.get("format", {})
    cat_sep = fmt.get("category_separator", ">")
    list_sep = fmt.get("list_separator", ",")
    active = {s.lower() for s in mapping.get("format", {}).get("active_values", [])}
    hidden = {s.lower() for s in mapping.get("format", {}).get("hidden_values", HIDDEN)}

    def get(r: dict[str, str], key: str) -> str:
        col = cols.get(key)
        return (r.get(col) or "").strip() if col else ""

    for n, r in rows:
        pid = get(r, "id") or get(r, "sku")
        if active and get(r, "status").lower() not in active:
            yield Row(n, pid, attributes={"_skip": f"status {get(r, 'status')!r}"})
            continue
        category = get(r, "category")
        if cat_sep != ">":
            category = " > ".join(x.strip() for x in category.split(cat_sep) if x.strip())
        yield Row(
            n,
            pid,
            refs=[get(r, "key")] if get(r, "key") else [],
            parent=get(r, "parent_id"),
            title=get(r, "title"),
            description=(r.get(cols["description"]) or "") if "description" in cols else "",
            category=category,
            brand=get(r, "brand"),
            price=number(get(r, "price"), cols.get("price", "price"), n),
            sale_price=number(get(r, "sale_price"), cols.get("sale_price", "sale_price"), n),
            stock=whole(get(r, "stock"), cols.get("stock", "stock"), n),
            sku=get(r, "sku"),
            options={k: v for k, c in opt_cols.items() if (v := (r.get(c) or "").strip())},
            attributes={
                k: _yes_no(c, v) for k, c in attr_cols.items() if (v := (r.get(c) or "").strip())
            },
            images=split_list(get(r, "image"), list_sep),
            url=get(r, "url"),
            listed=get(r, "visibility").lower() not in hidden,
            links={
                kind: split_list(get(r, col), list_sep)
                for kind, col in (
                    ("cross_sell", "cross_sells"),
                    ("upsell", "upsells"),
                    ("related", "related"),
                )
                if get(r, col)
            },
        )


def _name_list(raw: str, sep: str, last: bool) -> list[str]:
    """'Color:color:0, Disk space:select:1' -> ['Color', 'Disk space'] (the name before the
    first ':'); with `last`, 'Blue:0, 16GB:1' -> ['Blue', '16GB'] (the value before the last)."""
    out = []
    for part in raw.split(sep):
        part = part.strip()
        if part:
            out.append((part.rsplit(":", 1)[0] if last else part.split(":", 1)[0]).strip())
    return out


def _variant_rows(
    rows: Iterator[tuple[int, dict[str, str]]], spec: dict[str, Any], list_sep: str
) -> Iterator[Row]:
    """Rows of a separate variants file (PrestaShop's combinations, a spreadsheet of SKUs)."""
    opt_cols: dict[str, str] = spec.get("options", {})

    def get(r: dict[str, str], key: str) -> str:
        col = spec.get(key)
        return (r.get(col) or "").strip() if isinstance(col, str) else ""

    for n, r in rows:
        options = {k: v for k, c in opt_cols.items() if (v := (r.get(c) or "").strip())}
        if "option_names" in spec and "option_values" in spec:
            names = _name_list(get(r, "option_names"), list_sep, last=False)
            values = _name_list(get(r, "option_values"), list_sep, last=True)
            options |= dict(zip(names, values, strict=False))
        sku = get(r, "sku")
        yield Row(
            n,
            sku or f"{get(r, 'parent')}#{n}",
            parent=get(r, "parent"),
            price=number(get(r, "price"), spec.get("price", "price"), n),
            price_add=signed(get(r, "price_add"), spec.get("price_add", "price_add"), n),
            stock=whole(get(r, "stock"), spec.get("stock", "stock"), n),
            sku=sku,
            options=options,
        )


def load_mapping(path: Path) -> dict[str, Any]:
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CatalogError(f"{path}: not a readable TOML column mapping ({e})") from e
    cols = mapping.get("columns")
    if not isinstance(cols, dict) or "title" not in cols or not ({"id", "sku"} & set(cols)):
        raise CatalogError(
            f"{path}: needs a [columns] table with at least 'title' and 'id' or 'sku' "
            f"(fields: {', '.join(MAP_FIELDS)})"
        )
    unknown = sorted(set(cols) - set(MAP_FIELDS))
    if unknown:
        raise CatalogError(
            f"{path}: unknown field(s) {unknown} in [columns]; accepted: {', '.join(MAP_FIELDS)}"
        )
    variants = mapping.get("variants")
    if variants is not None:
        bad = sorted(k for k in variants if k not in (*VARIANT_FIELDS, "options"))
        if bad or "file" not in variants or "parent" not in variants:
            raise CatalogError(
                f"{path}: [variants] needs 'file' and 'parent' (fields: "
                f"{', '.join(VARIANT_FIELDS)}, and an [variants.options] table)"
                + (f"; unknown: {bad}" if bad else "")
            )
        mapping["_dir"] = str(path.parent)
    return mapping


# folding ------------------------------------------------------------------------------
def _fold(rows: list[Row], report: ImportReport) -> list[ProductRecord]:
    parents: dict[str, Row] = {}
    by_ref: dict[str, str] = {}  # id, SKU or "id:N" -> parent id
    children: dict[str, list[Row]] = {}
    extra_images: dict[str, list[str]] = {}
    for r in rows:
        if reason := r.attributes.pop("_skip", None):
            report.skipped.append(f"line {r.line}: {reason}")
            continue
        if img := r.attributes.pop("_image", None):
            extra_images.setdefault(r.parent, []).append(img)
            continue
        if not r.id:
            raise CatalogError(f"line {r.line}: the product has no id (or SKU)")
        if r.parent:
            children.setdefault(r.parent, []).append(r)
            continue
        if r.id in parents:
            raise CatalogError(f"line {r.line}: duplicate product id {r.id!r}")
        if not r.title:
            raise CatalogError(f"line {r.line}: product {r.id!r} has no title")
        parents[r.id] = r
        for ref in (r.id, r.sku, *r.refs):
            if ref:
                by_ref.setdefault(ref, r.id)
                by_ref.setdefault(ref.lower(), r.id)
    woo_ids = {f"id:{r.id.removeprefix('woo-')}": r.id for r in parents.values()}
    by_ref.update(woo_ids)

    def resolve(ref: str) -> str | None:
        return by_ref.get(ref) or by_ref.get(ref.lower())

    variants: dict[str, list[Row]] = {}
    for ref, kids in children.items():
        pid = resolve(ref)
        if pid is None:
            for k in kids:
                report.skipped.append(f"line {k.line}: variant of unknown product {ref!r}")
            continue
        variants.setdefault(pid, []).extend(kids)
        for k in kids:
            if k.sku:
                by_ref.setdefault(k.sku, pid)
                by_ref.setdefault(k.sku.lower(), pid)

    out: list[ProductRecord] = []
    for pid, r in parents.items():
        kids = variants.get(pid, [])
        report.folded += len(kids)
        for k in kids:  # "impact on price": the parent's price plus the variant's
            if k.price is None and k.price_add is not None and r.price is not None:
                k.price = round(r.price + k.price_add, 2)
        vs = tuple(
            Variant(k.sku or k.id, k.options, k.price, k.sale_price, k.stock)
            for k in kids
            if k.options
        )
        attrs = dict(r.attributes)
        for k in kids:  # a variant-only fact (weight) the parent lacks
            for key, value in k.attributes.items():
                attrs.setdefault(key, value)
        options = _option_values(r, vs)
        for name, values in options.items():
            attrs.setdefault(name, ", ".join(values))
        images = [*r.images, *extra_images.get(pid, []), *(i for k in kids for i in k.images)]
        links = {
            kind: [x for ref in refs if (x := resolve(ref)) is not None and x != pid]
            for kind, refs in r.links.items()
            if kind in LINK_KINDS
        }
        price = r.price
        sale = r.sale_price
        plain = [k for k in kids if not k.options]  # a single-variant product's own row
        if plain and price is None:
            price, sale = plain[0].price, plain[0].sale_price
            r.stock = r.stock if r.stock is not None else plain[0].stock
            r.sku = r.sku or plain[0].sku
        if price is None and vs:  # "from" the lowest variant price
            known = [v for v in vs if v.price is not None]
            if known:
                cheapest = min(known, key=lambda v: v.sale_price or v.price or 0.0)
                price, sale = cheapest.price, cheapest.sale_price
        stock = r.stock
        if vs and any(v.stock is not None for v in vs):
            stock = sum(v.stock or 0 for v in vs)
        out.append(
            ProductRecord(
                pid,
                r.title,
                clean_description(r.description),
                r.category,
                r.brand,
                price,
                stock,
                attrs,
                r.sku,
                sale,
                vs,
                {k: v for k, v in links.items() if v},
                tuple(dict.fromkeys(images)),
                r.url,
                r.listed,
            )
        )
    return out


def _option_values(parent: Row, variants: tuple[Variant, ...]) -> dict[str, list[str]]:
    """Each option's values in the export's order: the parent's own list (WooCommerce
    "Blue, Green, Red") merged with what the variants carry."""
    values: dict[str, list[str]] = {}
    for v in variants:
        for name, value in v.options.items():
            values.setdefault(name, [])
            if value not in values[name]:
                values[name].append(value)
    return values


# entry point --------------------------------------------------------------------------
def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    try:
        f = path.open(encoding="utf-8-sig", newline="")
        sample = f.read(4096)
        f.seek(0)
    except (OSError, UnicodeDecodeError) as e:
        raise CatalogError(f"{path}: cannot be read as UTF-8 text ({e})") from e
    first = sample.splitlines()[0] if sample else ""
    delimiter = max(",;\t", key=first.count)  # PrestaShop and some spreadsheets use ';'
    reader = csv.DictReader(f, delimiter=delimiter)
    header = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = header

    def it() -> Iterator[tuple[int, dict[str, str]]]:
        with f:
            try:
                for row in reader:
                    yield reader.line_num, {k: v for k, v in row.items() if k is not None}
            except UnicodeDecodeError as e:
                raise CatalogError(f"{path}:{reader.line_num}: not UTF-8 text ({e})") from e

    return header, it()


READERS: dict[str, Callable[[Iterator[tuple[int, dict[str, str]]]], Iterator[Row]]] = {
    "shopmate": _shopmate_rows,
    "shopify": _shopify_rows,
    "woocommerce": _woo_rows,
}
USED_COLUMNS = {"shopmate": [*CATALOG_COLUMNS, *OPTIONAL_COLUMNS]}


def read_catalog(path: Path, mapping: Path | None = None) -> ImportReport:
    """Read a catalog export (format found by its header, or `mapping` for any other)."""
    try:
        return _read_catalog(path, mapping)
    except CatalogError as e:
        msg = str(e)
        if msg.startswith("line "):  # name the file as editors do: path:line: problem
            raise CatalogError(f"{path}:{msg[5:]}") from e
        raise


def _read_catalog(path: Path, mapping: Path | None) -> ImportReport:
    header, rows = _rows(path)
    if mapping is not None:
        m = load_mapping(mapping)
        fmt = "mapped"
        used = {*m["columns"].values(), *m.get("options", {}).values()}
        used |= set(m.get("attributes", {}).values())
        missing = sorted(c for c in used if c not in header)
        if missing:
            raise CatalogError(
                f"{path}: column(s) {missing} named in {mapping} are not in the file "
                f"(its columns: {', '.join(header)})"
            )
        mapped = {k: v for k, v in m["columns"].items()}
        parsed = list(_mapped_rows(rows, m))
        if (spec := m.get("variants")) is not None:
            vfile = Path(m["_dir"]) / spec["file"]
            if not vfile.exists():
                vfile = path.parent / spec["file"]
            vheader, vrows = _rows(vfile)
            missing_v = sorted(
                c
                for k, c in [*spec.items(), *spec.get("options", {}).items()]
                if k not in {"file", "options"} and isinstance(c, str) and c not in vheader
            )
            if missing_v:
                raise CatalogError(
                    f"{vfile}: column(s) {missing_v} named in [variants] are not in the file "
                    f"(its columns: {', '.join(vheader)})"
                )
            sep = m.get("format", {}).get("list_separator", ",")
            parsed += list(_variant_rows(vrows, spec, sep))
            mapped["variants"] = spec["file"]
    else:
        found = detect_format(header)
        if found is None:
            raise CatalogError(
                f"{path}: unrecognised catalog columns ({', '.join(header[:12])}…). Accepted: "
                "shopmate's own (id,title,price,…), a Shopify or WooCommerce product export, "
                "or any CSV with --map FILE (a TOML column mapping; see the README)"
            )
        fmt = found
        parsed = list(READERS[fmt](rows))
        used = set(USED_COLUMNS.get(fmt, header))
        mapped = {"format": fmt}
    unused = [c for c in header if c not in used] if fmt in {"shopmate", "mapped"} else []
    report = ImportReport(str(path), fmt, [], mapped, unused)
    report.products = _fold(parsed, report)
    if not report.products:
        raise CatalogError(f"{path}: no products found ({len(report.skipped)} rows skipped)")
    return report
