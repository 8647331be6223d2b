"""The demo shop's Q/A history: the support team's policy answers and questions about products.

:func:`generate_qa` asks every phrasing of the policy intents (``data/policy_qa.jsonl``) once and
adds questions about sampled products (40% of the total), whose answers are written from the
product's own facts (colours, sizes, material, stock, price, measures) and the help pages' advice
(fit, care, warranty), so they stay true to whatever catalog the shop has::

    import random
    qa = generate_qa(random.Random(7), content.products, content.policy_questions)
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shopmate.demo.records import DemoProduct, DemoQA, PolicyQuestion

# size ladders a shopper may ask about ("do they come in XL?")
APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = tuple(f"UK {n}" for n in range(3, 14))
KIDS_SIZES = ("2-3 years", "3-4 years", "5-6 years", "7-8 years", "9-10 years", "11-12 years")
KIDS_SHOE_SIZES = (
    "Child UK 8",
    "Child UK 9",
    "Child UK 10",
    "Child UK 11",
    "Child UK 12",
    "Child UK 13",
    "UK 1",
    "UK 2",
    "UK 3",
)
BED_SIZES = ("Single", "Double", "King", "Super King")


def is_plural(noun: str) -> bool:
    """Whether a noun phrase names a plural thing ("hiking boots", "waterproof gloves")."""
    last = noun.rsplit(" ", 1)[-1].lower()
    return last.endswith("s") and not last.endswith("ss") and last not in {"gps", "canvas"}


def join_words(items: list[str]) -> str:
    """Join with commas and a final "and": ["a", "b", "c"] -> "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


PRODUCT_QA_SHARE = 0.4  # share of product questions in the generated Q/A history

# ---------------------------------------------------------------------------- product questions

QA = tuple[str, str]  # (question, answer)
COMMON_COLOURS = (
    "blue", "black", "red", "green", "grey", "navy", "pink", "yellow", "orange", "purple",
    "white", "brown",
)  # fmt: skip
SIZE_LADDERS = (APPAREL_SIZES, SHOE_SIZES, KIDS_SIZES, KIDS_SHOE_SIZES, BED_SIZES)
NOT_WATERPROOF = {
    "Outdoor Clothing > Fleeces": (
        "fleece is warm and breathable but lets rain through. On wet days, wear it under one of "
        "our waterproof rain jackets."
    ),
    "Outdoor Clothing > Hiking Trousers": (
        "the water-repellent finish sheds light showers, but for heavy rain pair them with "
        "waterproof over-trousers."
    ),
    "Outdoor Clothing > Insulated Jackets": "wear a rain jacket over it in heavy rain.",
    "Outdoor Clothing > Base Layers": (
        "base layers are made to sit next to your skin under a waterproof shell."
    ),
}
EXTENDED_WARRANTY_WORDS = {"jacket", "trousers", "over-trousers", "backpack", "daypack", "pack"}
BATTERY_CATEGORIES = {
    "Electronics & Gadgets > Power Banks & Solar",
    "Electronics & Gadgets > Headphones & Speakers",
    "Electronics & Gadgets > GPS & Watches",
    "Electronics & Gadgets > Headlamps & Torches",
}


def _attr_list(product: DemoProduct, key: str) -> list[str]:
    return [v for v in product.attributes.get(key, "").split(", ") if v]


@dataclass(frozen=True)
class _Words:
    """Verb forms that agree with a product title ("the X Boots are", "the X Jacket is")."""

    plural: bool

    @classmethod
    def of(cls, product: DemoProduct) -> _Words:
        return cls(is_plural(product.title.lower()))

    def v(self, singular: str, plural: str) -> str:
        return plural if self.plural else singular

    @property
    def it(self) -> str:
        return self.v("it", "they")

    @property
    def is_(self) -> str:
        return self.v("is", "are")

    @property
    def s(self) -> str:  # verb ending: "comes" / "come"
        return self.v("s", "")


def _shopper_name(rng: random.Random, product: DemoProduct) -> str:
    """How a shopper refers to a product: sometimes without the brand, often in lower case."""
    name = product.title
    if rng.random() < 0.4 and name.startswith(product.brand + " "):
        name = name[len(product.brand) + 1 :]
    return name.lower() if rng.random() < 0.5 else name


def _stock_note(product: DemoProduct) -> str:
    if product.stock == 0:
        return (
            " It's out of stock at the moment, but you can set a back-in-stock alert on the "
            "product page."
        )
    return ""


def _colour_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    colours = _attr_list(p, "colour")
    if not colours:
        return None
    w = _Words.of(p)
    asked = rng.choice(colours) if rng.random() < 0.55 else rng.choice(COMMON_COLOURS)
    question = rng.choice(
        (
            f"{w.v('Does', 'Do')} the {name} come in {asked}?",
            f"do you have the {name} in {asked}",
            f"{w.v('Is', 'Are')} the {name} available in {asked}? I can't see it on the page",
            f"any chance the {name} come{w.s} in {asked}?",
        )
    )
    matches = [c for c in colours if c == asked or asked in c.split()]
    others = [c for c in colours if c not in matches]
    if matches:
        answer = f"Yes, the {p.title} come{w.s} in {join_words(matches)}."
        if others:
            answer += f" {w.v('It is', 'They are')} also available in {join_words(others)}."
        return question, answer + _stock_note(p)
    return question, (
        f"Sorry, the {p.title} {w.v('does', 'do')}n't come in {asked}. "
        f"{w.v('It is', 'They are')} available in {join_words(colours)}."
    )


def _fit_advice(p: DemoProduct) -> str:
    """The sizing-guide advice that fits this product's category."""
    sub = p.category.split(" > ")[-1]
    if sub == "Rain Jackets":
        return "It's cut with room for a fleece underneath, so take your usual size."
    if sub == "Base Layers":
        return "Base layers are close-fitting by design; size up if you prefer a relaxed fit."
    if sub == "Rain Trousers":
        return "They're cut generously so they fit over hiking trousers."
    if p.top_category == "Kids":
        return "If your child is at the top of a size, go one size up."
    if sub in {"Hiking Boots", "Trail Runners"}:
        return (
            "Try them on with your hiking socks and allow a thumb's width (about 1 cm) in front of "
            "your longest toe. If you're between sizes, choose the larger size."
        )
    return "If you're between two sizes, choose the larger size."


def _size_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    sizes = _attr_list(p, "size")
    if not sizes or sizes == ["one size"]:
        return None
    w = _Words.of(p)
    ladder = next((lad for lad in SIZE_LADDERS if set(sizes) <= set(lad)), tuple(sizes))
    asked = rng.choice(ladder)
    listed = join_words(sizes)
    wearable = p.top_category in {"Outdoor Clothing", "Footwear", "Kids", "Fitness"}
    style = rng.randrange(3 if wearable else 2)
    if style == 0:
        question = rng.choice(
            (
                f"What sizes {w.v('does', 'do')} the {name} come in?",
                f"which sizes {w.is_} the {name} available in",
            )
        )
        answer = f"The {p.title} {w.is_} available in {listed}."
        if wearable:
            answer += " " + _fit_advice(p)
        return question, answer
    if style == 1:
        question = f"{w.v('Does', 'Do')} the {name} come in {asked}?"
        if asked in sizes:
            return question, (
                f"Yes, the {p.title} come{w.s} in {asked}; the full range is {listed}."
            )
        return question, (
            f"Sorry, the {p.title} {w.v('is', 'are')}n't available in {asked}; "
            f"{w.it} come{w.s} in {listed}."
        )
    if p.top_category == "Kids":
        question = f"My child usually wears {asked}, what size should I get in the {name}?"
    else:
        article = "an" if re.fullmatch(r"[AEFHILMNORSX][A-Z]*", asked) else "a"
        question = f"I'm usually {article} {asked}, what size should I get in the {name}?"
    if asked not in sizes:
        return question, (
            f"Unfortunately the {p.title} {w.v('does', 'do')}n't come in {asked}; {w.it} "
            f"{w.is_} available in {listed}."
        )
    return question, (
        f"Go for your usual {asked}: the {p.title} come{w.s} in {listed}. {_fit_advice(p)}"
    )


def _material_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    material = p.attributes.get("material")
    if not material:
        return None
    w = _Words.of(p)
    question = rng.choice(
        (
            f"What {w.is_} the {name} made of?",
            f"what material {w.is_} the {name}",
            f"what's the {name} made from?",
        )
    )
    made = "made with" if p.top_category == "Beauty & Care" else "made from"
    return question, f"The {p.title} {w.is_} {made} {material}."


def _stock_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    w = _Words.of(p)
    if p.stock == 0:
        question = rng.choice(
            (
                f"When will the {name} be back in stock?",
                f"{w.v('is', 'are')} the {name} in stock?",
            )
        )
        return question, (
            f"The {p.title} {w.is_} out of stock at the moment. Set a back-in-stock alert on the "
            "product page and we'll email you as soon as we have more."
        )
    question = rng.choice(
        (
            f"{w.v('Is', 'Are')} the {name} in stock?",
            f"do you have the {name} in stock right now?",
        )
    )
    answer = (
        f"Yes, the {p.title} {w.is_} in stock. Orders placed before 2pm on a working day are "
        "dispatched the same day."
    )
    if p.stock < 5:
        answer += f" There are only {p.stock} left, though."
    return question, answer


def _price_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    w = _Words.of(p)
    question = rng.choice(
        (
            f"How much {w.is_} the {name}?",
            f"what's the price of the {name}",
            f"how much {w.v('does', 'do')} the {name} cost?",
        )
    )
    answer = f"The {p.title} cost{w.s} £{p.price:.2f}."
    if p.price > 50:
        answer += " UK standard delivery is free on orders over £50."
    else:
        answer += " UK standard delivery is £3.95, or free on orders over £50."
    return question, answer


def _use_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    uses = _attr_list(p, "best for")
    if not uses:
        return None
    w = _Words.of(p)
    use = rng.choice(uses)
    question = rng.choice(
        (
            f"{w.v('Is', 'Are')} the {name} good for {use}?",
            f"would the {name} work for {use}?",
            f"thinking of getting the {name} for {use}, {w.v('is it', 'are they')} suitable?",
        )
    )
    first_sentence = p.description.split(". ", 1)[0].rstrip(".") + "."
    return question, (
        f"Yes, the {p.title} {w.is_} a good choice for {use}: {w.v('it is', 'they are')} "
        f"designed for {join_words(uses)}. {first_sentence}"
    )


def _waterproof_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    waterproof = "waterproof" in p.title.lower() and p.top_category != "Electronics & Gadgets"
    if not waterproof and p.category not in NOT_WATERPROOF:
        return None
    w = _Words.of(p)
    question = rng.choice(
        (
            f"{w.v('Is', 'Are')} the {name} waterproof?",
            f"will the {name} keep me dry in the rain?",
            f"{w.v('is', 'are')} the {name} fully waterproof or just water resistant?",
        )
    )
    if not waterproof:
        return question, f"No, the {p.title} {w.is_} not waterproof: {NOT_WATERPROOF[p.category]}"
    answer = (
        f"Yes, the {p.title} {w.is_} waterproof: {w.it} {w.is_} made from "
        f"{p.attributes['material']}."
    )
    if "waterproof rating" in p.attributes:
        answer += f" {w.it.capitalize()} {w.is_} rated to {p.attributes['waterproof rating']}."
    return question, answer


def _care_answer(p: DemoProduct) -> str | None:
    """Care instructions from the product care page that apply to this product."""
    sub = p.category.split(" > ")[-1]
    them = _Words.of(p).v("it", "them")
    if sub in {"Rain Jackets", "Rain Trousers"}:
        return (
            f"Wash {them} at 30 °C on a gentle cycle with a technical cleaner, with the zips "
            "closed and no fabric softener, then tumble dry on low for 20 minutes to reactivate "
            "the water-repellent finish. Re-proof when rain stops beading, usually every 6 to 10 "
            "washes."
        )
    if sub == "Hiking Boots":
        return (
            "After each walk, knock off the mud, clean the uppers with lukewarm water and a soft "
            "brush and let them dry at room temperature, stuffed with newspaper and away from "
            "radiators. Treat leather with wax every 3 to 5 walks and fabric or suede with a "
            "spray-on re-proofer."
        )
    if sub == "Insulated Jackets" and "down" in p.attributes.get("material", ""):
        return (
            "Wash it at 30 °C with a special down wash, then tumble dry on low with two or three "
            "dryer balls until no clumps remain; it can take up to 3 hours."
        )
    if sub in {"Fleeces", "Base Layers", "Insulated Jackets"}:
        answer = f"Wash {them} at 30 °C without fabric softener."
        if "merino" in p.attributes.get("material", ""):
            answer += " Use a wool cycle for merino and dry it flat."
        return answer
    if sub == "Sleeping Bags":
        return (
            "Store it loose in its large storage sack rather than the compression sack, so the "
            "insulation keeps its loft."
        )
    if sub == "Tents":
        return (
            "Always dry it fully before packing it away for more than a day, or mildew will damage "
            "the fabric and coating."
        )
    return None


def _care_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    answer = _care_answer(p)
    if answer is None:
        return None
    questions = [f"how should I look after the {name}?", f"any care tips for the {name}?"]
    if p.top_category == "Outdoor Clothing":
        questions.append(f"How do I wash the {name}?")
    return rng.choice(questions), f"Here's how to look after the {p.title}. {answer}"


def _warranty_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    if p.top_category == "Beauty & Care":
        return None
    w = _Words.of(p)
    question = rng.choice(
        (f"What's the warranty on the {name}?", f"how long is the guarantee on the {name}?")
    )
    words = set(p.title.lower().split())
    extended = (
        p.brand == "Northwind"
        and bool(words & EXTENDED_WARRANTY_WORDS)
        and not words & {"cover", "liner"}
    )
    if extended:
        return question, (
            f"As a Northwind-branded item, the {p.title} {w.v('has', 'have')} our extended "
            "5-year warranty against manufacturing faults."
        )
    answer = f"The {p.title} {w.v('has', 'have')} a 2-year warranty against manufacturing faults."
    if p.category in BATTERY_CATEGORIES and "handheld" not in words:
        answer += f" {w.v('Its', 'Their')} built-in battery is covered for 12 months."
    return question, answer


def _measure_answer(p: DemoProduct, key: str, value: str) -> str | None:
    """The answer to a question about one measured attribute, or None for other attributes."""
    w = _Words.of(p)
    t = p.title
    if key == "waterproof rating":
        answer = f"The {t} {w.is_} rated to {value} hydrostatic head."
        if "breathability" in p.attributes:
            answer += f" Breathability is {p.attributes['breathability']}."
        return answer
    if key == "weight":
        if value.endswith(" adjustable"):
            return f"The {t} adjust{w.s} from {value.removesuffix(' adjustable')}."
        return f"The {t} weigh{w.s} {value}."
    if key == "capacity":
        if "cover" in t.lower():
            return f"The {t} fit{w.s} packs of {value}."
        return f"The {t} {w.v('has', 'have')} a capacity of {value}."
    if key == "water resistance":
        meaning = {
            "IPX4": "fine in rain and splashes, but it shouldn't be submerged",
            "IPX7": "it survives being submerged in up to 1 m of water for 30 minutes",
            "IPX8": "it can be submerged deeper than 1 m",
        }[value]
        return f"The {t} is rated {value}, so {meaning}."
    if key == "leg length":
        if "long" in value:
            lengths = join_words(value.split(", "))
            return f"Yes, the {t} come in {lengths} leg lengths; long is an 86 cm inside leg."
        return f"The {t} only come in a regular leg length (81 cm inside leg)."
    if key == "scent":
        if value == "unscented":
            return f"The {t} {w.is_} unscented."
        return f"The {t} smell{w.s} of {value}."
    has = w.v("has", "have")
    simple = {
        "comfort rating": f"The {t} {has} a comfort rating of {value}.",
        "tog": f"The {t} {w.is_} {value}.",
        "R-value": f"The {t} {has} an R-value of {value}.",
        "brightness": f"The {t} put{w.s} out up to {value}.",
        "age": f"The {t} {w.is_} recommended for children aged {value}.",
        "diameter": f"The {t} {w.is_} {value} in diameter.",
        "dimensions": f"The {t} measure{w.s} {value}.",
        "firmness": f"The {t} {has} a {value} feel.",
        "lens category": f"The {t} {has} {value} lenses.",
        "output": f"The {t} {has} an output of {value}.",
        "pieces": f"The {t} is a {value} set.",
        "pack size": f"The {t} come{w.s} in a {value} size.",
        "volume": f"The {t} come{w.s} in a {value} size.",
    }
    return simple.get(key)


MEASURE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "waterproof rating": ("How waterproof is the {n}?", "what's the hydrostatic head of the {n}?"),
    "weight": ("How heavy is the {n}?", "what does the {n} weigh?"),
    "capacity": ("What's the capacity of the {n}?", "how big is the {n}?"),
    "water resistance": ("Is the {n} waterproof?", "can the {n} get wet?"),
    "comfort rating": ("What temperature is the {n} rated to?", "how warm is the {n}?"),
    "tog": ("What tog is the {n}?", "how warm is the {n}?"),
    "R-value": ("What's the R-value of the {n}?", "how warm is the {n} to sleep on?"),
    "brightness": ("How bright is the {n}?", "how many lumens is the {n}?"),
    "age": ("What age is the {n} suitable for?", "what age range is the {n} for?"),
    "scent": ("What does the {n} smell like?", "is the {n} scented?"),
    "diameter": ("What diameter is the {n}?", "how wide is the {n}?"),
    "dimensions": ("How big is the {n}?", "what are the dimensions of the {n}?"),
    "firmness": ("Is the {n} firm or soft?",),
    "lens category": ("What lens category are the {n}?",),
    "output": ("What's the output of the {n}?", "how many watts is the {n}?"),
    "pieces": ("How many pans are in the {n}?",),
    "pack size": ("How big is the {n}?", "what size is the {n}?"),
    "volume": ("How big is the {n}?", "how many ml is the {n}?"),
    "leg length": ("Do the {n} come in a long leg?", "what leg lengths do the {n} come in?"),
}


def _measure_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    keys = [k for k in MEASURE_QUESTIONS if k in p.attributes]
    if not keys:
        return None
    key = rng.choice(keys)
    answer = _measure_answer(p, key, p.attributes[key])
    if answer is None:
        return None
    question = rng.choice(MEASURE_QUESTIONS[key]).format(n=name)
    if is_plural(p.title.lower()):
        question = question.replace(" is the ", " are the ").replace("Is the ", "Are the ")
        question = question.replace(" does the ", " do the ")
    return question, answer


PRODUCT_QUESTION_KINDS: tuple[Callable[[random.Random, DemoProduct, str], QA | None], ...] = (
    _colour_qa,
    _size_qa,
    _material_qa,
    _stock_qa,
    _price_qa,
    _use_qa,
    _waterproof_qa,
    _care_qa,
    _warranty_qa,
    _measure_qa,
)


def _product_qa(rng: random.Random, product: DemoProduct) -> QA:
    """One question about a product with its answer, drawn from the kinds that apply."""
    name = _shopper_name(rng, product)
    kinds = list(PRODUCT_QUESTION_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        qa = kind(rng, product, name)
        if qa is not None:
            return qa
    raise AssertionError("the price question applies to every product")


def generate_qa(
    rng: random.Random,
    products: Sequence[DemoProduct],
    policy_questions: Sequence[PolicyQuestion],
) -> tuple[DemoQA, ...]:
    """Every policy phrasing once plus product questions (40% of the total), shuffled."""
    drafts: list[tuple[str, str, str | None, str]] = [
        (question, pq.answer, None, pq.topic)
        for pq in policy_questions
        for question in pq.questions
    ]
    n_product = round(len(drafts) * PRODUCT_QA_SHARE / (1 - PRODUCT_QA_SHARE))
    for product in rng.sample(list(products), min(n_product, len(products))):
        question, answer = _product_qa(rng, product)
        drafts.append((question, answer, product.id, "product"))
    rng.shuffle(drafts)
    return tuple(
        DemoQA(id=f"qa{i:04d}", question=q, answer=a, product_id=pid, topic=topic)
        for i, (q, a, pid, topic) in enumerate(drafts, start=1)
    )
