"""Catalog exports as shops have them: Shopify, WooCommerce, a mapped export, shopmate's own
columns with variants; grounding and explicit-search constraints on what they give."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.product_answers import fact_answer
from bot.product_grounding import pick_variant
from bot.search_constraints import Vocabulary, asks_for_products, constraints_of
from bot.shop_words import norm
from bot.types import BotReply, ProductCard
from finetune.shop_eval import Question, score
from shop.catalog_import import detect_format, read_catalog
from shop.catalog_io import CatalogError
from shop.catalog_text import clean_description

SHOPS = Path(__file__).resolve().parents[2] / "bench" / "shops"

SHOPIFY = (
    "Handle,Title,Body (HTML),Vendor,Type,Tags,Option1 Name,Option1 Value,Variant SKU,"
    "Variant Inventory Tracker,Variant Inventory Qty,Variant Price,Variant Compare At Price,"
    "Image Src,Status\n"
    'strap,Camera Strap,"<p>Soft.</p><ul><li>7 kg load</li><li>Nylon</li></ul>",Acme,Straps,,'
    "Length,1.5 m,ST-15,shopify,4,20.00,,https://x/1.jpg,active\n"
    "strap,,,,,,,2 m,ST-20,shopify,0,22.00,30.00,,\n"
    "strap,,,,,,,2.5 m,ST-25,shopify,,24.00,,,\n"
    "strap,,,,,,,,,,,,,https://x/2.jpg,\n"
    "mug,Harbour Mug,Stoneware.,Acme,Mugs,,Title,Default Title,MUG-1,,,9.50,,,active\n"
    "old,Old Thing,,Acme,,,Title,Default Title,OLD-1,,,5.00,,,archived\n"
)
WOO = (
    "ID,Type,SKU,Name,Published,Short description,Description,In stock?,Stock,"
    '"Weight (kg)","Sale price","Regular price",Categories,Images,Parent,Upsells,Cross-sells,'
    '"Attribute 1 name","Attribute 1 value(s)"\n'
    '10,variable,tee,V-Neck Tee,1,Soft tee.,"",1,,.2,,,"Clothing > Tshirts",,,,cap,Color,'
    '"Blue, Red"\n'
    "11,variation,tee-blue,V-Neck Tee - Blue,1,,,1,3,,15,20,,,tee,,,Color,Blue\n"
    "12,variation,tee-red,V-Neck Tee - Red,1,,,1,0,,,20,,,tee,,,Color,Red\n"
    '13,simple,cap,Cap,1,,,1,,,,,"Clothing > Accessories",,,,,,\n'
    "14,simple,hidden,Hidden,0,,,1,,,,5,,,,,,,\n"
)
WOO_VISIBILITY = (
    '"ID","Type","SKU","Name","Published","Visibility in catalog","Regular price"\n'
    "1,simple,shown,Shown Mug,1,visible,5\n"
    "2,simple,only-link,Secret Mug,1,hidden,5\n"
)


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shopify_variants_fold_with_prices_sale_and_unknown_stock(tmp_path: Path) -> None:
    r = read_catalog(write(tmp_path, "s.csv", SHOPIFY))
    assert r.format == "shopify" and r.skipped == ["line 7: status archived"]
    strap = next(p for p in r.products if p.id == "strap")
    assert [v.sku for v in strap.variants] == ["ST-15", "ST-20", "ST-25"]
    two = strap.variants[1]
    assert (two.price, two.sale_price, two.stock) == (30.0, 22.0, 0)
    assert strap.variants[2].stock is None  # blank quantity: unknown, not 0
    assert strap.images == ("https://x/1.jpg", "https://x/2.jpg")
    assert "- 7 kg load." in strap.description  # list items are sentences of their own
    mug = next(p for p in r.products if p.id == "mug")
    assert (mug.price, mug.sku, mug.variants, mug.stock) == (9.5, "MUG-1", (), None)
    assert "unknown: price for 0, stock for 1" in "\n".join(r.summary())


def test_woocommerce_parent_sku_links_weight_and_unpublished(tmp_path: Path) -> None:
    r = read_catalog(write(tmp_path, "w.csv", WOO))
    assert r.format == "woocommerce"
    assert r.skipped == ["line 6: not published"]
    tee = next(p for p in r.products if p.id == "tee")
    assert {v.label(): (v.price, v.sale_price, v.stock) for v in tee.variants} == {
        "Blue": (20.0, 15.0, 3),
        "Red": (20.0, None, 0),
    }
    assert tee.links == {"cross_sell": ["cap"]} and tee.attributes["weight"] == "0.2 kg"
    assert tee.category == "Clothing > Tshirts" and tee.current_price == 15.0
    cap = next(p for p in r.products if p.id == "cap")
    assert cap.price is None and cap.stock is None and cap.in_stock  # blank: unknown


def test_hidden_products_are_imported_but_never_offered(tmp_path: Path) -> None:
    report = read_catalog(write(tmp_path, "v.csv", WOO_VISIBILITY))
    assert "hidden: 1 product(s)" in "\n".join(report.summary())
    woo = report.products
    assert {p.id: (p.listed, p.offerable) for p in woo} == {
        "shown": (True, True),
        "only-link": (False, False),  # answered on its own page, never suggested or searched
    }
    csv_ = write(tmp_path, "m.csv", "ref;name;cost;vis;online (0 = No, 1 = Yes)\n")
    with csv_.open("a", encoding="utf-8") as f:
        f.write("A;Lamp;5;both;1\nB;Old Lamp;5;none;0\nC;Desk Lamp;5;;0\n")
    m = write(
        tmp_path,
        "map.toml",
        '[columns]\nid = "ref"\ntitle = "name"\nprice = "cost"\nvisibility = "vis"\n'
        '[attributes]\n"Online only" = "online (0 = No, 1 = Yes)"\n',
    )
    mapped = {p.id: p for p in read_catalog(csv_, m).products}
    assert [mapped[i].listed for i in "ABC"] == [True, False, True]
    # a 0/1 flag column is read as yes/no, as a shopper would say it
    assert [mapped[i].attributes["Online only"] for i in "ABC"] == ["yes", "no", "no"]
    # kept through the database, and absent (an older database) means listed
    from shop.repository import ShopRepository

    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    repo.upsert_products(mapped.values())
    got = repo.get_product("B")
    assert got is not None and got.listed is False and not got.offerable


def test_mapped_export_and_clear_errors(tmp_path: Path) -> None:
    csv_ = write(
        tmp_path,
        "m.csv",
        "ref;name;cost;qty;colour;cat\nA1;Blue Lamp;12,50;;Blue;Home/Lights\n",
    )
    m = write(
        tmp_path,
        "map.toml",
        '[columns]\nid = "ref"\ntitle = "name"\nprice = "cost"\nstock = "qty"\n'
        'category = "cat"\n[attributes]\nColour = "colour"\n[format]\ncategory_separator = "/"\n',
    )
    (lamp,) = read_catalog(csv_, m).products
    assert (lamp.price, lamp.stock, lamp.category) == (12.5, None, "Home > Lights")
    assert lamp.attributes == {"Colour": "Blue"}
    bad = write(tmp_path, "bad.toml", '[columns]\nid = "ref"\ntitle = "nope"\n')
    with pytest.raises(CatalogError, match=r"column\(s\) \['nope'\].*not in the file"):
        read_catalog(csv_, bad)
    with pytest.raises(CatalogError, match="unrecognised catalog columns"):
        read_catalog(write(tmp_path, "x.csv", "a,b\n1,2\n"))
    with pytest.raises(CatalogError, match=r"x2.csv:3: Variant Price 'free' is not a number"):
        read_catalog(write(tmp_path, "x2.csv", SHOPIFY.replace("22.00", "free", 1)))


def test_the_dev_shops_import_without_conversion() -> None:
    for name, fmt in (("woocommerce-sample", "woocommerce"), ("shopify-jewelry", "shopify")):
        r = read_catalog(SHOPS / name / "products.csv")
        assert r.format == fmt and len(r.products) >= 15
        assert all(p.title and "<" not in p.description for p in r.products)


def test_header_detection() -> None:
    assert detect_format(["id", "title", "price"]) == "shopmate"
    assert detect_format(["Handle", "Title", "Body (HTML)", "Variant Price"]) == "shopify"
    assert detect_format(["ID", "Type", "SKU", "Name", "Regular price"]) == "woocommerce"
    assert detect_format(["sku", "name"]) is None


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (
            "<p>Light.</p><ul><li>7 kg</li><li>Waterproof</li></ul>",
            "Light.\n- 7 kg.\n- Waterproof.",
        ),
        ("Great bag\n• 40 L\n• 1.2 kg", "Great bag\n- 40 L.\n- 1.2 kg."),
        ("Fits 12&quot; laptops &amp; tablets", 'Fits 12" laptops & tablets'),
    ],
)
def test_descriptions_become_sentences(raw: str, want: str) -> None:
    assert clean_description(raw) == want


def test_variant_words_and_facts(tmp_path: Path) -> None:
    strap = next(
        p for p in read_catalog(write(tmp_path, "s.csv", SHOPIFY)).products if p.id == "strap"
    )
    assert norm("the 2 metre one") == "the 2m one"
    v = pick_variant(strap, "how much is the 2 m version?")
    assert v is not None and v.sku == "ST-20"
    assert pick_variant(strap, "how much is it?") is None
    a = fact_answer(strap, "how much is the 2 m version?", v, "$")
    assert a is not None and "$22.00" in a.text and "$30.00" in a.text  # sale and regular
    every = fact_answer(strap, "how much is it?", None, "$")
    assert every is not None and all(x in every.text for x in ("$20.00", "$22.00", "$24.00"))
    assert fact_answer(strap, "is the 2.5 m in stock?", strap.variants[2]) is None  # unknown


def test_condition_is_a_fact_when_the_shop_lists_it() -> None:
    from shop.repository import ProductRecord

    folio = ProductRecord("f", "Leather Folio", "", "Cases", "", 20.0, 3, {"Condition": "used"})
    a = fact_answer(folio, "is the leather folio new?")
    assert a is not None and "used" in a.text
    plain = ProductRecord("m", "Mug", "", "Home", "", 5.0, 3, {})
    assert fact_answer(plain, "is it new?") is None  # no condition listed: not a fact to deny


def test_explicit_search_constraints(tmp_path: Path) -> None:
    products = read_catalog(write(tmp_path, "w.csv", WOO)).products
    vocab = Vocabulary.of(products)
    assert {"tshirt", "accessory"} <= vocab.kinds
    c = constraints_of("any tshirts in red?", vocab)
    tee = next(p for p in products if p.id == "tee")
    cap = next(p for p in products if p.id == "cap")
    assert c.keep(tee) and not c.keep(cap)
    assert not constraints_of("tshirts in yellow", vocab).keep(tee)
    assert constraints_of("which tshirts are on sale?", vocab).keep(tee)
    assert asks_for_products("do you sell accessories?", vocab)
    assert asks_for_products("tshirts under £20", vocab)
    assert not asks_for_products("how much is the v-neck tee?", vocab)


def test_shop_eval_scoring_rules() -> None:
    card = ProductCard("cap", "Cap", 16.0, "Accessories", "asked")
    q = Question("1", "hats?", "product_search", True, [], acceptable=["cap"], must_not=["tee"])
    assert score(q, BotReply("Here", products=[card]), {})[0]
    bad = ProductCard("tee", "Tee", 20.0, "Tshirts", "asked")
    assert not score(q, BotReply("Here", products=[card, bad]), {})[0]
    fact = Question("2", "price?", "product_fact", True, [r"\b16(\.00)?\b"])
    assert score(fact, BotReply("The Cap costs £16.00."), {})[0]
    assert not score(fact, BotReply("The Cap costs £18.00."), {})[0]
    unk = Question("3", "nickel free?", "unanswerable", False, [])
    assert score(unk, BotReply("I'm not sure. Shall I get a person?", action="no_answer"), {})[0]
    assert not score(unk, BotReply("Yes, it is nickel free."), {})[0]


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("do you have the juno jacket in XL?", "No, the Juno Jacket doesn't come in size xl"),
        ("does it come in size M?", "Yes, the Juno Jacket comes in size M."),
        ("is the juno jacket available in a medium?", "Yes, the Juno Jacket comes in size M."),
        ("what sizes does it come in?", "comes in size: XS, M, L."),
        ("does it come in green?", "Yes, the Juno Jacket comes in Green."),
        ("does it come in navy?", "No, the Juno Jacket doesn't come in navy"),
        ("how much does it weigh?", None),  # not a price question, and no weight listed
        ("how much is it in size M?", "The Juno Jacket costs $77.00."),  # the price first
    ],
)
def test_size_and_colour_questions_answer_yes_or_no(question: str, want: str | None) -> None:
    from shop.repository import ProductRecord, Variant

    p = ProductRecord(
        "j",
        "Juno Jacket",
        "",
        "Women > Jackets",
        "",
        77.0,
        None,
        {},
        variants=(
            Variant("J-XS-B", {"Size": "XS", "Color": "Blue"}),
            Variant("J-M-B", {"Size": "M", "Color": "Blue"}),
            Variant("J-L-G", {"Size": "L", "Color": "Green"}),
        ),
    )
    a = fact_answer(p, question, None, "$")
    if want is None:
        assert a is None
    else:
        assert a is not None and want in a.text


def test_a_size_with_its_system_matches_the_bare_number() -> None:
    from shop.repository import ProductRecord, Variant

    boot = ProductRecord(
        "b",
        "Trail Boot",
        "",
        "Footwear",
        "",
        90.0,
        None,
        {},
        variants=(Variant("B7", {"Size": "UK 7"}), Variant("B8", {"Size": "UK 8"})),
    )
    a = fact_answer(boot, "do you have it in size 7?")
    assert a is not None and a.text.startswith("Yes") and "UK 7" in a.text


def test_round_trip_through_shopmate_columns(tmp_path: Path) -> None:
    """A shop converted to the README's columns reads back the same (the held-out path)."""
    from shop.catalog_io import write_catalog_csv

    original = read_catalog(SHOPS / "woocommerce-sample" / "products.csv").products
    write_catalog_csv(tmp_path / "c.csv", original)
    again = read_catalog(tmp_path / "c.csv")
    assert again.format == "shopmate"
    assert again.products == original


def test_prestashop_through_a_mapping_with_a_variants_file() -> None:
    shop = SHOPS / "prestashop-sample"
    r = read_catalog(shop / "products_import.csv", shop / "map.toml")
    nano = next(p for p in r.products if p.title == "iPod Nano")
    prices = {v.label(): v.price for v in nano.variants}
    assert prices["Blue, 16GB"] == 140.0 and prices["Blue, 8GB"] == 100.0  # 100 + impact
    assert r.mapped["variants"] == "combinations_import.csv"


def test_an_unknown_price_goes_out_as_null_not_zero() -> None:
    from api.routes import suggestion_out
    from recommender.recommender import Suggestion
    from shop.repository import ProductRecord

    p = ProductRecord("x", "Mug", "", "Home", "", None, None, {}, images=("https://x/m.jpg",))
    out = suggestion_out(Suggestion(p, 0.9, "matches what you asked for"))
    assert out.price is None and out.in_stock and out.image == "https://x/m.jpg"
    sale = ProductRecord("y", "Cup", "", "Home", "", 10.0, 3, {}, sale_price=7.5)
    assert suggestion_out(Suggestion(sale, 0.9, "asked")).price == 7.5  # what they pay now
