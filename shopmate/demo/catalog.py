"""The Northwind Outfitters demo catalog: hand-written product lines expanded into products.

A :class:`ProductLine` is one sub-category ("Footwear > Hiking Boots") with brands, use cases,
colours, sizes and a price band; its :class:`Kind` entries are the distinct items sold there,
each with its own noun phrases, materials and features so that descriptions stay coherent.
:func:`generate_products` combines them with a ``random.Random`` into varied, realistic
products (no "Product 17" placeholders)::

    import random
    products = generate_products(random.Random(7))
    products[0].title  # e.g. "Fjellmark Tarn Trail Men's Packable Waterproof Rain Jacket"
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from shopmate.demo.records import DemoProduct

OUT_OF_STOCK_SHARE = 0.08  # share of products generated with stock 0

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
ADULT_FITS = ("Men's", "Women's")

Extras = tuple[tuple[str, tuple[str, ...]], ...]  # attribute name -> options to draw from


@dataclass(frozen=True)
class ModelNames:
    """A pool of model names (and suffixes) that suits a kind of product."""

    names: tuple[str, ...]
    suffixes: tuple[str, ...] = ("",)


# fmt: off
OUTDOOR_NAMES = ModelNames(
    names=(
        "Storm", "Ridge", "Cascade", "Fell", "Tarn", "Summit", "Heather", "Glen", "Borealis",
        "Drift", "Kite", "Granite", "Corrie", "Scree", "Bothy", "Cairn", "Torridon", "Skye",
        "Munro", "Lomond", "Curlew", "Ptarmigan", "Wren", "Rowan", "Bracken", "Nevis",
    ),
    suffixes=("", "", "", "Lite", "Pro", "2", "Trail", "Alpine", "Plus", "Tech"),
)
HOME_NAMES = ModelNames(
    names=(
        "Linden", "Harbour", "Meadow", "Ashby", "Willow", "Alder", "Hazel", "Elm", "Thistle",
        "Bramble", "Fern", "Heath", "Loch", "Croft", "Haven", "Birch",
    ),
)
KITCHEN_NAMES = ModelNames(
    names=(
        "Hearth", "Ember", "Copper", "Kiln", "Forge", "Larder", "Orchard", "Brew", "Salt",
        "Sage", "Juniper", "Pantry",
    ),
    suffixes=("", "", "Classic", "Pro"),
)
TECH_NAMES = ModelNames(
    names=(
        "Beam", "Pulse", "Nova", "Volt", "Arc", "Flare", "Echo", "Orbit", "Spark", "Halo",
        "Vector", "Trace",
    ),
    suffixes=("200", "400", "600", "X", "Mini", "Max", "2", "S"),
)
FITNESS_NAMES = ModelNames(
    names=(
        "Core", "Flow", "Balance", "Tempo", "Forge", "Stride", "Pace", "Lift", "Motion",
        "Sprint", "Zen", "Kinetic",
    ),
    suffixes=("", "", "Pro", "2", "Plus"),
)
KIDS_NAMES = ModelNames(
    names=(
        "Puddle", "Otter", "Fox Cub", "Little Fern", "Tadpole", "Acorn", "Badger", "Hedgehog",
        "Robin", "Pebble", "Squirrel", "Dormouse",
    ),
)
BOTANICAL_NAMES = ModelNames(
    names=(
        "Wild Rose", "Sea Kelp", "Oat Milk", "Bergamot", "Calendula", "Lavender", "Seaberry",
        "Chamomile", "Neroli", "Aloe", "Cedar", "Unscented",
    ),
)

OUTERWEAR_COLOURS = (
    "navy", "blue", "black", "forest green", "red", "burnt orange", "charcoal", "teal",
    "plum", "yellow", "moss green", "grey",
)
EARTH_COLOURS = ("olive", "sand", "charcoal", "black", "navy", "brown", "stone", "moss green")
HOME_COLOURS = ("oatmeal", "sage green", "slate blue", "white", "charcoal", "terracotta", "blue")
TECH_COLOURS = ("black", "graphite", "white", "orange", "blue", "olive")
BRIGHT_COLOURS = ("red", "yellow", "blue", "green", "pink", "purple", "orange", "navy")
# fmt: on

OUTDOOR_BRANDS = ("Northwind", "Stormpeak", "Fjellmark", "Cairnline", "Halden", "Skerry")
FOOTWEAR_BRANDS = ("Northwind", "Fjellmark", "Trailforge", "Moorstep", "Halden")
CAMPING_BRANDS = ("Northwind", "Bothy & Co", "Cairnline", "Skerry", "Larchwood")
BAG_BRANDS = ("Northwind", "Cairnline", "Packhorse", "Stormpeak", "Tidewater")
KITCHEN_BRANDS = ("Emberly", "Copperfold", "Hearth & Tin", "Northwind Home")
HOME_BRANDS = ("Northwind Home", "Linden & Loom", "Hebridean Mills", "Slumberwell")
LIGHT_BRANDS = ("Lumo", "Voltaic", "Trailbyte", "Northwind")
POWER_BRANDS = ("Voltaic", "Lumo", "Trailbyte")
AUDIO_BRANDS = ("Sonnet Audio", "Voltaic", "Trailbyte")
GPS_BRANDS = ("Trailbyte", "Voltaic", "Northwind")
FITNESS_BRANDS = ("Corefield", "Ironbark", "Flowstate")
KIDS_BRANDS = ("Puddlejump", "Little Ridge", "Northwind Kids")
BEAUTY_BRANDS = ("Pebble & Fern", "Saltmarsh Botanics", "Wildling")
ACCESSORY_BRANDS = ("Northwind", "Stormpeak", "Skerry", "Glint Optics")


@dataclass(frozen=True)
class Kind:
    """One item type within a product line; ``None`` fields fall back to the line's values."""

    nouns: tuple[str, ...]  # lower-case noun phrases; "{capacity}" is filled from the extras
    materials: tuple[str, ...]
    features: tuple[str, ...]  # >= 3 third-person singular verb phrases: "has taped seams"
    price: tuple[float, float] | None = None
    sizes: tuple[str, ...] | None = None
    colours: tuple[str, ...] | None = None
    uses: tuple[str, ...] | None = None
    extras: Extras = ()


@dataclass(frozen=True)
class ProductLine:
    """Hand-written template for one sub-category of the catalog."""

    category: str  # "Top > Sub"
    count: int  # products generated from this line
    kinds: tuple[Kind, ...]
    brands: tuple[str, ...]
    uses: tuple[str, ...]  # >= 3 noun phrases that read well after "for"
    price: tuple[float, float]  # GBP band
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()  # size ladder; a contiguous run of it is offered
    fits: tuple[str, ...] = ()  # e.g. ("Men's", "Women's"); empty means unisex / not apparel
    extras: Extras = ()
    notes: tuple[str, ...] = ()  # optional closing sentences
    names: ModelNames = OUTDOOR_NAMES
    made: tuple[str, ...] = ("made from", "built from")  # how the material is introduced
    scented: bool = False  # the model name is a scent, recorded as attribute "scent"


BOOT_FEATURES = (
    "keeps your feet dry through puddles, bogs and wet grass",
    "has a grippy rubber outsole with 5 mm lugs for wet, muddy trails",
    "has a cushioned EVA midsole for long days",
    "has a padded ankle collar for support on rough ground",
    "has a rubber toe cap that protects against rocks",
    "stays breathable so your feet do not overheat when hiking in the rain",
    "has a gusseted tongue that keeps water and grit out",
)
BOARD_FEATURES = (
    "is finished with food-safe oil",
    "is gentle on knife edges",
    "doubles as a serving board",
)
DUVET_FEATURES = (
    "regulates temperature through the night",
    "is suitable for allergy sufferers",
    "comes with a 30-night trial",
)
PILLOW_FEATURES = (
    "supports your neck whatever way you sleep",
    "has a removable, washable cover",
    "comes with a 30-night trial",
)


PRODUCT_LINES: tuple[ProductLine, ...] = (
    # ---------------------------------------------------------------- Outdoor Clothing
    ProductLine(
        category="Outdoor Clothing > Rain Jackets",
        count=14,
        kinds=(
            Kind(
                nouns=(
                    "waterproof hiking rain jacket",
                    "breathable 3-layer waterproof shell jacket",
                    "packable waterproof rain jacket",
                    "waterproof mountain jacket",
                    "lightweight breathable rain jacket",
                    "2.5-layer waterproof hiking jacket",
                ),
                materials=(
                    "recycled nylon with a HydroShield waterproof-breathable membrane",
                    "3-layer recycled polyester ripstop with a waterproof-breathable membrane",
                    "2.5-layer waterproof, breathable nylon with a PFC-free water-repellent finish",
                    "70D recycled nylon bonded to a breathable waterproof membrane",
                ),
                features=(
                    "keeps out wind and driving rain while staying breathable on steep climbs",
                    "has fully taped seams and a waterproof front zip",
                    "has a helmet-compatible hood with a wired peak that keeps rain off your face",
                    "packs into its own chest pocket",
                    "has pit zips to dump heat on the uphill",
                    "has a dropped hem that keeps you dry when you sit down",
                    "has two hand pockets placed above a rucksack hip belt",
                    "has adjustable cuffs that seal out the rain",
                ),
            ),
        ),
        brands=OUTDOOR_BRANDS,
        uses=(
            "hiking in the rain",
            "wet-weather day hikes",
            "multi-day treks",
            "rainy city commutes",
            "hillwalking in changeable weather",
            "backpacking trips",
        ),
        price=(89.0, 289.0),
        colours=OUTERWEAR_COLOURS,
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        extras=(
            ("waterproof rating", ("10,000 mm", "15,000 mm", "20,000 mm", "28,000 mm")),
            ("breathability", ("10,000 g/m²/24h", "15,000 g/m²/24h", "20,000 g/m²/24h")),
            ("weight", ("285 g", "340 g", "395 g", "460 g", "520 g")),
        ),
        notes=(
            "Re-proof the outer fabric every 6 to 10 washes so rain keeps beading off.",
            "Sized with room for a fleece underneath.",
        ),
    ),
    ProductLine(
        category="Outdoor Clothing > Rain Trousers",
        count=9,
        kinds=(
            Kind(
                nouns=(
                    "waterproof over-trousers",
                    "waterproof hiking rain trousers",
                    "packable rain trousers",
                    "breathable waterproof trousers",
                ),
                materials=(
                    "2.5-layer recycled nylon with a breathable waterproof coating",
                    "3-layer waterproof-breathable ripstop polyester",
                    "lightweight recycled nylon with a HydroShield waterproof membrane",
                ),
                features=(
                    "has full-length side zips so you can pull it on over hiking boots",
                    "has taped seams and an elasticated, drawcord waist",
                    "packs down to the size of a water bottle",
                    "has reinforced scuff panels at the ankle",
                    "breathes well enough for long uphill sections in the rain",
                    "has a zipped rear pocket for keys",
                ),
            ),
        ),
        brands=OUTDOOR_BRANDS,
        uses=(
            "hiking in the rain",
            "wet hillwalking",
            "cycling to work in the rain",
            "rainy dog walks",
            "standing on the touchline in a downpour",
        ),
        price=(45.0, 149.0),
        colours=("black", "navy", "charcoal", "forest green"),
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        extras=(
            ("waterproof rating", ("10,000 mm", "15,000 mm", "20,000 mm")),
            ("leg length", ("regular", "short, regular, long")),
            ("weight", ("210 g", "260 g", "310 g")),
        ),
        notes=("Cut generously so they fit over hiking trousers.",),
    ),
    ProductLine(
        category="Outdoor Clothing > Fleeces",
        count=10,
        kinds=(
            Kind(
                nouns=("grid fleece jacket", "half-zip fleece", "recycled fleece hoodie"),
                materials=(
                    "100% recycled polyester grid fleece",
                    "200-weight recycled polyester fleece",
                    "100-weight recycled microfleece",
                ),
                features=(
                    "wicks moisture and dries quickly",
                    "layers easily under a waterproof shell",
                    "has flatlock seams that will not rub under a rucksack",
                    "has thumb loops to keep the sleeves in place",
                    "has a high collar that keeps the wind off your neck",
                ),
            ),
            Kind(
                nouns=("high-pile fleece jacket", "sherpa fleece jacket"),
                materials=(
                    "high-pile sherpa fleece made from recycled bottles",
                    "deep-pile recycled polyester fleece",
                ),
                features=(
                    "traps warm air in its deep pile",
                    "has zipped hand pockets",
                    "has a high collar that keeps the wind off your neck",
                    "has a smooth woven yoke that resists pilling",
                ),
                price=(69.0, 119.0),
            ),
        ),
        brands=OUTDOOR_BRANDS,
        uses=(
            "cool mornings at camp",
            "layering under a rain jacket",
            "autumn walks",
            "everyday wear",
            "winter hillwalking",
        ),
        price=(39.0, 99.0),
        colours=OUTERWEAR_COLOURS,
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        extras=(("weight", ("240 g", "310 g", "380 g", "450 g")),),
        notes=("Wash at 30 °C and skip the fabric softener to keep it lofty.",),
    ),
    ProductLine(
        category="Outdoor Clothing > Hiking Trousers",
        count=10,
        kinds=(
            Kind(
                nouns=(
                    "stretch hiking trousers",
                    "zip-off convertible trousers",
                    "softshell walking trousers",
                    "lightweight trekking trousers",
                ),
                materials=(
                    "stretch nylon with a water-repellent finish",
                    "recycled polyamide-elastane softshell",
                    "organic cotton canvas with 2% elastane",
                ),
                features=(
                    "dries fast after a shower",
                    "has articulated knees for scrambling",
                    "has a zipped thigh pocket for a map or phone",
                    "has UPF 50+ sun protection",
                    "has adjustable hems that fit over boots",
                    "sheds light showers thanks to a water-repellent finish",
                ),
            ),
        ),
        brands=OUTDOOR_BRANDS,
        uses=("summer hikes", "scrambling", "trekking holidays", "dog walks", "travel"),
        price=(49.0, 129.0),
        colours=EARTH_COLOURS,
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        extras=(("leg length", ("regular", "short, regular, long")),),
        notes=("Not waterproof: pair them with rain trousers when heavy rain is forecast.",),
    ),
    ProductLine(
        category="Outdoor Clothing > Base Layers",
        count=8,
        kinds=(
            Kind(
                nouns=(
                    "merino base layer top",
                    "long-sleeve merino tee",
                    "merino zip-neck base layer",
                ),
                materials=("200 g/m² merino wool", "a merino and Tencel blend"),
                features=(
                    "regulates temperature on the move",
                    "resists odour over several days of use",
                    "has flatlock seams to prevent chafing",
                    "feels soft against the skin, with no itch",
                ),
                price=(45.0, 89.0),
            ),
            Kind(
                nouns=("synthetic base layer leggings", "synthetic base layer top"),
                materials=(
                    "recycled polyester with odour control",
                    "recycled polyester-elastane jersey",
                ),
                features=(
                    "wicks sweat away fast",
                    "dries faster than cotton",
                    "has flatlock seams to prevent chafing",
                    "has a brushed inner face for warmth",
                ),
                price=(29.0, 49.0),
            ),
        ),
        brands=OUTDOOR_BRANDS,
        uses=("winter hiking", "ski touring", "multi-day trips", "running in the cold"),
        price=(29.0, 89.0),
        colours=("black", "navy", "grey", "plum", "teal", "blue"),
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        notes=("Wash at 30 °C and dry flat.",),
    ),
    ProductLine(
        category="Outdoor Clothing > Insulated Jackets",
        count=9,
        kinds=(
            Kind(
                nouns=("down jacket", "hooded down jacket", "down gilet"),
                materials=(
                    "responsibly sourced 700-fill-power duck down",
                    "650-fill-power down in a recycled nylon shell",
                ),
                features=(
                    "packs into its own stuff sack",
                    "has a windproof ripstop shell",
                    "traps heat without adding bulk",
                    "has a water-repellent finish that sheds light snow and drizzle",
                ),
                price=(129.0, 259.0),
            ),
            Kind(
                nouns=("synthetic insulated jacket", "hooded puffer jacket", "insulated gilet"),
                materials=(
                    "recycled synthetic insulation that stays warm when damp",
                    "recycled polyester insulation in a ripstop shell",
                ),
                features=(
                    "keeps you warm even when it gets damp",
                    "has a windproof ripstop shell",
                    "packs into its own pocket",
                    "is machine washable",
                ),
                price=(79.0, 169.0),
            ),
        ),
        brands=OUTDOOR_BRANDS,
        uses=("winter walks", "cold belays at the crag", "camp evenings", "city winters"),
        price=(79.0, 259.0),
        colours=OUTERWEAR_COLOURS,
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        extras=(("weight", ("290 g", "360 g", "420 g", "510 g")),),
        notes=("It is not waterproof, so wear a rain jacket over it in heavy rain.",),
    ),
    # ---------------------------------------------------------------- Footwear
    ProductLine(
        category="Footwear > Hiking Boots",
        count=12,
        kinds=(
            Kind(
                nouns=(
                    "waterproof hiking boots",
                    "waterproof mid hiking boots",
                    "lightweight waterproof hiking boots",
                    "waterproof backpacking boots",
                ),
                materials=(
                    "full-grain leather with a HydroShield waterproof-breathable membrane",
                    "suede and recycled mesh with a waterproof, breathable lining",
                    "nubuck leather with a waterproof-breathable lining",
                ),
                features=BOOT_FEATURES,
            ),
            Kind(
                nouns=("leather waterproof walking boots", "classic leather hiking boots"),
                materials=(
                    "full-grain leather with a HydroShield waterproof-breathable membrane",
                    "waxed nubuck leather with a waterproof-breathable lining",
                ),
                features=BOOT_FEATURES,
            ),
        ),
        brands=FOOTWEAR_BRANDS,
        uses=(
            "hiking in the rain",
            "muddy hill walks",
            "multi-day treks",
            "winter walking",
            "backpacking",
        ),
        price=(89.0, 229.0),
        colours=("brown", "black", "grey", "olive", "navy", "blue"),
        sizes=SHOE_SIZES,
        fits=ADULT_FITS,
        extras=(("weight", ("490 g per boot", "540 g per boot", "610 g per boot")),),
        notes=(
            "Wax or re-proof the uppers every few walks to keep them waterproof.",
            "We recommend breaking them in on a few shorter walks first.",
        ),
    ),
    ProductLine(
        category="Footwear > Trail Runners",
        count=9,
        kinds=(
            Kind(
                nouns=("trail running shoes", "lightweight trail shoes"),
                materials=("engineered recycled mesh", "abrasion-resistant knit"),
                features=(
                    "has a sticky rubber outsole for wet rock",
                    "has a rock plate that protects against sharp stones",
                    "drains quickly after river crossings",
                    "has a 6 mm heel-to-toe drop",
                    "has a cushioned, responsive midsole",
                ),
            ),
            Kind(
                nouns=("waterproof trail running shoes",),
                materials=("recycled mesh with a waterproof, breathable membrane",),
                features=(
                    "has a sticky rubber outsole for wet rock",
                    "keeps your feet dry on wet, muddy trails",
                    "has a gaiter hook at the front",
                    "has a cushioned, responsive midsole",
                ),
                price=(109.0, 159.0),
            ),
        ),
        brands=FOOTWEAR_BRANDS,
        uses=("trail running", "fast hiking", "parkrun", "fell races", "ultra training"),
        price=(79.0, 139.0),
        colours=("black", "blue", "red", "yellow", "grey", "teal"),
        sizes=SHOE_SIZES,
        fits=ADULT_FITS,
    ),
    ProductLine(
        category="Footwear > Sandals",
        count=8,
        kinds=(
            Kind(
                nouns=("walking sandals", "sport sandals"),
                materials=(
                    "quick-dry webbing with a rubber outsole",
                    "recycled polyester straps on a cork footbed",
                    "soft leather straps on a moulded EVA footbed",
                ),
                features=(
                    "has adjustable hook-and-loop straps",
                    "has a contoured footbed",
                    "is fine to wear in the water",
                    "has a grippy outsole for wet rocks",
                ),
            ),
            Kind(
                nouns=("recovery slides",),
                materials=("soft, moulded EVA foam", "recycled rubber and cork"),
                features=(
                    "slips on and off easily",
                    "has a contoured footbed",
                    "is fine to wear in the water",
                    "weighs next to nothing in a pack",
                ),
                price=(25.0, 49.0),
            ),
        ),
        brands=FOOTWEAR_BRANDS,
        uses=("summer walks", "river crossings", "beach days", "camp shoes"),
        price=(35.0, 89.0),
        colours=("black", "brown", "navy", "sand", "blue"),
        sizes=SHOE_SIZES,
        fits=ADULT_FITS,
    ),
    ProductLine(
        category="Footwear > Socks",
        count=8,
        kinds=(
            Kind(
                nouns=("merino hiking socks", "walking socks"),
                materials=("merino wool with nylon reinforcement", "a merino-rich wool blend"),
                features=(
                    "has cushioning under the heel and forefoot",
                    "resists odour on multi-day trips",
                    "has a seamless toe that prevents blisters",
                    "has an arch band that keeps it from slipping",
                ),
                price=(14.0, 25.0),
            ),
            Kind(
                nouns=("waterproof socks",),
                materials=("a waterproof, breathable membrane between merino layers",),
                features=(
                    "keeps feet dry when your shoes are wet",
                    "has a snug cuff that stops water running in",
                    "stays breathable on long walks",
                ),
                price=(25.0, 35.0),
            ),
            Kind(
                nouns=("liner socks",),
                materials=("thin recycled polyester",),
                features=(
                    "wicks sweat away from the skin",
                    "reduces friction and blisters",
                    "fits under any hiking sock",
                ),
                price=(9.0, 14.0),
            ),
        ),
        brands=FOOTWEAR_BRANDS,
        uses=("hiking in the rain", "long walks", "trail running", "cycling"),
        price=(9.0, 35.0),
        colours=("grey", "navy", "black", "forest green"),
        sizes=("S (UK 3-5)", "M (UK 6-8)", "L (UK 9-11)", "XL (UK 12-13)"),
    ),
    # ---------------------------------------------------------------- Camping
    ProductLine(
        category="Camping > Tents",
        count=9,
        kinds=(
            Kind(
                nouns=("1-person ultralight tent", "2-person backpacking tent"),
                materials=(
                    "20D silicone-coated ripstop nylon with a 3,000 mm flysheet",
                    "15D ripstop nylon with aluminium poles",
                ),
                features=(
                    "pitches in under five minutes",
                    "has a bathtub groundsheet that keeps rain out",
                    "pitches outer first so the inner stays dry in the rain",
                    "stays stable in strong wind",
                ),
                price=(149.0, 449.0),
                extras=(("weight", ("0.9 kg", "1.2 kg", "1.6 kg", "2.1 kg")),),
            ),
            Kind(
                nouns=("3-person dome tent", "4-person family tent"),
                materials=(
                    "polyester flysheet with a 4,000 mm hydrostatic head",
                    "recycled polyester with fibreglass poles",
                ),
                features=(
                    "has two doors and two porches",
                    "has colour-coded poles",
                    "has a bathtub groundsheet that keeps rain out",
                    "has a blackout bedroom for lie-ins",
                ),
                price=(129.0, 499.0),
                extras=(("weight", ("3.2 kg", "6.8 kg", "9.5 kg")),),
            ),
        ),
        brands=CAMPING_BRANDS,
        uses=(
            "wild camping",
            "festival weekends",
            "backpacking trips",
            "family campsite holidays",
        ),
        price=(129.0, 499.0),
        colours=("olive green", "sand", "orange", "grey"),
    ),
    ProductLine(
        category="Camping > Sleeping Bags",
        count=8,
        kinds=(
            Kind(
                nouns=("down sleeping bag", "down mummy sleeping bag"),
                materials=("650-fill-power duck down in a recycled nylon shell",),
                features=(
                    "has a draught collar and baffled zip",
                    "packs small into a compression sack",
                    "has a shaped hood that cinches down",
                ),
                price=(149.0, 349.0),
            ),
            Kind(
                nouns=("3-season sleeping bag", "summer sleeping bag", "synthetic sleeping bag"),
                materials=(
                    "recycled hollow-fibre synthetic insulation",
                    "lightweight ripstop nylon with synthetic fill",
                ),
                features=(
                    "stays warm even if it gets damp",
                    "has a two-way zip for venting on warm nights",
                    "is machine washable",
                    "zips together with a matching bag",
                ),
                price=(49.0, 149.0),
            ),
        ),
        brands=CAMPING_BRANDS,
        uses=("backpacking trips", "wild camping", "festival weekends", "bothy nights"),
        price=(49.0, 349.0),
        colours=("navy", "red", "forest green", "orange"),
        sizes=("Regular", "Long"),
        extras=(("comfort rating", ("+10 °C", "+5 °C", "0 °C", "-5 °C")),),
    ),
    ProductLine(
        category="Camping > Sleeping Mats",
        count=8,
        kinds=(
            Kind(
                nouns=("self-inflating sleeping mat",),
                materials=("40D polyester with open-cell foam",),
                features=(
                    "inflates itself once you open the valve",
                    "has a non-slip base",
                    "comes with a repair kit",
                ),
                price=(39.0, 99.0),
            ),
            Kind(
                nouns=("insulated air mat", "ultralight air mat"),
                materials=("30D nylon with reflective insulation",),
                features=(
                    "inflates in a few breaths with the included pump sack",
                    "rolls up to the size of a water bottle",
                    "comes with a repair kit",
                ),
                price=(69.0, 169.0),
            ),
            Kind(
                nouns=("closed-cell foam mat",),
                materials=("durable closed-cell foam",),
                features=(
                    "cannot puncture",
                    "doubles as a sit mat at lunch stops",
                    "straps to the outside of a pack",
                ),
                price=(19.0, 39.0),
            ),
        ),
        brands=CAMPING_BRANDS,
        uses=("backpacking trips", "car camping", "wild camping", "sleepovers"),
        price=(19.0, 169.0),
        colours=("orange", "blue", "olive", "grey"),
        extras=(("R-value", ("2.1", "3.5", "4.2", "5.0")),),
    ),
    ProductLine(
        category="Camping > Camp Cooking",
        count=8,
        kinds=(
            Kind(
                nouns=("gas canister stove", "windproof stove system"),
                materials=("stainless steel and aluminium", "hard-anodised aluminium"),
                features=(
                    "boils half a litre of water in about three minutes",
                    "has a piezo igniter",
                    "folds small enough to fit inside a mug",
                ),
                price=(29.0, 149.0),
            ),
            Kind(
                nouns=("titanium cook pot", "camp cook set"),
                materials=("titanium", "hard-anodised aluminium"),
                features=(
                    "nests a stove and gas canister inside",
                    "has folding handles that lock in place",
                    "has measurement markings inside",
                ),
                price=(19.0, 79.0),
            ),
        ),
        brands=CAMPING_BRANDS,
        uses=("backpacking trips", "wild camping", "festival weekends", "van life"),
        price=(19.0, 149.0),
        extras=(("weight", ("95 g", "210 g", "380 g", "520 g")),),
        notes=("Gas canisters are sold separately and cannot be shipped outside the UK.",),
    ),
    ProductLine(
        category="Camping > Camp Furniture",
        count=8,
        kinds=(
            Kind(
                nouns=("folding camp chair",),
                materials=("powder-coated steel and 600D polyester", "aluminium and ripstop"),
                features=(
                    "folds flat into a carry bag",
                    "supports up to 120 kg",
                    "has a cup holder and side pocket",
                ),
            ),
            Kind(
                nouns=("roll-top camping table",),
                materials=("aluminium slats on a steel frame",),
                features=(
                    "rolls up into a carry bag",
                    "sets up in under a minute",
                    "wipes clean easily",
                ),
            ),
            Kind(
                nouns=("hammock with bug net",),
                materials=("parachute nylon",),
                features=(
                    "comes with tree-friendly straps",
                    "supports up to 150 kg",
                    "packs into an attached stuff sack",
                ),
            ),
        ),
        brands=CAMPING_BRANDS,
        uses=("car camping", "festival weekends", "garden barbecues", "beach days"),
        price=(25.0, 119.0),
        colours=("olive", "navy", "grey", "orange"),
    ),
    # ---------------------------------------------------------------- Backpacks & Bags
    ProductLine(
        category="Backpacks & Bags > Hiking Backpacks",
        count=10,
        kinds=(
            Kind(
                nouns=(
                    "{capacity} hiking backpack",
                    "{capacity} trekking backpack",
                    "{capacity} backpacking pack",
                ),
                materials=("recycled 210D nylon", "ripstop recycled polyester", "420D nylon"),
                features=(
                    "has an adjustable back system",
                    "comes with an integrated waterproof rain cover for hiking in the rain",
                    "has a hydration sleeve",
                    "has hip-belt pockets for snacks",
                    "has a ventilated mesh back panel",
                    "has a lid pocket and front stretch pocket",
                ),
            ),
        ),
        brands=BAG_BRANDS,
        uses=("day hikes", "multi-day treks", "backpacking trips", "hut-to-hut walks"),
        price=(69.0, 219.0),
        colours=("navy", "black", "forest green", "red", "grey", "blue"),
        sizes=("S/M", "M/L"),
        extras=(("capacity", ("28 L", "35 L", "45 L", "55 L", "65 L")),),
    ),
    ProductLine(
        category="Backpacks & Bags > Daypacks",
        count=9,
        kinds=(
            Kind(
                nouns=("everyday daypack", "laptop backpack", "packable daypack"),
                materials=("recycled polyester canvas", "waxed cotton with leather trims"),
                features=(
                    "has a padded sleeve for a 15-inch laptop",
                    "has a quick-access front pocket",
                    "has padded shoulder straps",
                    "has a water-repellent finish for light showers",
                ),
            ),
            Kind(
                nouns=("roll-top waterproof backpack",),
                materials=("welded waterproof TPU-coated nylon",),
                features=(
                    "keeps your things dry in heavy rain",
                    "has a roll-top closure with a buckle",
                    "has reflective details for dark evenings",
                ),
                price=(49.0, 119.0),
            ),
        ),
        brands=BAG_BRANDS,
        uses=("commuting", "city breaks", "short walks", "cycling to work"),
        price=(29.0, 99.0),
        colours=("black", "navy", "mustard", "forest green", "grey", "blue"),
        extras=(("capacity", ("15 L", "20 L", "25 L", "30 L")),),
    ),
    ProductLine(
        category="Backpacks & Bags > Pack Covers & Dry Bags",
        count=9,
        kinds=(
            Kind(
                nouns=("waterproof backpack rain cover", "hi-vis pack rain cover"),
                materials=(
                    "silicone-coated ripstop nylon",
                    "recycled polyester with a PU waterproof coating",
                ),
                features=(
                    "keeps your pack and kit dry when hiking in the rain",
                    "has an elasticated edge that grips the pack",
                    "has a reflective strip for dark, wet evenings",
                    "packs into its own pouch",
                ),
                extras=(("capacity", ("20-35 L", "35-55 L", "55-75 L")),),
            ),
            Kind(
                nouns=("roll-top dry bag", "waterproof pack liner"),
                materials=("lightweight waterproof TPU-laminated nylon",),
                features=(
                    "keeps spare clothes and sleeping bags dry inside your pack",
                    "has welded waterproof seams",
                    "has a roll-top closure",
                ),
                extras=(("capacity", ("5 L", "10 L", "20 L", "50 L")),),
            ),
        ),
        brands=BAG_BRANDS,
        uses=(
            "hiking in the rain",
            "kayaking trips",
            "wet-weather backpacking",
            "cycling commutes",
        ),
        price=(9.0, 35.0),
        colours=("yellow", "orange", "black", "blue", "red"),
    ),
    ProductLine(
        category="Backpacks & Bags > Travel Duffels",
        count=8,
        kinds=(
            Kind(
                nouns=("travel duffel bag",),
                materials=("TPU-laminated recycled polyester", "1000D ballistic nylon"),
                features=(
                    "converts into a backpack with stowaway straps",
                    "has a wide D-shaped opening",
                    "shrugs off rain and spray",
                ),
            ),
            Kind(
                nouns=("wheeled duffel",),
                materials=("TPU-laminated recycled polyester",),
                features=(
                    "has smooth, replaceable wheels",
                    "has a telescopic handle",
                    "has lockable zips",
                ),
                price=(129.0, 199.0),
            ),
            Kind(
                nouns=("carry-on travel pack",),
                materials=("1000D ballistic nylon", "waxed canvas"),
                features=(
                    "meets most airline cabin size limits",
                    "has a laptop compartment",
                    "has lockable zips",
                ),
            ),
        ),
        brands=BAG_BRANDS,
        uses=("weekend trips", "airport runs", "expedition travel", "gym visits"),
        price=(49.0, 169.0),
        colours=("black", "navy", "olive", "orange"),
        extras=(("capacity", ("40 L", "60 L", "90 L")),),
    ),
    # ---------------------------------------------------------------- Kitchen
    ProductLine(
        category="Kitchen > Cookware",
        count=9,
        kinds=(
            Kind(
                nouns=("cast iron skillet",),
                materials=("pre-seasoned cast iron",),
                features=(
                    "works on all hobs, including induction",
                    "is oven-safe to 260 °C",
                    "gets better with every use",
                    "can go straight onto a campfire",
                ),
                extras=(("diameter", ("20 cm", "25 cm", "30 cm")),),
            ),
            Kind(
                nouns=("stainless steel saucepan set",),
                materials=("tri-ply stainless steel",),
                features=(
                    "works on all hobs, including induction",
                    "comes with tempered glass lids",
                    "is dishwasher safe",
                ),
                price=(89.0, 179.0),
                extras=(("pieces", ("3-piece", "5-piece")),),
            ),
            Kind(
                nouns=("non-stick frying pan",),
                materials=("aluminium with a PFAS-free ceramic non-stick coating",),
                features=(
                    "heats evenly without hot spots",
                    "lets eggs slide straight out",
                    "works on all hobs, including induction",
                ),
                extras=(("diameter", ("20 cm", "24 cm", "28 cm")),),
            ),
            Kind(
                nouns=("enamelled casserole dish",),
                materials=("enamelled cast iron",),
                features=(
                    "is oven-safe to 260 °C",
                    "keeps stews simmering gently for hours",
                    "goes from oven to table",
                ),
                price=(69.0, 179.0),
                extras=(("capacity", ("2.5 L", "3.8 L", "5.3 L")),),
            ),
        ),
        brands=KITCHEN_BRANDS,
        uses=("weeknight dinners", "slow-cooked stews", "searing steak", "Sunday lunches"),
        price=(25.0, 129.0),
        colours=("black", "slate blue", "red", "cream"),
        names=KITCHEN_NAMES,
    ),
    ProductLine(
        category="Kitchen > Water Bottles & Flasks",
        count=9,
        kinds=(
            Kind(
                nouns=("insulated water bottle", "vacuum flask", "insulated travel mug"),
                materials=("double-wall 18/8 stainless steel",),
                features=(
                    "keeps drinks hot for 12 hours and cold for 24",
                    "has a leak-proof lid",
                    "fits in most car cup holders",
                    "has a powder-coated finish that will not slip",
                ),
            ),
            Kind(
                nouns=("collapsible water bottle",),
                materials=("food-grade silicone", "BPA-free Tritan and silicone"),
                features=(
                    "rolls up small when empty",
                    "is dishwasher safe",
                    "has a leak-proof lid",
                ),
                price=(12.0, 22.0),
            ),
        ),
        brands=KITCHEN_BRANDS,
        uses=("hiking", "the daily commute", "the gym", "long car journeys"),
        price=(15.0, 45.0),
        colours=("blue", "black", "sage green", "red", "white", "orange"),
        extras=(("capacity", ("350 ml", "500 ml", "750 ml", "1 L")),),
        names=KITCHEN_NAMES,
    ),
    ProductLine(
        category="Kitchen > Coffee & Tea",
        count=8,
        kinds=(
            Kind(
                nouns=("pour-over coffee dripper",),
                materials=("ceramic", "borosilicate glass"),
                features=(
                    "brews one or two cups at a time",
                    "uses standard paper filters",
                    "is dishwasher safe",
                ),
                price=(15.0, 35.0),
            ),
            Kind(
                nouns=("French press",),
                materials=("borosilicate glass and stainless steel", "double-wall stainless steel"),
                features=(
                    "makes up to four cups at a time",
                    "has a fine mesh filter that keeps grounds out",
                    "comes apart for easy cleaning",
                ),
                price=(19.0, 49.0),
            ),
            Kind(
                nouns=("manual coffee grinder",),
                materials=("stainless steel",),
                features=(
                    "has an adjustable ceramic burr",
                    "is light enough to take camping",
                    "grinds for espresso or French press",
                ),
                price=(29.0, 99.0),
            ),
            Kind(
                nouns=("stovetop espresso maker",),
                materials=("aluminium", "stainless steel"),
                features=(
                    "works on gas and electric hobs",
                    "makes rich coffee in about five minutes",
                    "comes apart for easy cleaning",
                ),
                price=(19.0, 59.0),
            ),
        ),
        brands=KITCHEN_BRANDS,
        uses=("slow weekend mornings", "camping trips", "the office", "gifting"),
        price=(15.0, 99.0),
        colours=("black", "white", "silver", "sage green"),
        names=KITCHEN_NAMES,
    ),
    ProductLine(
        category="Kitchen > Knives & Boards",
        count=8,
        kinds=(
            Kind(
                nouns=("chef's knife", "bread knife", "santoku knife"),
                materials=("German stainless steel", "Japanese VG10 steel"),
                features=(
                    "holds a keen edge",
                    "has a comfortable, balanced handle",
                    "should be washed by hand",
                ),
                price=(35.0, 129.0),
            ),
            Kind(
                nouns=("olive wood chopping board", "olive wood serving board"),
                materials=("solid olive wood",),
                features=BOARD_FEATURES,
                price=(25.0, 59.0),
            ),
            Kind(
                nouns=("bamboo chopping board", "bamboo board set"),
                materials=("sustainably grown bamboo",),
                features=BOARD_FEATURES,
                price=(15.0, 39.0),
            ),
            Kind(
                nouns=("knife sharpener",),
                materials=("ceramic and diamond-coated steel",),
                features=(
                    "restores a dull edge in a few strokes",
                    "has a non-slip base",
                    "works on most straight-edged knives",
                ),
                price=(15.0, 35.0),
            ),
            Kind(
                nouns=("whetstone",),
                materials=("1000/6000 grit corundum",),
                features=(
                    "puts a razor edge on kitchen and camp knives",
                    "sits in a non-slip bamboo base",
                    "only needs water, not oil",
                ),
                price=(19.0, 45.0),
            ),
        ),
        brands=KITCHEN_BRANDS,
        uses=("everyday cooking", "carving the Sunday roast", "prep work", "gifting"),
        price=(15.0, 129.0),
        names=KITCHEN_NAMES,
    ),
    # ---------------------------------------------------------------- Home & Bedding
    ProductLine(
        category="Home & Bedding > Duvets & Pillows",
        count=8,
        kinds=(
            Kind(
                nouns=("wool duvet",),
                materials=("British wool in an organic cotton cover",),
                features=DUVET_FEATURES,
                sizes=BED_SIZES,
                extras=(("tog", ("4.5 tog", "10.5 tog", "13.5 tog")),),
            ),
            Kind(
                nouns=("down duvet", "all-season down duvet"),
                materials=("responsibly sourced duck down in a cotton percale cover",),
                features=DUVET_FEATURES,
                sizes=BED_SIZES,
                price=(129.0, 249.0),
                extras=(("tog", ("4.5 tog", "10.5 tog", "4.5 + 9 tog all-season")),),
            ),
            Kind(
                nouns=("anti-allergy duvet", "all-season duvet"),
                materials=("recycled hollow-fibre in a microfibre cover",),
                features=DUVET_FEATURES,
                sizes=BED_SIZES,
                price=(45.0, 99.0),
                extras=(("tog", ("4.5 tog", "10.5 tog", "13.5 tog", "4.5 + 9 tog all-season")),),
            ),
            Kind(
                nouns=("down pillow",),
                materials=("responsibly sourced duck down",),
                features=PILLOW_FEATURES,
                price=(39.0, 89.0),
                sizes=("Standard", "King"),
                extras=(("firmness", ("soft", "medium")),),
            ),
            Kind(
                nouns=("memory foam pillow",),
                materials=("CertiPUR-certified memory foam",),
                features=PILLOW_FEATURES,
                price=(35.0, 79.0),
                sizes=("Standard", "King"),
                extras=(("firmness", ("medium", "firm")),),
            ),
        ),
        brands=HOME_BRANDS,
        uses=("light sleepers", "hot sleepers", "guest rooms", "winter nights"),
        price=(59.0, 199.0),
        names=HOME_NAMES,
    ),
    ProductLine(
        category="Home & Bedding > Bed Linen",
        count=9,
        kinds=(
            Kind(
                nouns=("organic cotton duvet cover set",),
                materials=("200-thread-count organic cotton",),
                features=(
                    "softens with every wash",
                    "has hidden button closures",
                    "comes with two matching pillowcases",
                ),
            ),
            Kind(
                nouns=("brushed cotton bedding set",),
                materials=("brushed organic cotton flannel",),
                features=(
                    "feels warm from the moment you get in",
                    "has hidden button closures",
                    "comes with two matching pillowcases",
                ),
            ),
            Kind(
                nouns=("linen sheet set",),
                materials=("stonewashed French linen",),
                features=(
                    "is breathable for warm nights",
                    "softens with every wash",
                    "has deep pockets that fit mattresses up to 35 cm",
                ),
                price=(89.0, 159.0),
            ),
            Kind(
                nouns=("percale fitted sheet",),
                materials=("crisp cotton percale",),
                features=(
                    "has deep pockets that fit mattresses up to 35 cm",
                    "stays cool and crisp",
                    "is easy to iron",
                ),
                price=(29.0, 49.0),
            ),
        ),
        brands=HOME_BRANDS,
        uses=("everyday use", "warm summer nights", "cosy winters", "guest rooms"),
        price=(39.0, 119.0),
        colours=HOME_COLOURS,
        sizes=BED_SIZES,
        names=HOME_NAMES,
    ),
    ProductLine(
        category="Home & Bedding > Throws & Blankets",
        count=8,
        kinds=(
            Kind(
                nouns=("wool throw", "lambswool blanket"),
                materials=("lambswool",),
                features=(
                    "is woven in a traditional Scottish mill",
                    "has fringed edges",
                    "gets cosier with age",
                ),
                price=(69.0, 129.0),
            ),
            Kind(
                nouns=("waffle knit blanket",),
                materials=("organic cotton waffle",),
                features=(
                    "is machine washable",
                    "is light enough for summer",
                    "has a deep waffle texture",
                ),
            ),
            Kind(
                nouns=("recycled fleece blanket",),
                materials=("recycled polyester fleece",),
                features=("is machine washable", "dries quickly", "is soft on both sides"),
                price=(29.0, 49.0),
            ),
            Kind(
                nouns=("picnic blanket with waterproof backing",),
                materials=("recycled polyester fleece with a waterproof backing",),
                features=(
                    "keeps damp grass from soaking through",
                    "folds into a carry strap",
                    "is machine washable",
                ),
                price=(29.0, 59.0),
            ),
        ),
        brands=HOME_BRANDS,
        uses=("the sofa", "picnics", "camping evenings", "reading corners"),
        price=(35.0, 89.0),
        colours=HOME_COLOURS,
        extras=(("dimensions", ("130 x 170 cm", "150 x 200 cm", "180 x 220 cm")),),
        names=HOME_NAMES,
    ),
    ProductLine(
        category="Home & Bedding > Towels",
        count=8,
        kinds=(
            Kind(
                nouns=("organic cotton bath towel", "organic cotton bath sheet"),
                materials=("600 g/m² organic cotton",),
                features=(
                    "is soft and absorbent",
                    "gets softer with washing",
                    "has a hanging loop",
                ),
            ),
            Kind(
                nouns=("waffle hand towel", "waffle bath towel"),
                materials=("Turkish cotton waffle",),
                features=(
                    "dries faster than a terry towel",
                    "gets softer with washing",
                    "has a hanging loop",
                ),
            ),
            Kind(
                nouns=("quick-dry travel towel",),
                materials=("recycled microfibre",),
                features=(
                    "dries quickly between uses",
                    "packs small in a mesh bag",
                    "is sand-resistant",
                ),
            ),
        ),
        brands=HOME_BRANDS,
        uses=("everyday use", "travel", "the gym", "wild swimming"),
        price=(9.0, 49.0),
        colours=HOME_COLOURS,
        names=HOME_NAMES,
    ),
    # ---------------------------------------------------------------- Electronics & Gadgets
    ProductLine(
        category="Electronics & Gadgets > Headlamps & Torches",
        count=9,
        kinds=(
            Kind(
                nouns=("rechargeable headlamp", "camping lantern"),
                materials=("impact-resistant polycarbonate", "recycled ABS plastic"),
                features=(
                    "charges over USB-C",
                    "has a red light mode to save your night vision",
                    "keeps working in the rain",
                    "has a lock mode so it does not switch on in your bag",
                ),
                extras=(("water resistance", ("IPX4", "IPX7")),),
            ),
            Kind(
                nouns=("waterproof LED torch",),
                materials=("anodised aluminium",),
                features=(
                    "charges over USB-C",
                    "survives being dropped in a stream",
                    "has a lock mode so it does not switch on in your bag",
                ),
                extras=(("water resistance", ("IPX7", "IPX8")),),
            ),
        ),
        brands=LIGHT_BRANDS,
        uses=("night hikes", "camping trips", "power cuts", "early-morning runs"),
        price=(19.0, 89.0),
        colours=TECH_COLOURS,
        extras=(("brightness", ("200 lumens", "350 lumens", "500 lumens", "1,000 lumens")),),
        names=TECH_NAMES,
    ),
    ProductLine(
        category="Electronics & Gadgets > Power Banks & Solar",
        count=8,
        kinds=(
            Kind(
                nouns=("power bank",),
                materials=("rugged rubberised casing",),
                features=(
                    "charges a phone up to three times",
                    "supports 20 W fast charging",
                    "has two USB-C ports",
                    "is splash-resistant",
                ),
                extras=(("capacity", ("10,000 mAh", "20,000 mAh")),),
            ),
            Kind(
                nouns=("foldable solar panel",),
                materials=("ETFE-laminated solar cells",),
                features=(
                    "folds to the size of a tablet",
                    "has loops to hang from a rucksack",
                    "is splash-resistant",
                ),
                price=(59.0, 149.0),
                extras=(("output", ("21 W", "28 W")),),
            ),
            Kind(
                nouns=("USB-C wall charger",),
                materials=("recycled plastic with gallium nitride electronics",),
                features=(
                    "charges a laptop and phone at once",
                    "has a folding plug",
                    "comes with UK, EU and US adapters",
                ),
                extras=(("output", ("45 W", "65 W")),),
            ),
        ),
        brands=POWER_BRANDS,
        uses=("multi-day treks", "festival weekends", "travel", "van life"),
        price=(25.0, 89.0),
        colours=TECH_COLOURS,
        names=TECH_NAMES,
    ),
    ProductLine(
        category="Electronics & Gadgets > Headphones & Speakers",
        count=8,
        kinds=(
            Kind(
                nouns=("wireless earbuds",),
                materials=("recycled plastic",),
                features=(
                    "lasts up to 8 hours plus 24 more from the case",
                    "is sweat- and splash-proof",
                    "pairs with two devices at once",
                ),
                price=(39.0, 149.0),
            ),
            Kind(
                nouns=("noise-cancelling headphones",),
                materials=("aluminium and vegan leather",),
                features=(
                    "has active noise cancellation",
                    "lasts up to 30 hours on a charge",
                    "folds flat into a travel case",
                ),
                price=(99.0, 249.0),
            ),
            Kind(
                nouns=("waterproof Bluetooth speaker",),
                materials=("rubberised fabric",),
                features=(
                    "floats and survives a dunk in the lake",
                    "lasts up to 15 hours on a charge",
                    "has a strap to hang from a tent",
                ),
                price=(39.0, 119.0),
            ),
        ),
        brands=AUDIO_BRANDS,
        uses=("commuting", "running", "travel", "beach days"),
        price=(39.0, 249.0),
        colours=TECH_COLOURS,
        names=TECH_NAMES,
    ),
    ProductLine(
        category="Electronics & Gadgets > GPS & Watches",
        count=8,
        kinds=(
            Kind(
                nouns=("GPS sports watch",),
                materials=("fibre-reinforced polymer", "titanium and sapphire glass"),
                features=(
                    "shows topographic maps",
                    "tracks heart rate and sleep",
                    "has a built-in barometric altimeter",
                ),
                price=(179.0, 449.0),
            ),
            Kind(
                nouns=("handheld GPS",),
                materials=("rugged rubberised polymer",),
                features=(
                    "runs on two AA batteries",
                    "comes preloaded with UK and European maps",
                    "works with gloves on",
                ),
                price=(149.0, 349.0),
            ),
            Kind(
                nouns=("fitness tracker",),
                materials=("silicone",),
                features=(
                    "tracks heart rate and sleep",
                    "lasts up to two weeks between charges",
                    "is swim-proof",
                ),
                price=(49.0, 129.0),
            ),
        ),
        brands=GPS_BRANDS,
        uses=("hiking", "trail running", "navigation in the hills", "training"),
        price=(49.0, 449.0),
        colours=TECH_COLOURS,
        names=TECH_NAMES,
    ),
    # ---------------------------------------------------------------- Fitness
    ProductLine(
        category="Fitness > Yoga & Pilates",
        count=8,
        kinds=(
            Kind(
                nouns=("yoga mat", "travel yoga mat"),
                materials=("natural tree rubber", "PVC-free TPE foam"),
                features=(
                    "has a non-slip surface",
                    "comes with a carry strap",
                    "is easy to wipe clean",
                ),
                price=(25.0, 89.0),
            ),
            Kind(
                nouns=("cork yoga block",),
                materials=("natural cork",),
                features=(
                    "is firm and grippy",
                    "has rounded edges",
                    "naturally resists sweat",
                ),
                price=(12.0, 25.0),
            ),
            Kind(
                nouns=("yoga strap",),
                materials=("organic cotton webbing",),
                features=(
                    "helps you ease into deeper stretches",
                    "has a quick-release metal buckle",
                    "is machine washable",
                ),
                price=(9.0, 15.0),
            ),
            Kind(
                nouns=("pilates ring",),
                materials=("spring steel with foam grips",),
                features=(
                    "adds gentle resistance to core work",
                    "has padded grips inside and out",
                    "is easy to wipe clean",
                ),
                price=(12.0, 25.0),
            ),
        ),
        brands=FITNESS_BRANDS,
        uses=("home yoga", "pilates classes", "stretching", "travel"),
        price=(9.0, 89.0),
        colours=("sage green", "slate blue", "black", "terracotta", "purple"),
        names=FITNESS_NAMES,
    ),
    ProductLine(
        category="Fitness > Weights",
        count=8,
        kinds=(
            Kind(
                nouns=("adjustable dumbbell set",),
                materials=("steel plates with a chrome handle",),
                features=(
                    "changes weight with a turn of the dial",
                    "stores in a compact stand",
                    "has a knurled grip",
                ),
                price=(149.0, 299.0),
                extras=(("weight", ("2-24 kg adjustable", "2-32 kg adjustable")),),
            ),
            Kind(
                nouns=("kettlebell",),
                materials=("cast iron with a vinyl coating",),
                features=(
                    "is colour coded by weight",
                    "has a wide handle for two-handed swings",
                    "does not mark floors",
                ),
                price=(29.0, 79.0),
                extras=(("weight", ("8 kg", "12 kg", "16 kg", "20 kg")),),
            ),
            Kind(
                nouns=("weighted vest",),
                materials=("neoprene with steel weights",),
                features=(
                    "has removable weights",
                    "stays put during runs",
                    "adjusts with side straps",
                ),
                price=(49.0, 119.0),
                extras=(("weight", ("5 kg", "10 kg", "15 kg")),),
            ),
        ),
        brands=FITNESS_BRANDS,
        uses=("home workouts", "strength training", "HIIT sessions", "garage gyms"),
        price=(29.0, 299.0),
        names=FITNESS_NAMES,
    ),
    ProductLine(
        category="Fitness > Resistance & Recovery",
        count=8,
        kinds=(
            Kind(
                nouns=("resistance band set",),
                materials=("natural latex", "fabric-covered latex"),
                features=(
                    "comes with a workout guide",
                    "fits in a gym bag",
                    "comes in five resistance levels",
                ),
            ),
            Kind(
                nouns=("foam roller",),
                materials=("high-density EVA foam",),
                features=(
                    "releases tight muscles after long runs",
                    "has a textured surface",
                    "keeps its shape after years of use",
                ),
            ),
            Kind(
                nouns=("massage ball set",),
                materials=("natural rubber",),
                features=(
                    "gets into knots in feet, calves and shoulders",
                    "fits in a gym bag",
                    "has a textured surface",
                ),
            ),
            Kind(
                nouns=("doorway pull-up bar",),
                materials=("steel with foam grips",),
                features=(
                    "installs without screws",
                    "has wide and narrow grips",
                    "supports up to 120 kg",
                ),
                price=(25.0, 59.0),
            ),
        ),
        brands=FITNESS_BRANDS,
        uses=("recovery days", "physio exercises", "home workouts", "travel"),
        price=(9.0, 49.0),
        colours=("black", "blue", "purple", "orange"),
        names=FITNESS_NAMES,
    ),
    ProductLine(
        category="Fitness > Running Gear",
        count=8,
        kinds=(
            Kind(
                nouns=("running tights", "running shorts"),
                materials=("recycled polyester with elastane",),
                features=(
                    "has reflective details for dark mornings",
                    "has a zipped phone pocket",
                    "wicks sweat away fast",
                ),
                price=(25.0, 69.0),
            ),
            Kind(
                nouns=("waterproof running jacket",),
                materials=("lightweight waterproof-breathable ripstop",),
                features=(
                    "keeps showers out without overheating",
                    "has reflective details for dark mornings",
                    "packs into its own pocket",
                ),
                price=(69.0, 119.0),
            ),
            Kind(
                nouns=("running vest",),
                materials=("stretch mesh",),
                features=(
                    "holds two soft flasks up front",
                    "has a zipped phone pocket",
                    "does not bounce",
                ),
                price=(49.0, 99.0),
            ),
        ),
        brands=FITNESS_BRANDS,
        uses=("road running", "parkrun", "marathon training", "rainy evening runs"),
        price=(25.0, 119.0),
        colours=("black", "navy", "red", "teal", "yellow"),
        sizes=APPAREL_SIZES,
        fits=ADULT_FITS,
        names=FITNESS_NAMES,
    ),
    # ---------------------------------------------------------------- Kids
    ProductLine(
        category="Kids > Kids Rainwear",
        count=9,
        kinds=(
            Kind(
                nouns=("kids' waterproof rain jacket", "puddle suit"),
                materials=(
                    "PVC-free waterproof polyester with taped seams",
                    "recycled nylon with a breathable waterproof membrane",
                ),
                features=(
                    "has reflective trims for dark school runs",
                    "has a detachable hood",
                    "is easy for small hands to zip up",
                    "has elasticated cuffs that keep the rain out",
                ),
            ),
            Kind(
                nouns=("kids' waterproof trousers", "kids' waterproof dungarees"),
                materials=("PVC-free waterproof polyester with taped seams",),
                features=(
                    "has foot loops that fit over wellies",
                    "has reflective trims for dark school runs",
                    "has an elasticated waist",
                ),
            ),
        ),
        brands=KIDS_BRANDS,
        uses=("puddle jumping", "school runs", "nursery", "family walks in the rain"),
        price=(19.0, 69.0),
        colours=BRIGHT_COLOURS,
        sizes=KIDS_SIZES,
        names=KIDS_NAMES,
    ),
    ProductLine(
        category="Kids > Kids Footwear",
        count=8,
        kinds=(
            Kind(
                nouns=("kids' wellies",),
                materials=("natural rubber",),
                features=(
                    "has pull-on handles",
                    "has a soft, warm lining",
                    "has a grippy sole for muddy paths",
                ),
            ),
            Kind(
                nouns=("kids' waterproof hiking boots",),
                materials=("suede with a waterproof, breathable lining",),
                features=(
                    "has a hook-and-loop fastening",
                    "has a grippy sole for muddy paths",
                    "keeps little feet dry in the rain",
                ),
            ),
            Kind(
                nouns=("kids' trail shoes",),
                materials=("recycled mesh",),
                features=(
                    "has a hook-and-loop fastening",
                    "has a toe bumper for scuffs",
                    "is light and flexible",
                ),
            ),
        ),
        brands=KIDS_BRANDS,
        uses=("muddy walks", "school runs", "camping holidays", "the playground"),
        price=(19.0, 69.0),
        colours=BRIGHT_COLOURS,
        sizes=KIDS_SHOE_SIZES,
        names=KIDS_NAMES,
    ),
    ProductLine(
        category="Kids > Toys & Games",
        count=8,
        kinds=(
            Kind(
                nouns=("wooden building blocks",),
                materials=("FSC-certified beech wood",),
                features=(
                    "comes in a drawstring storage bag",
                    "is finished with water-based paints",
                    "is tough enough for little hands",
                ),
                extras=(("age", ("18+ months", "3+ years")),),
            ),
            Kind(
                nouns=("nature explorer kit",),
                materials=("recycled plastic and cardboard",),
                features=(
                    "encourages outdoor play",
                    "includes a magnifier and a bug jar",
                    "includes a spotter's guide to British wildlife",
                ),
                extras=(("age", ("5+ years", "6+ years")),),
            ),
            Kind(
                nouns=("kids' binoculars",),
                materials=("rubber-armoured plastic",),
                colours=("green", "blue", "orange"),
                features=(
                    "encourages outdoor play",
                    "has 8x magnification",
                    "is tough enough for little hands",
                ),
                extras=(("age", ("5+ years", "6+ years")),),
            ),
            Kind(
                nouns=("camping card game",),
                materials=("recycled cardboard",),
                features=(
                    "plays with two to six players",
                    "fits in a coat pocket",
                    "teaches knots, stars and animal tracks",
                ),
                price=(9.0, 15.0),
                extras=(("age", ("6+ years", "8+ years")),),
            ),
        ),
        brands=KIDS_BRANDS,
        uses=("rainy afternoons", "garden adventures", "car journeys", "birthday presents"),
        price=(9.0, 49.0),
        names=KIDS_NAMES,
    ),
    ProductLine(
        category="Kids > Kids Backpacks",
        count=8,
        kinds=(
            Kind(
                nouns=("kids' daypack", "school backpack", "toddler backpack"),
                materials=("recycled polyester", "water-resistant nylon"),
                features=(
                    "has a chest strap to stop it slipping",
                    "has a name label inside",
                    "has reflective patches",
                    "has a bottle pocket on the side",
                ),
            ),
        ),
        brands=KIDS_BRANDS,
        uses=("school", "day trips", "nursery", "family hikes"),
        price=(19.0, 49.0),
        colours=BRIGHT_COLOURS,
        extras=(("capacity", ("6 L", "10 L", "14 L", "18 L")),),
        names=KIDS_NAMES,
    ),
    # ---------------------------------------------------------------- Beauty & Care
    ProductLine(
        category="Beauty & Care > Sun Care",
        count=8,
        kinds=(
            Kind(
                nouns=("mineral sunscreen SPF 50", "sun lotion SPF 30"),
                materials=("non-nano zinc oxide", "reef-friendly UV filters"),
                features=(
                    "is water resistant for up to 80 minutes",
                    "absorbs without a white cast",
                    "is suitable for sensitive skin",
                ),
                extras=(("volume", ("50 ml", "100 ml", "200 ml")),),
            ),
            Kind(
                nouns=("lip balm SPF 15",),
                materials=("beeswax and non-nano zinc oxide",),
                features=(
                    "protects lips from sun and wind",
                    "comes in a plastic-free cardboard tube",
                    "fits in the smallest pocket",
                ),
                price=(5.0, 9.0),
                extras=(("volume", ("15 ml",)),),
            ),
            Kind(
                nouns=("after-sun gel",),
                materials=("aloe vera and cucumber extract",),
                features=(
                    "cools skin after a long day outside",
                    "absorbs quickly",
                    "is suitable for sensitive skin",
                ),
                extras=(("volume", ("100 ml", "200 ml")),),
            ),
        ),
        brands=BEAUTY_BRANDS,
        uses=("summer hikes", "beach days", "ski trips", "everyday wear"),
        price=(9.0, 29.0),
        names=BOTANICAL_NAMES,
        made=("made with", "formulated with"),
        scented=True,
        notes=("Opened sun care cannot be returned for hygiene reasons unless faulty.",),
    ),
    ProductLine(
        category="Beauty & Care > Skincare",
        count=8,
        kinds=(
            Kind(
                nouns=("hydrating face cream", "face serum", "gentle cleanser", "face balm"),
                materials=("hyaluronic acid and squalane", "rosehip oil", "colloidal oat"),
                features=(
                    "protects skin from wind and cold",
                    "is vegan and cruelty free",
                    "is fragrance light",
                    "comes in a refillable glass jar",
                ),
            ),
        ),
        brands=BEAUTY_BRANDS,
        uses=("dry skin", "sensitive skin", "after a day outdoors", "daily routines"),
        price=(12.0, 49.0),
        extras=(("volume", ("30 ml", "50 ml", "100 ml")),),
        names=BOTANICAL_NAMES,
        made=("made with", "formulated with"),
        scented=True,
    ),
    ProductLine(
        category="Beauty & Care > Body & Hair",
        count=8,
        kinds=(
            Kind(
                nouns=("solid shampoo bar",),
                materials=("coconut-derived cleansers",),
                features=(
                    "is plastic free",
                    "lasts as long as three bottles of shampoo",
                    "travels well in hand luggage",
                ),
                extras=(("pack size", ("60 g", "90 g")),),
            ),
            Kind(
                nouns=("natural deodorant",),
                materials=("shea butter and arrowroot", "a bicarbonate-free base"),
                features=(
                    "is plastic free",
                    "keeps you fresh all day",
                    "is gentle enough for daily use",
                ),
                extras=(("pack size", ("55 g", "75 g")),),
            ),
            Kind(
                nouns=("body wash", "hand cream"),
                materials=("plant oils", "shea butter"),
                features=(
                    "is gentle enough for daily use",
                    "comes in a recycled bottle",
                    "is vegan and cruelty free",
                ),
                extras=(("pack size", ("75 ml", "250 ml")),),
            ),
        ),
        brands=BEAUTY_BRANDS,
        uses=("camping trips", "travel", "the gym", "daily routines"),
        price=(6.0, 24.0),
        names=BOTANICAL_NAMES,
        made=("made with", "formulated with"),
        scented=True,
    ),
    # ---------------------------------------------------------------- Accessories
    ProductLine(
        category="Accessories > Hats & Gloves",
        count=9,
        kinds=(
            Kind(
                nouns=("waterproof gloves", "waterproof hiking gloves"),
                materials=("recycled nylon with a waterproof-breathable insert",),
                features=(
                    "keeps your hands dry and warm on rainy hikes",
                    "has touchscreen-friendly fingertips",
                    "has a grippy palm",
                ),
                sizes=("S", "M", "L", "XL"),
                uses=("hiking in the rain", "winter walks", "cycling commutes"),
            ),
            Kind(
                nouns=("merino beanie",),
                materials=("merino wool",),
                features=(
                    "keeps you warm without itching",
                    "packs flat into a pocket",
                    "has a low-profile fit under a hood",
                ),
                sizes=("one size",),
                uses=("winter walks", "ski trips", "cold commutes"),
            ),
            Kind(
                nouns=("fleece neck gaiter",),
                materials=("recycled fleece",),
                features=(
                    "pulls up over your nose in a cold wind",
                    "packs flat into a pocket",
                    "dries quickly",
                ),
                sizes=("one size",),
                uses=("winter walks", "ski trips", "cold commutes"),
            ),
            Kind(
                nouns=("sun hat",),
                materials=("organic cotton with UPF 50+",),
                features=(
                    "has a chin cord for windy days",
                    "packs flat into a pocket",
                    "has a wide brim",
                ),
                sizes=("S/M", "L/XL"),
                uses=("summer hikes", "festival weekends", "beach days"),
            ),
            Kind(
                nouns=("waterproof bucket hat",),
                materials=("waterproof recycled nylon with taped seams",),
                features=(
                    "has a chin cord for windy days",
                    "packs flat into a pocket",
                    "keeps rain off your glasses",
                ),
                sizes=("S/M", "L/XL"),
                uses=("hiking in the rain", "festival weekends", "rainy dog walks"),
            ),
        ),
        brands=ACCESSORY_BRANDS,
        uses=("hiking in the rain", "winter walks", "summer hikes", "festival weekends"),
        price=(15.0, 59.0),
        colours=("black", "navy", "olive", "red", "grey"),
    ),
    ProductLine(
        category="Accessories > Sunglasses",
        count=8,
        kinds=(
            Kind(
                nouns=("polarised sunglasses", "sports sunglasses", "glacier glasses"),
                materials=("bio-based nylon frames", "recycled acetate", "lightweight TR90 frames"),
                features=(
                    "blocks 100% of UVA and UVB",
                    "comes with a hard case",
                    "has grippy nose pads",
                    "has scratch-resistant lenses",
                ),
            ),
        ),
        brands=ACCESSORY_BRANDS,
        uses=("summer hikes", "cycling", "ski trips", "sailing"),
        price=(39.0, 149.0),
        colours=("black", "tortoiseshell", "navy", "clear grey"),
        extras=(("lens category", ("category 2", "category 3", "category 4")),),
    ),
    ProductLine(
        category="Accessories > Umbrellas & Gaiters",
        count=8,
        kinds=(
            Kind(
                nouns=("waterproof gaiters",),
                materials=("waterproof-breathable recycled nylon",),
                features=(
                    "keeps rain, mud and snow out of your boots",
                    "has a tough instep strap",
                    "has a full-length front zip",
                ),
                uses=("hiking in the rain", "boggy moorland walks", "winter hillwalking"),
            ),
            Kind(
                nouns=("compact windproof umbrella",),
                materials=("fibreglass ribs and a recycled polyester canopy",),
                features=(
                    "flexes inside out in gusts without breaking",
                    "packs down small",
                    "opens with one button",
                ),
                uses=("city showers", "school runs", "rainy commutes"),
            ),
            Kind(
                nouns=("trekking poles",),
                materials=("aluminium with cork grips", "carbon fibre with foam grips"),
                features=(
                    "folds down to fit in a pack",
                    "has quick flick-lock adjusters",
                    "takes the strain off your knees on descents",
                ),
                uses=("hiking in the rain", "steep descents", "multi-day treks"),
            ),
            Kind(
                nouns=("waterproof map case",),
                materials=("clear TPU with welded seams",),
                features=(
                    "stays waterproof in a downpour",
                    "has a neck cord",
                    "fits an OS map folded to A4",
                ),
                uses=("hiking in the rain", "navigation practice", "orienteering"),
            ),
        ),
        brands=ACCESSORY_BRANDS,
        uses=("hiking in the rain", "boggy moorland walks", "city showers"),
        price=(15.0, 69.0),
        colours=("black", "navy", "olive", "yellow"),
    ),
)


def title_case(phrase: str) -> str:
    """Capitalise each word of a lower-case noun phrase, keeping acronyms and small words."""
    small = {"and", "with", "for", "of", "in", "on"}
    words = []
    for word in phrase.split(" "):
        if word in small or not word[:1].islower():
            words.append(word)
        else:
            words.append(word[0].upper() + word[1:])
    return " ".join(words)


def is_plural(noun: str) -> bool:
    """Whether a noun phrase names a plural thing ("hiking boots", "waterproof gloves")."""
    last = noun.rsplit(" ", 1)[-1].lower()
    return last.endswith("s") and not last.endswith("ss") and last not in {"gps", "canvas"}


def _plural_verb_phrase(phrase: str) -> str:
    """Turn "has taped seams" into "have taped seams" for plural subjects."""
    verb, _, rest = phrase.partition(" ")
    irregular = {"has": "have", "is": "are", "does": "do"}
    if verb in irregular:
        verb = irregular[verb]
    elif verb.endswith("ies"):
        verb = verb[:-3] + "y"
    elif verb.endswith(("ches", "shes", "sses", "xes", "zes")):
        verb = verb[:-2]
    elif verb.endswith("s"):
        verb = verb[:-1]
    rest = rest.replace("its own", "their own").replace(" it ", " them ")
    return f"{verb} {rest}".strip()


def _with_also(phrase: str) -> str:
    """Insert "also" in the right place: "is dishwasher safe" -> "is also dishwasher safe"."""
    verb, _, rest = phrase.partition(" ")
    if verb in {"is", "are", "can", "cannot", "should"}:
        return f"{verb} also {rest}"
    return f"also {phrase}"


def join_words(items: list[str]) -> str:
    """Join with commas and a final "and": ["a", "b", "c"] -> "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _price(rng: random.Random, low: float, high: float) -> float:
    """A shop-like price in the band: whole pounds ending .99, .95, .50 or .00."""
    pounds = rng.randint(int(low), int(high))
    pence = rng.choice((99, 99, 95, 50, 0))
    return round(max(pounds + pence / 100, low), 2)


def _sizes(rng: random.Random, ladder: tuple[str, ...]) -> str:
    """A contiguous run of the size ladder (all of it when the ladder is short)."""
    if len(ladder) <= 4:
        return ", ".join(ladder)
    length = rng.randint(4, len(ladder))
    start = rng.randint(0, len(ladder) - length)
    return ", ".join(ladder[start : start + length])


def _describe(
    rng: random.Random,
    line: ProductLine,
    *,
    brand: str,
    model: str,
    noun: str,
    material: str,
    features: list[str],
    uses: list[str],
) -> tuple[str, list[str]]:
    """Write three sentences (material, features, use cases); returns them with the uses named."""
    plural = is_plural(noun)
    feats = [_plural_verb_phrase(f) for f in features] if plural else list(features)
    pron, be, this, works = (
        ("they", "are", "these", "work") if plural else ("it", "is", "this", "works")
    )
    made = rng.choice(line.made)
    opening = rng.randrange(4)
    if opening == 0:
        first = f"The {brand} {model} {noun} {be} {made} {material} and {feats[0]}."
    elif opening == 1:
        first = f"{made.capitalize()} {material}, the {model} {noun} {feats[0]}."
    elif opening == 2:
        first = f"{_possessive(brand)} {model} {noun} {be} {made} {material}; {pron} {feats[0]}."
    else:
        first = f"{made.capitalize()} {material}, {this} {noun} {feats[0]}."
    middle = rng.randrange(3)
    if middle == 0:
        second = f"{pron.capitalize()} {feats[1]} and {feats[2]}."
    elif middle == 1:
        second = f"{pron.capitalize()} {_with_also(feats[1])}, and {pron} {feats[2]}."
    else:
        second = f"On top of that, {pron} {feats[1]} and {feats[2]}."
    ending = rng.randrange(4)
    if ending == 0:
        third, used = f"Ideal for {uses[0]} and {uses[1]}.", uses[:2]
    elif ending == 1:
        third, used = f"A dependable choice for {uses[0]}, {uses[1]} and {uses[2]}.", uses[:3]
    elif ending == 2:
        third = f"Designed for {uses[0]}, {pron} {works} just as well for {uses[1]}."
        used = uses[:2]
    else:
        third, used = f"Great for {uses[0]} or {uses[1]}.", uses[:2]
    return f"{first} {second} {third}", used


def _make_product(
    rng: random.Random, line: ProductLine, product_id: str, taken: set[str]
) -> DemoProduct:
    """Draw one product of a line; redraws the name until the title is unused."""
    kind = rng.choice(line.kinds)
    for _ in range(50):
        brand = rng.choice(line.brands)
        model = rng.choice(line.names.names)
        suffix = rng.choice(line.names.suffixes)
        if suffix:
            model = f"{model} {suffix}"
        fit = rng.choice(line.fits) if line.fits else ""
        extras = {key: rng.choice(options) for key, options in line.extras + kind.extras}
        noun = rng.choice(kind.nouns).replace("{capacity}", extras.get("capacity", ""))
        title = " ".join(part for part in (brand, model, fit, title_case(noun)) if part)
        echoes = model.split(" ", 1)[0].lower() in noun.split()  # "Puddle Puddle Suit"
        if title not in taken and not echoes:
            break
    taken.add(title)

    palette = line.colours if kind.colours is None else kind.colours
    ladder = line.sizes if kind.sizes is None else kind.sizes
    material = rng.choice(kind.materials)
    description, used = _describe(
        rng,
        line,
        brand=brand,
        model=model,
        noun=noun,
        material=material,
        features=rng.sample(kind.features, 3),
        uses=rng.sample(line.uses if kind.uses is None else kind.uses, 3),
    )
    colours = rng.sample(palette, rng.randint(1, min(4, len(palette)))) if palette else []
    roll = rng.random()
    if line.notes and roll < 0.35:
        description += " " + rng.choice(line.notes)
    elif colours and roll < 0.7:
        description += f" Available in {join_words(colours)}."

    attributes: dict[str, str] = {}
    if colours:
        attributes["colour"] = ", ".join(colours)
    if ladder:
        attributes["size"] = _sizes(rng, ladder)
    attributes["material"] = material
    if line.fits:
        attributes["fit"] = fit.lower()
    if line.scented:
        attributes["scent"] = model.lower()
    attributes.update(extras)
    attributes["best for"] = ", ".join(used)

    stock = rng.randint(1, 60) if rng.random() < 0.8 else rng.randint(61, 250)
    return DemoProduct(
        id=product_id,
        title=title,
        description=description,
        category=line.category,
        brand=brand,
        price=_price(rng, *(line.price if kind.price is None else kind.price)),
        stock=stock,
        attributes=attributes,
    )


def generate_products(rng: random.Random) -> tuple[DemoProduct, ...]:
    """Expand :data:`PRODUCT_LINES` into products with ids p0001, p0002, ... in line order.

    A share of :data:`OUT_OF_STOCK_SHARE` of the products (chosen by ``rng``) get stock 0.
    """
    taken: set[str] = set()
    products: list[DemoProduct] = []
    for line in PRODUCT_LINES:
        for _ in range(line.count):
            products.append(_make_product(rng, line, f"p{len(products) + 1:04d}", taken))
    sold_out = rng.sample(range(len(products)), round(OUT_OF_STOCK_SHARE * len(products)))
    for index in sorted(sold_out):
        products[index] = replace(products[index], stock=0)
    return tuple(products)


def top_level_categories() -> tuple[str, ...]:
    """Top-level category names in catalog order."""
    tops: list[str] = []
    for line in PRODUCT_LINES:
        top = line.category.split(" > ", 1)[0]
        if top not in tops:
            tops.append(top)
    return tuple(tops)
