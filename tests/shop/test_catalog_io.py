from __future__ import annotations

from pathlib import Path

import pytest

from shop.catalog_io import CatalogError, read_catalog_csv, write_catalog_csv
from shop.repository import ProductRecord

HEADER = "id,title,description,category,brand,price,stock,attributes\n"


def test_round_trip(tmp_path: Path) -> None:
    p = ProductRecord(
        "p1",
        "Storm Shell, 2.5L",
        'A "quoted" jacket.',
        "Outdoor > Rain Jackets",
        "Fjell",
        149.0,
        3,
        {"colour": "navy", "size": "S, M"},
    )
    write_catalog_csv(tmp_path / "c.csv", [p])
    assert read_catalog_csv(tmp_path / "c.csv") == [p]
    assert not (tmp_path / "c.csv.tmp").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("p1,,d,c,b,1,1,{}", r":2: product 'p1' has no title"),
        ("p1,T,d,c,b,cheap,1,{}", r":2: price 'cheap' is not a number"),
        ("p1,T,d,c,b,-1,1,{}", r":2: price must be a finite number ≥ 0"),
        ("p1,T,d,c,b,1,1,{bad", r":2: attributes is not a JSON object"),
        ('p1,T,d,c,b,1,1,"[1, 2]"', r":2: attributes .* must be a JSON object or"),
    ],
)
def test_bad_rows_name_the_line(tmp_path: Path, row: str, message: str) -> None:
    (tmp_path / "c.csv").write_text(HEADER + row + "\n")
    with pytest.raises(CatalogError, match=message):
        read_catalog_csv(tmp_path / "c.csv")


def test_duplicate_ids_and_missing_columns(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(HEADER + "p1,A,,,,1,1,\np1,B,,,,1,1,\n")
    with pytest.raises(CatalogError, match=r":3: duplicate product id 'p1'"):
        read_catalog_csv(tmp_path / "c.csv")
    (tmp_path / "d.csv").write_text("sku,name\n1,x\n")
    with pytest.raises(CatalogError, match=r"missing column\(s\) \['id', 'title', 'price'\]"):
        read_catalog_csv(tmp_path / "d.csv")
