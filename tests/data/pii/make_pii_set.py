"""Write the multi-country PII set: dev.jsonl (tune on it) and heldout.jsonl (score only).

    .venv/bin/python tests/data/pii/make_pii_set.py

Messages are written the way shoppers type them in chats and e-mails (US, UK, DE, FR, CN, IN;
English, German, French, Chinese, Hindi/Hinglish, Spanish) and marked up inline:
``⟦LABEL|value⟧`` is a personal value (EMAIL, PHONE, CARD, IBAN, ADDRESS) and ``⟦~kind|value⟧``
a hard negative the redactor must leave alone (order, tracking, voucher, loyalty, sku, date,
price, qty). The templates and number formats were written from how the services and people
write them, before the redactor was run on any of them. Every list of formats and templates
is split: items at positions 3, 7, 11, ... appear in the held-out part only, so the held-out
part also scores formats never seen while tuning. Hand-written messages live in
hand_dev.txt and hand_heldout.txt (one marked-up message per line; ``\\n`` is a line break).

A line of the output: {"id", "text", "lang", "country", "spans": [[start, end, LABEL], ...],
"negatives": [[start, end, kind], ...]} with code-point offsets.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).parent
T = TypeVar("T")
_MARK = re.compile(r"⟦(~?)([A-Za-z]+)\|(.*?)⟧", re.S)


def parse_marked(marked: str) -> tuple[str, list[list[object]], list[list[object]]]:
    """'call ⟦PHONE|0171 1234567⟧' -> ('call 0171 1234567', [[5, 17, 'PHONE']], [])."""
    out, spans, negs, last = [], [], [], 0
    pos = 0
    for m in _MARK.finditer(marked):
        out.append(marked[last : m.start()])
        pos += m.start() - last
        value = m.group(3)
        (negs if m.group(1) else spans).append([pos, pos + len(value), m.group(2)])
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(marked[last:])
    return "".join(out), spans, negs


class Pick:
    """Random choices where the held-out part sees every option and dev only 3 of each 4."""

    def __init__(self, seed: int, heldout: bool) -> None:
        self.r = random.Random(seed)
        self.heldout = heldout

    def fmt(self, options: Sequence[T]) -> T:
        pool = (
            list(options)
            if self.heldout or len(options) < 4
            else [o for i, o in enumerate(options) if i % 4 != 3]
        )
        return self.r.choice(pool)

    def any(self, options: Sequence[T]) -> T:
        return self.r.choice(list(options))

    def d(self, n: int) -> str:
        return "".join(str(self.r.randint(0, 9)) for _ in range(n))

    def nz(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + self.d(n - 1)


# ---------------------------------------------------------------- values


def luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def luhn_breaks(body: str) -> str:
    good = luhn_complete(body)
    return good[:-1] + str((int(good[-1]) + 3) % 10)


def iban(cc: str, bban: str) -> str:
    moved = bban + cc + "00"
    num = int("".join(str(int(c, 36)) for c in moved))
    return f"{cc}{98 - num % 97:02d}{bban}"


def group4(s: str) -> str:
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4))


def phone(p: Pick, country: str) -> str:
    if country == "US":
        a = p.any(
            [
                "212",
                "213",
                "312",
                "415",
                "503",
                "617",
                "646",
                "702",
                "713",
                "206",
                "305",
                "404",
                "512",
                "720",
                "919",
                "510",
            ]
        )
        e = str(p.r.randint(201, 989))
        while e.endswith("11") or e == "555":
            e = str(p.r.randint(201, 989))
        ln = p.d(4)
        return p.fmt(
            [
                f"({a}) {e}-{ln}",
                f"{a}-{e}-{ln}",
                f"+1 {a} {e} {ln}",
                f"{a}.{e}.{ln}",
                f"1-{a}-{e}-{ln}",
                f"+1 ({a}) {e}-{ln}",
                f"{a}{e}{ln}",
                f"+1-{a}-{e}-{ln}",
            ]
        )
    if country == "GB":
        if p.r.random() < 0.55:
            m = "7" + p.any(["4", "5", "7", "8", "9"]) + p.d(2)
            rest = p.d(6)
            return p.fmt(
                [
                    f"0{m} {rest}",
                    f"+44 {m} {rest}",
                    f"0{m}{rest}",
                    f"+44 (0){m} {rest}",
                    f"0{m} {rest[:3]} {rest[3:]}",
                    f"+44{m}{rest}",
                    f"0044 {m} {rest}",
                    f"(0{m}) {rest}",
                ]
            )
        area, n = p.any(
            [
                ("20", 8),
                ("161", 7),
                ("131", 7),
                ("121", 7),
                ("113", 7),
                ("117", 7),
                ("141", 7),
                ("29", 8),
            ]
        )
        local = (
            p.any(["3", "7", "8"]) + p.d(n - 1)
            if area in ("20", "29")
            else p.any(["2", "3", "4", "5"]) + p.d(n - 1)
        )
        sp = f"{local[:4]} {local[4:]}" if n == 8 else f"{local[:3]} {local[3:]}"
        return p.fmt(
            [
                f"0{area} {sp}",
                f"+44 {area} {sp}",
                f"(0{area}) {sp}",
                f"+44 (0){area} {sp}",
                f"0{area}-{local}",
                f"0{area} {local}",
            ]
        )
    if country == "DE":
        if p.r.random() < 0.55:
            pre = p.any(
                [
                    "151",
                    "152",
                    "157",
                    "160",
                    "162",
                    "170",
                    "171",
                    "172",
                    "173",
                    "175",
                    "176",
                    "177",
                    "178",
                    "179",
                ]
            )
            rest = p.nz(7) if pre[:2] in ("17", "16") else p.nz(8)
            return p.fmt(
                [
                    f"0{pre} {rest}",
                    f"0{pre}/{rest}",
                    f"+49 {pre} {rest}",
                    f"0{pre}-{rest}",
                    f"+49 (0){pre} {rest}",
                    f"0049 {pre} {rest}",
                    f"0{pre}{rest}",
                    f"+49{pre}{rest}",
                    f"0{pre} {rest[:2]} {rest[2:4]} {rest[4:]}",
                ]
            )
        area, n = p.any(
            [
                ("30", 8),
                ("89", 8),
                ("40", 8),
                ("221", 7),
                ("69", 8),
                ("711", 7),
                ("211", 7),
                ("341", 7),
            ]
        )
        local = p.nz(n)
        return p.fmt(
            [
                f"0{area} {local}",
                f"0{area}/{local}",
                f"+49 {area} {local}",
                f"(0{area}) {local[:4]} {local[4:]}",
                f"0{area}-{local}",
                f"+49 (0){area} {local}",
                f"0{area} {local[:3]} {local[3:]}",
            ]
        )
    if country == "FR":
        first = (
            p.any(["6", "7", "1", "2", "3", "4", "5", "9"])
            if p.r.random() < 0.5
            else p.any(["6", "7"])
        )
        rest = p.d(8)
        pairs = " ".join(rest[i : i + 2] for i in range(0, 8, 2))
        dots = ".".join(rest[i : i + 2] for i in range(0, 8, 2))
        return p.fmt(
            [
                f"0{first} {pairs}",
                f"0{first}.{dots}",
                f"+33 {first} {pairs}",
                f"0{first}{rest}",
                f"+33 (0){first} {pairs}",
                f"0033 {first} {pairs}",
                f"0{first}-{'-'.join(rest[i : i + 2] for i in range(0, 8, 2))}",
                f"+33{first}{rest}",
            ]
        )
    if country == "CN":
        if p.r.random() < 0.65:
            pre = p.any(
                [
                    "130",
                    "131",
                    "132",
                    "135",
                    "136",
                    "137",
                    "138",
                    "139",
                    "150",
                    "151",
                    "152",
                    "158",
                    "159",
                    "186",
                    "187",
                    "188",
                    "189",
                    "177",
                    "173",
                    "199",
                    "181",
                    "183",
                ]
            )
            rest = p.d(8)
            return p.fmt(
                [
                    f"{pre}{rest}",
                    f"{pre} {rest[:4]} {rest[4:]}",
                    f"{pre}-{rest[:4]}-{rest[4:]}",
                    f"+86 {pre} {rest[:4]} {rest[4:]}",
                    f"+86-{pre}{rest}",
                    f"(+86){pre}{rest}",
                    f"+86{pre}{rest}",
                    f"0086 {pre}{rest}",
                ]
            )
        area, n = p.any(
            [("10", 8), ("21", 8), ("20", 8), ("755", 8), ("571", 8), ("28", 8), ("25", 8)]
        )
        local = p.any(["5", "6", "8"]) + p.d(n - 1)
        return p.fmt(
            [
                f"0{area}-{local}",
                f"0{area}-{local[:4]} {local[4:]}",
                f"(0{area}) {local[:4]} {local[4:]}",
                f"+86 {area} {local[:4]} {local[4:]}",
                f"0{area} {local}",
                f"+86-{area}-{local}",
            ]
        )
    if country == "IN":
        if p.r.random() < 0.7:
            n = p.any(["9", "8", "7", "6"]) + p.d(9)
            if n[0] == "6":
                n = "63" + n[2:]
            return p.fmt(
                [
                    f"{n}",
                    f"{n[:5]} {n[5:]}",
                    f"+91 {n[:5]} {n[5:]}",
                    f"+91-{n}",
                    f"+91{n}",
                    f"0{n}",
                    f"+91 {n}",
                    f"{n[:3]}-{n[3:6]}-{n[6:]}",
                    f"(+91) {n}",
                ]
            )
        area = p.any(["22", "11", "80", "44", "40", "33", "20"])
        local = p.any(["2", "4", "6"]) + p.d(7)
        return p.fmt(
            [
                f"0{area}-{local[:4]} {local[4:]}",
                f"+91 {area} {local[:4]} {local[4:]}",
                f"(0{area}) {local}",
                f"0{area} {local}",
                f"0{area}-{local}",
                f"+91-{area}-{local}",
            ]
        )
    raise ValueError(country)


FIRST = {
    "US": [
        "james",
        "mary",
        "robert",
        "jennifer",
        "michael",
        "linda",
        "chris",
        "ashley",
        "tyler",
        "maria",
    ],
    "GB": [
        "oliver",
        "amelia",
        "harry",
        "isla",
        "george",
        "emily",
        "jack",
        "sophie",
        "charlie",
        "poppy",
    ],
    "DE": [
        "lukas",
        "anna",
        "jonas",
        "lea",
        "felix",
        "marie",
        "paul",
        "sophie",
        "maximilian",
        "juergen",
    ],
    "FR": [
        "lucas",
        "chloe",
        "hugo",
        "manon",
        "louis",
        "camille",
        "nathan",
        "lea",
        "jean-pierre",
        "marie-claire",
    ],
    "CN": ["wei", "fang", "lei", "jing", "yang", "min", "xiaoming", "li", "hao", "yan"],
    "IN": [
        "rahul",
        "priya",
        "amit",
        "sneha",
        "arjun",
        "divya",
        "rohit",
        "pooja",
        "vikram",
        "ananya",
    ],
}
LAST = {
    "US": ["smith", "johnson", "garcia", "miller", "davis", "rodriguez", "wilson", "anderson"],
    "GB": ["jones", "taylor", "brown", "williams", "evans", "thomas", "roberts", "walker"],
    "DE": ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker"],
    "FR": ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand"],
    "CN": ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao"],
    "IN": ["sharma", "patel", "singh", "kumar", "gupta", "reddy", "iyer", "nair"],
}
DOMAINS = {
    "US": [
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "icloud.com",
        "comcast.net",
        "aol.com",
        "acme-corp.com",
        "mail.utexas.edu",
    ],
    "GB": [
        "gmail.com",
        "btinternet.com",
        "yahoo.co.uk",
        "hotmail.co.uk",
        "sky.com",
        "ntlworld.com",
        "nhs.net",
        "ed.ac.uk",
    ],
    "DE": [
        "web.de",
        "gmx.de",
        "t-online.de",
        "gmail.com",
        "posteo.de",
        "freenet.de",
        "mail.de",
        "firma-schulz.de",
    ],
    "FR": [
        "orange.fr",
        "free.fr",
        "laposte.net",
        "gmail.com",
        "sfr.fr",
        "wanadoo.fr",
        "yahoo.fr",
        "univ-lyon1.fr",
    ],
    "CN": [
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "foxmail.com",
        "gmail.com",
        "aliyun.com",
        "vip.qq.com",
    ],
    "IN": [
        "gmail.com",
        "rediffmail.com",
        "yahoo.co.in",
        "outlook.com",
        "hotmail.com",
        "tcs.com",
        "iitb.ac.in",
        "zoho.in",
    ],
}


def email(p: Pick, country: str) -> str:
    f, la, dom = p.any(FIRST[country]), p.any(LAST[country]), p.any(DOMAINS[country])
    yy = str(p.r.randint(70, 99)) if p.r.random() < 0.5 else p.d(p.r.randint(1, 4))
    if country == "CN" and p.r.random() < 0.4:
        return f"{p.nz(p.r.randint(6, 10))}@{p.any(['qq.com', 'vip.qq.com'])}"
    local = p.fmt(
        [
            f"{f}.{la}",
            f"{f}{la}{yy}",
            f"{f[0]}.{la}",
            f"{f}_{la}",
            f"{f}.{la}+shop",
            f"{la}.{f}{yy}",
            f"{f}-{la}",
            f"{f.capitalize()}.{la.capitalize()}",
            f"{f}{yy}",
            f"{f[0]}{la}",
        ]
    )
    if p.r.random() < 0.08:
        return (local + "@" + dom).upper()
    return f"{local}@{dom}"


def card(p: Pick) -> str:
    kind = p.any(["visa", "visa", "mc", "mc2", "amex", "disc", "unionpay", "rupay", "maestro"])
    if kind == "amex":
        n = luhn_complete(p.any(["34", "37"]) + p.d(12))
        return p.fmt([f"{n[:4]} {n[4:10]} {n[10:]}", n, f"{n[:4]}-{n[4:10]}-{n[10:]}"])
    prefix, length = {
        "visa": ("4", 16),
        "mc": (str(p.r.randint(51, 55)), 16),
        "mc2": (str(p.r.randint(2221, 2720)), 16),
        "disc": ("6011", 16),
        "unionpay": ("62" + p.d(4), p.any([16, 19])),
        "rupay": (p.any(["6521", "6522", "6070", "8171"]), 16),
        "maestro": ("6759", 16),
    }[kind]
    n = luhn_complete(prefix + p.d(length - len(prefix) - 1))
    if length == 19:
        return p.fmt([f"{n[:4]} {n[4:8]} {n[8:12]} {n[12:16]} {n[16:]}", n, f"{n[:6]} {n[6:]}"])
    return p.fmt(
        [
            group4(n),
            n,
            "-".join(n[i : i + 4] for i in range(0, 16, 4)),
            f"{n[:4]}  {n[4:8]}  {n[8:12]}  {n[12:]}",
            f"{n[:4]}{n[4:8]} {n[8:12]}{n[12:]}",
        ]
    )


def fr_rib_key(bank: str, branch: str, account: str) -> str:
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}"


def iban_value(p: Pick, country: str) -> str:
    if country == "DE":
        v = iban("DE", p.nz(8) + p.d(10))
    elif country == "GB":
        v = iban("GB", p.any(["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA"]) + p.d(6) + p.d(8))
    elif country == "FR":
        bank, branch, acct = p.nz(5), p.d(5), p.d(11)
        v = iban("FR", bank + branch + acct + fr_rib_key(bank, branch, acct))
    elif country == "NL":
        v = iban("NL", p.any(["ABNA", "INGB", "RABO", "TRIO"]) + p.d(10))
    elif country == "AT":
        v = iban("AT", p.nz(5) + p.d(11))
    else:
        raise ValueError(country)
    return p.fmt(
        [
            group4(v),
            v,
            group4(v),
            v.lower() if p.r.random() < 0.3 else group4(v),
            "-".join(group4(v).split()),
        ]
    )


US_CITIES = [
    ("New York", "NY", "100"),
    ("Austin", "TX", "787"),
    ("Seattle", "WA", "981"),
    ("Chicago", "IL", "606"),
    ("San Francisco", "CA", "941"),
    ("Boston", "MA", "021"),
    ("Denver", "CO", "802"),
    ("Portland", "OR", "972"),
    ("Miami", "FL", "331"),
    ("Atlanta", "GA", "303"),
]
US_STREETS = [
    "Main",
    "Oak",
    "Maple",
    "Elm",
    "Washington",
    "Lake",
    "Sunset",
    "Park",
    "Pine",
    "Cedar",
    "Highland",
    "Madison",
    "5th",
    "W 46th",
    "E 14th",
    "Martin Luther King Jr",
]
US_SUFFIX = [
    "Street",
    "St",
    "Ave",
    "Avenue",
    "Blvd",
    "Rd",
    "Road",
    "Dr",
    "Drive",
    "Ln",
    "Way",
    "Ct",
    "Pl",
    "Pkwy",
]


def us_address(p: Pick) -> str:
    num = str(p.r.randint(1, 9999))
    st = f"{p.any(US_STREETS)} {p.any(US_SUFFIX)}"
    if p.r.random() < 0.2:
        st = f"{p.any(['N', 'S', 'E', 'W'])} {st}"
    city, state, zp = p.any(US_CITIES)
    z = zp + p.d(2) + (f"-{p.d(4)}" if p.r.random() < 0.15 else "")
    unit = p.any(["Apt 4B", "Apt. 12", "Suite 300", "Unit 7", "#5C", "Apt 2R", "Ste 110"])
    return p.fmt(
        [
            f"{num} {st}, {city}, {state} {z}",
            f"{num} {st} {unit}, {city}, {state} {z}",
            f"{num} {st}, {unit}, {city} {state} {z}",
            f"{num} {st.lower()} {unit.lower()} {city.lower()} {state.lower()} {z}",
            f"{num} {st}\n{city}, {state} {z}",
            f"{num} {st}, {city} {state} {z}",
            f"{num} {st} {unit}\n{city}, {state} {z}",
            f"{unit}, {num} {st}, {city}, {state} {z}",
        ]
    )


UK_TOWNS = [
    (
        "London",
        ["SW3 4TR", "NW1 6XE", "E1 6AN", "SE10 9NF", "W1D 3QF", "N7 8RB", "EC1A 1BB", "SW1A 2AA"],
    ),
    ("Manchester", ["M1 1AE", "M14 5TQ", "M20 2RN"]),
    ("Leeds", ["LS6 2AB", "LS1 4AP"]),
    ("Bristol", ["BS1 5TY", "BS8 1TH"]),
    ("Edinburgh", ["EH1 1YZ", "EH9 2JE"]),
    ("Birmingham", ["B15 2TT", "B5 4BU"]),
    ("Cardiff", ["CF10 3AT"]),
    ("Glasgow", ["G12 8QQ"]),
]
UK_STREETS = [
    "High",
    "Church",
    "Station",
    "Victoria",
    "Kings",
    "Queen's",
    "Park",
    "Mill",
    "Albert",
    "Baker",
    "Gloucester",
    "York",
    "Manor",
]
UK_SUFFIX = [
    "Street",
    "Road",
    "Lane",
    "Avenue",
    "Close",
    "Gardens",
    "Terrace",
    "Crescent",
    "Way",
    "Mews",
    "Drive",
    "St",
    "Rd",
    "Place",
    "Grove",
]


def uk_address(p: Pick) -> str:
    num = str(p.r.randint(1, 240)) + ("" if p.r.random() < 0.85 else p.any(["a", "B"]))
    st = f"{p.any(UK_STREETS)} {p.any(UK_SUFFIX)}"
    town, pcs = p.any(UK_TOWNS)
    pc = p.any(pcs)
    flat = p.any(
        [
            f"Flat {p.r.randint(1, 40)}",
            f"Flat {p.r.randint(1, 9)}{p.any('ABC')}",
            f"Apartment {p.r.randint(1, 60)}",
            f"Flat {p.r.randint(1, 12)}, {p.any(['Rose Court', 'Albion House', 'The Maltings', 'Riverside Heights'])}",
        ]
    )
    return p.fmt(
        [
            f"{num} {st}, {town} {pc}",
            f"{flat}, {num} {st}, {town} {pc}",
            f"{num} {st}, {town}, {pc}",
            f"{flat.lower()} {num} {st.lower()} {town.lower()} {pc.lower()}",
            f"{flat}\n{num} {st}\n{town}\n{pc}",
            f"{num} {st} {town} {pc.replace(' ', '')}",
            f"{flat} {num} {st}, {town} {pc}",
            f"{num}, {st}, {town}, {pc}",
        ]
    )


DE_CITIES = [
    ("10115", "Berlin"),
    ("10437", "Berlin"),
    ("80331", "München"),
    ("20095", "Hamburg"),
    ("50667", "Köln"),
    ("60311", "Frankfurt am Main"),
    ("70173", "Stuttgart"),
    ("04109", "Leipzig"),
    ("40212", "Düsseldorf"),
    ("01067", "Dresden"),
]
DE_STREETS = [
    "Hauptstraße",
    "Bahnhofstr.",
    "Lindenweg",
    "Schillerstraße",
    "Goethestr.",
    "Am Markt",
    "Kastanienallee",
    "Berliner Allee",
    "Gartenweg",
    "Friedrichstraße",
    "Schulstrasse",
    "Sonnenallee",
    "Rosenstr.",
    "Im Winkel",
    "Karl-Marx-Straße",
    "An der Alster",
]


def de_address(p: Pick) -> str:
    st = p.any(DE_STREETS)
    num = str(p.r.randint(1, 180)) + ("" if p.r.random() < 0.8 else p.any(["a", "b", " a", "-3"]))
    plz, city = p.any(DE_CITIES)
    extra = p.any(
        ["Whg. 4", "3. OG", "Hinterhaus", "2. Stock links", "App. 12", "c/o Meyer", "Wohnung 7"]
    )
    return p.fmt(
        [
            f"{st} {num}, {plz} {city}",
            f"{st} {num}\n{plz} {city}",
            f"{st} {num}, {extra}, {plz} {city}",
            f"{st.lower()} {num} {plz} {city.lower()}",
            f"{st} {num} in {plz} {city}",
            f"{st} {num}, D-{plz} {city}",
            f"{extra}, {st} {num}, {plz} {city}",
            f"{st} Nr. {num}, {plz} {city}",
        ]
    )


FR_CITIES = [
    ("75004", "Paris"),
    ("75011", "Paris"),
    ("75008", "Paris"),
    ("69007", "Lyon"),
    ("13001", "Marseille"),
    ("33000", "Bordeaux"),
    ("31000", "Toulouse"),
    ("59000", "Lille"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
]
FR_STREETS = [
    "rue de Rivoli",
    "avenue Jean Jaurès",
    "boulevard Voltaire",
    "rue du Faubourg Saint-Honoré",
    "impasse des Lilas",
    "place de la République",
    "rue Victor Hugo",
    "allée des Tilleuls",
    "chemin des Vignes",
    "quai de la Tournelle",
    "rue de la Paix",
    "cours Mirabeau",
    "avenue de la Gare",
]


def fr_address(p: Pick) -> str:
    num = str(p.r.randint(1, 150)) + p.any(["", "", "", " bis", "ter", " B"])
    st = p.any(FR_STREETS)
    cp, city = p.any(FR_CITIES)
    extra = p.any(
        [
            "Appt 12",
            "Bât. B",
            "3e étage",
            "Apt 4, Bât C",
            "Résidence Les Pins",
            "porte gauche",
            "Escalier A",
        ]
    )
    return p.fmt(
        [
            f"{num} {st}, {cp} {city}",
            f"{num}, {st}, {cp} {city}",
            f"{extra}, {num} {st}, {cp} {city}",
            f"{num} {st} {cp} {city.upper()}",
            f"{num} {st}\n{cp} {city}",
            f"{num} {st.capitalize()}, {extra}, {cp} {city}",
            f"{num} {st} - {cp} {city}",
            f"{num} {st}, {extra}\n{cp} {city.upper()}",
        ]
    )


CN_PLACES = [
    ("北京市", "朝阳区", "建国路", "100022"),
    ("北京市", "海淀区", "中关村大街", "100080"),
    ("上海市", "浦东新区", "陆家嘴环路", "200120"),
    ("上海市", "徐汇区", "漕溪北路", "200030"),
    ("广东省深圳市", "南山区", "科苑路", "518057"),
    ("广东省广州市", "天河区", "天河路", "510620"),
    ("浙江省杭州市", "西湖区", "文三路", "310012"),
    ("四川省成都市", "武侯区", "人民南路四段", "610041"),
    ("江苏省南京市", "鼓楼区", "中山路", "210008"),
]
CN_PINYIN = [
    ("Beijing", "Chaoyang District", "Jianguo Road", "100022"),
    ("Shanghai", "Pudong New Area", "Lujiazui Ring Road", "200120"),
    ("Shenzhen, Guangdong", "Nanshan District", "Keyuan Road", "518057"),
    ("Hangzhou, Zhejiang", "Xihu District", "Wensan Road", "310012"),
]


def cn_address(p: Pick) -> str:
    city, dist, road, pc = p.any(CN_PLACES)
    num = str(p.r.randint(1, 999))
    bld = p.any(["", f"{p.any(['华星时代广场', 'SOHO现代城', '阳光小区', '万科城'])}", ""])
    unit = p.any(
        [
            f"{p.r.randint(1, 30)}号楼{p.r.randint(1, 6)}单元{p.r.randint(101, 2806)}室",
            f"{p.any('ABC')}座{p.r.randint(2, 30)}楼",
            f"{p.r.randint(101, 2806)}室",
            f"{p.r.randint(1, 12)}栋{p.r.randint(101, 1806)}",
        ]
    )
    if p.r.random() < 0.2:
        c, d, r, pc2 = p.any(CN_PINYIN)
        return p.fmt(
            [
                f"Room {p.r.randint(101, 2806)}, Building {p.r.randint(1, 12)}, No. {num} {r}, {d}, {c} {pc2}",
                f"No. {num} {r}, {d}, {c}, {pc2}",
                f"{num} {r}, {d}, {c} {pc2}",
            ]
        )
    return p.fmt(
        [
            f"{city}{dist}{road}{num}号{bld}{unit}",
            f"{city}{dist}{road}{num}号{unit}，邮编{pc}",
            f"{city} {dist} {road}{num}号 {unit}",
            f"{dist}{road}{num}号{bld}{unit}",
            f"{city}{dist}{road}{num}号",
            f"{pc} {city}{dist}{road}{num}号{unit}",
        ]
    )


IN_PLACES = [
    ("Navi Mumbai", "Maharashtra", "400703", ["Vashi", "Sector 17"]),
    ("Mumbai", "Maharashtra", "400050", ["Bandra West", "Andheri East"]),
    ("Bengaluru", "Karnataka", "560038", ["Indiranagar", "Koramangala 5th Block"]),
    ("Hyderabad", "Telangana", "500034", ["Banjara Hills", "Madhapur"]),
    ("New Delhi", "Delhi", "110024", ["Lajpat Nagar II", "Saket"]),
    ("Chennai", "Tamil Nadu", "600017", ["T. Nagar", "Adyar"]),
    ("Pune", "Maharashtra", "411038", ["Kothrud", "Baner"]),
    ("Jaipur", "Rajasthan", "302015", ["Malviya Nagar", "Vaishali Nagar"]),
    ("Kolkata", "West Bengal", "700019", ["Ballygunge", "Salt Lake"]),
]


def in_address(p: Pick) -> str:
    city, state, pin, locs = p.any(IN_PLACES)
    loc = p.any(locs)
    flat = p.any(
        [
            f"Flat No. {p.r.randint(101, 1204)}",
            f"H.No. {p.r.randint(1, 9)}-{p.r.randint(1, 9)}-{p.r.randint(10, 999)}",
            f"B-{p.r.randint(1, 99)}",
            f"{p.r.randint(1, 99)}/{p.r.randint(1, 9)}",
            f"House No {p.r.randint(1, 500)}",
            f"Door No {p.r.randint(1, 60)}",
            f"Plot {p.r.randint(1, 300)}",
        ]
    )
    bldg = p.any(
        [
            "Sai Residency",
            "Shanti Apartments",
            "Prestige Towers",
            "Green Park Society",
            "Krishna Nivas",
        ]
    )
    road = p.any(
        [
            "MG Road",
            "2nd Cross",
            "100 Feet Road",
            "Link Road",
            "Station Road",
            "Gali No. 5",
            "Near Shiv Mandir",
            "Opp. City Mall",
        ]
    )
    return p.fmt(
        [
            f"{flat}, {bldg}, {road}, {loc}, {city}, {state} {pin}",
            f"{flat}, {road}, {loc}, {city} - {pin}",
            f"{flat} {bldg} {road} {loc} {city} {pin}",
            f"{flat}, {loc}, {city}-{pin}, {state}",
            f"{flat}, {bldg},\n{road}, {loc},\n{city} {pin}",
            f"{flat}, {road}, {loc}, {city}, {state} - {pin}",
            f"{flat.lower()} {road.lower()} {loc.lower()} {city.lower()} {pin}",
            f"{bldg}, {flat}, {loc}, {city} PIN {pin}",
        ]
    )


HI_ADDR = [
    "मकान नं. {n}, गांधी नगर, जयपुर, राजस्थान {pin}",
    "फ्लैट {n}, शांति अपार्टमेंट, सेक्टर 17, नवी मुंबई {pin}",
    "{n}/3, एमजी रोड, बेंगलुरु {pin}",
    "हाउस नं {n}, लाजपत नगर, नई दिल्ली - {pin}",
]


def address(p: Pick, country: str) -> str:
    return {
        "US": us_address,
        "GB": uk_address,
        "DE": de_address,
        "FR": fr_address,
        "CN": cn_address,
        "IN": in_address,
    }[country](p)


# ---------------------------------------------------------------- hard negatives


def negative(p: Pick, country: str) -> tuple[str, str]:
    """(kind, marked text) where only the number part is the negative span."""
    kind = p.any(
        [
            "order",
            "order",
            "tracking",
            "tracking",
            "voucher",
            "loyalty",
            "sku",
            "date",
            "date",
            "price",
            "qty",
        ]
    )
    if kind == "order":
        num = p.fmt(
            [
                f"{p.d(3)}-{p.d(7)}-{p.d(7)}",
                p.nz(8),
                f"o{p.r.randint(10000, 10999)}",
                f"{p.nz(4)}-{p.d(4)}-{p.d(4)}",
                f"OD{p.nz(17)}",
                p.nz(11),
                f"FR-{p.d(6)}",
                p.nz(18),
                f"#{p.nz(7)}",
                p.nz(13),
                f"{p.nz(4)} {p.d(4)} {p.d(4)}",
            ]
        )
        word = {
            "US": ["order", "Order #", "order number", "Order ID:", "my order"],
            "GB": ["order", "order no.", "order ref", "Order number:", "re order"],
            "DE": ["Bestellnummer", "Bestellung", "Bestell-Nr.", "Auftragsnummer", "Bestellnr."],
            "FR": [
                "commande n°",
                "commande",
                "numéro de commande",
                "n° de commande",
                "N° commande :",
            ],
            "CN": ["订单号", "订单号：", "订单编号", "订单", "单号:"],
            "IN": ["order", "Order ID", "order no", "Order Id -", "order number"],
        }[country]
        return kind, f"{p.any(word)} ⟦~order|{num}⟧"
    if kind == "tracking":
        t = p.fmt(
            [
                ("USPS", f"9400 {p.d(4)} {p.d(4)} {p.d(4)} {p.d(4)} {p.d(2)}"),
                ("UPS", f"1Z{p.d(3)}{p.any(['AA', 'E2', 'X0'])}{p.d(10)}"),
                ("DHL", f"JJD{p.d(18)}"),
                ("DHL", p.d(20)),
                ("USPS", f"9205{p.d(18)}"),
                ("UPS", f"1Z {p.d(3)} {p.any(['AA', 'E2'])}{p.d(1)} {p.d(2)} {p.d(4)} {p.d(3)}"),
                ("Royal Mail", f"{p.any(['AB', 'RR', 'LX'])}{p.d(9)}GB"),
                ("DHL", p.nz(10)),
                ("SF", f"SF{p.d(13)}"),
                ("India Post", f"EE{p.d(9)}IN"),
                ("USPS", p.any(["9400", "9361", "9270"]) + p.d(18)),
                ("China Post", f"EA{p.d(9)}CN"),
                ("FedEx", p.nz(12)),
            ]
        )
        word = p.any(
            [
                f"{t[0]} tracking",
                f"{t[0]}",
                f"tracking no. ({t[0]})",
                f"{t[0]} Sendungsnummer" if country == "DE" else f"{t[0]} tracking number",
                f"{t[0]} 运单号"
                if country == "CN"
                else f"{t[0]} suivi"
                if country == "FR"
                else f"{t[0]} #",
            ]
        )
        return kind, f"{word} ⟦~tracking|{t[1]}⟧"
    if kind == "voucher":
        v = p.fmt(
            [
                f"{p.nz(4)}-{p.d(4)}-{p.d(4)}",
                f"SAVE{p.r.randint(10, 50)}",
                f"{p.nz(4)} {p.d(4)} {p.d(4)} {p.d(4)}",
                f"XMAS-{p.d(4)}-{p.any('ABCDEFG')}",
                p.nz(12),
                f"GC{p.d(10)}",
            ]
        )
        w = {
            "DE": ["Gutscheincode", "Gutschein-Nr.", "Gutschein"],
            "FR": ["bon d'achat", "code promo", "carte cadeau n°"],
            "CN": ["优惠券", "礼品卡号", "券码"],
        }.get(country, ["voucher", "gift card", "promo code", "voucher code"])
        return kind, f"{p.any(w)} ⟦~voucher|{v}⟧"
    if kind == "loyalty":
        pairs = {
            "DE": [
                ("Payback-Nr.", f"{p.nz(4)} {p.d(4)} {p.d(2)}"),
                ("Kundennummer", p.nz(10)),
                ("DeutschlandCard", p.nz(13)),
            ],
            "GB": [
                ("Nectar card", f"9826 {p.d(4)} {p.d(4)} {p.d(3)}"),
                ("Clubcard", f"634004 {p.d(10)}"),
                ("Boots Advantage card", p.nz(16)),
            ],
            "FR": [
                ("carte fidélité", f"{p.nz(4)} {p.d(4)} {p.d(4)}"),
                ("numéro client", p.nz(9)),
                ("carte Club", p.nz(13)),
            ],
            "CN": [
                ("会员号", p.nz(11)),
                ("会员卡号", p.nz(12)),
                ("积分卡", f"{p.nz(4)} {p.d(4)} {p.d(4)}"),
            ],
            "IN": [
                ("loyalty no.", p.nz(10)),
                ("membership ID", f"M{p.d(9)}"),
                ("customer ID", p.nz(12)),
            ],
            "US": [
                ("rewards number", p.nz(10)),
                ("member #", p.nz(12)),
                ("loyalty card", f"{p.nz(4)} {p.d(4)} {p.d(4)} {p.d(4)}"),
            ],
        }[country]
        w, v = p.any(pairs)
        return kind, f"{w} ⟦~loyalty|{v}⟧"
    if kind == "sku":
        v = p.fmt(
            [
                f"{p.nz(4)}-{p.d(4)}-{p.d(2)}",
                f"B0{p.any(['8', '9', 'C', 'D'])}{p.any('NXQ')}{p.d(2)}{p.any('WRKT')}{p.d(3)}",
                f"{p.d(3)}.{p.d(3)}.{p.d(2)}",
                f"XM-{p.r.randint(2020, 2026)}-{p.d(2)}",
                p.nz(13),
                f"{p.any(['TSH', 'JKT', 'SHO'])}-{p.d(5)}-{p.any(['S', 'M', 'L', 'XL'])}",
            ]
        )
        w = {
            "DE": ["Art.-Nr.", "Artikelnummer", "EAN"],
            "FR": ["réf.", "référence", "EAN"],
            "CN": ["型号", "商品编号", "货号"],
        }.get(country, ["SKU", "item", "model", "ASIN", "EAN"])
        return kind, f"{p.any(w)} ⟦~sku|{v}⟧"
    if kind == "date":
        dd, mm, yy = p.r.randint(1, 28), p.r.randint(1, 12), p.r.randint(2023, 2026)
        d = {
            "DE": [
                f"{dd:02d}.{mm:02d}.{yy}",
                f"{dd}.{mm}.{yy}",
                f"{dd:02d}.{mm:02d}.{str(yy)[2:]}",
            ],
            "FR": [f"{dd:02d}/{mm:02d}/{yy}", f"{dd}/{mm}/{yy}", f"{dd:02d}.{mm:02d}.{yy}"],
            "US": [f"{mm}/{dd}/{yy}", f"{mm:02d}/{dd:02d}/{yy}", f"{yy}-{mm:02d}-{dd:02d}"],
            "GB": [
                f"{dd:02d}/{mm:02d}/{yy}",
                f"{dd}/{mm}/{str(yy)[2:]}",
                f"{dd:02d}.{mm:02d}.{yy}",
            ],
            "CN": [
                f"{yy}年{mm}月{dd}日",
                f"{yy}-{mm:02d}-{dd:02d}",
                f"{yy}/{mm}/{dd}",
                f"{yy}.{mm:02d}.{dd:02d}",
            ],
            "IN": [f"{dd:02d}-{mm:02d}-{yy}", f"{dd:02d}/{mm:02d}/{yy}", f"{dd:02d}.{mm:02d}.{yy}"],
        }[country]
        return kind, f"⟦~date|{p.fmt(d)}⟧"
    if kind == "price":
        v = {
            "DE": [f"{p.r.randint(5, 999)},{p.d(2)} €", f"€{p.r.randint(1, 2)}.{p.d(3)},{p.d(2)}"],
            "FR": [f"{p.r.randint(5, 999)},{p.d(2)} €", f"1 {p.d(3)},{p.d(2)} €"],
            "US": [f"${p.r.randint(5, 999)}.{p.d(2)}", f"$1,{p.d(3)}.{p.d(2)}"],
            "GB": [f"£{p.r.randint(5, 999)}.{p.d(2)}", f"£1,{p.d(3)}"],
            "CN": [
                f"¥{p.r.randint(5, 9999)}",
                f"{p.r.randint(5, 9999)}元",
                f"￥{p.r.randint(100, 9999)}.00",
            ],
            "IN": [
                f"₹{p.r.randint(1, 99)},{p.d(3)}",
                f"Rs. {p.r.randint(100, 9999)}",
                f"INR {p.r.randint(1, 9)},{p.d(2)},{p.d(3)}",
            ],
        }[country]
        return kind, f"⟦~price|{p.fmt(v)}⟧"
    q = p.fmt(
        [
            f"{p.r.randint(2, 12)} x 500 ml",
            f"size {p.r.randint(36, 46)}",
            f"{p.r.randint(2, 20)} Stück",
            f"{p.r.randint(1, 25)} kg",
            f"{p.r.randint(2, 6)} pcs",
            f"{p.r.randint(100, 2000)} mAh",
            f"{p.r.randint(2, 10)}件",
            f"{p.r.randint(2, 40)} x {p.r.randint(2, 40)} cm",
        ]
    )
    return "qty", f"⟦~qty|{q}⟧"


# ---------------------------------------------------------------- messages

TEMPLATES: dict[str, list[str]] = {
    "en": [
        "hi, can you change the delivery address on {N} to {ADDRESS}? thanks",
        "Hello,\n\nPlease send the replacement to:\n{ADDRESS}\n\nYou can reach me on {PHONE} or {EMAIL}.\n\nKind regards,\n{NAME}",
        "my number is {PHONE}, call me after 5pm pls. it's about {N}",
        "I was charged twice for {N}. card {CARD}. refund please!!",
        "email me at {EMAIL} re {N}",
        "ship to {ADDRESS} — and text {PHONE} when it's out for delivery",
        "can I pay by bank transfer? my IBAN is {IBAN}",
        "{N} still not here, {N2}. what's going on",
        "contact: {EMAIL} / {PHONE}",
        "Billing address: {ADDRESS}\nCard: {CARD}\nPhone: {PHONE}",
        "pls refund to {IBAN} instead of the card ending 4242. {N}",
        "my wife's email is {EMAIL}, she ordered {N}",
        "Hey - new address is {ADDRESS}. Old one was wrong. {N}",
        "Thanks!\n--\n{NAME}\n{ADDRESS}\nm: {PHONE}\ne: {EMAIL}",
        "is {N} eligible for return? bought on {N2}",
        "Please update my phone to {PHONE} (old one no longer works)",
        "got an email from {EMAIL} asking for my card {CARD}, is that you?",
        "deliver to {ADDRESS} between 9 and 5",
    ],
    "de": [
        "Hallo, bitte ändern Sie die Lieferadresse für {N} auf {ADDRESS}. Danke!",
        "Meine Handynummer: {PHONE}",
        "Sehr geehrte Damen und Herren,\n\nbitte erstatten Sie den Betrag auf mein Konto {IBAN}.\n\nMit freundlichen Grüßen\n{NAME}\n{ADDRESS}\nTel. {PHONE}",
        "hab {N} am {N2} bestellt und noch nix bekommen. erreichbar unter {PHONE}",
        "Bitte an {EMAIL} schreiben, nicht an die alte Adresse. {N}",
        "Rechnungsanschrift: {ADDRESS}",
        "Lieferung bitte an {ADDRESS}, Klingel Müller. Bei Fragen {PHONE} anrufen",
        "Ich habe mit Karte {CARD} bezahlt, aber {N} wurde storniert?",
        "Können Sie mich zurückrufen? {PHONE} oder per Mail {EMAIL}",
        "{N} und {N2} – wann kommt das?",
        "Überweisung von IBAN {IBAN}, Verwendungszweck {N}",
        "neue Adresse: {ADDRESS}\nTelefon {PHONE}",
    ],
    "fr": [
        "Bonjour, pouvez-vous livrer {N} au {ADDRESS} ? Merci",
        "Mon numéro : {PHONE}",
        "Bonjour,\n\nMerci de me rembourser sur le compte {IBAN}.\n\nCordialement,\n{NAME}\n{ADDRESS}\nTél : {PHONE}",
        "j'ai payé avec la carte {CARD} mais {N} n'est jamais arrivée",
        "écrivez-moi à {EMAIL} svp, {N}",
        "adresse de livraison : {ADDRESS}",
        "vous pouvez m'appeler au {PHONE} ou au bureau, {N}",
        "{N} du {N2}, toujours rien reçu",
        "Nouvelle adresse : {ADDRESS} (interphone Dupont). Mail : {EMAIL}",
        "Rappelez-moi au {PHONE} s'il vous plaît concernant {N}",
        "le colis {N} est bloqué, {N2}",
    ],
    "zh": [
        "你好，{N}的收货地址改成{ADDRESS}，谢谢",
        "我的手机号是{PHONE}，快递到了请打电话",
        "邮箱{EMAIL}，请把发票发到这里",
        "收货人：{CNNAME}，电话：{PHONE}，地址：{ADDRESS}",
        "请问{N}什么时候发货？{N2}",
        "我用的卡号是{CARD}，扣了两次钱",
        "联系方式：{PHONE}（微信同号），邮箱：{EMAIL}",
        "地址{ADDRESS}，麻烦尽快发货",
        "{N}，{N2}，还没收到",
        "请发邮件到{EMAIL}或者打{PHONE}",
        "退款请退到原卡{CARD}",
    ],
    "hi": [
        "bhaiya {N} ka address change karna hai: {ADDRESS}",
        "mera number {PHONE} hai, delivery se pehle call karna",
        "मेरा मोबाइल नंबर {PHONE} है, कृपया कॉल करें",
        "email id {EMAIL} pe invoice bhej do please",
        "{N} abhi tak nahi aaya, {N2}",
        "मेरा पता: {ADDRESS}",
        "refund mere card {CARD} mein chahiye",
        "pata hai {ADDRESS}, phone {PHONE}",
        "Dear Sir,\nKindly deliver to {ADDRESS}.\nContact {PHONE}\nRegards,\n{NAME}",
        "ईमेल {EMAIL} पर भेज दीजिए, {N}",
    ],
    "es": [
        "Hola, mi correo es {EMAIL} y mi teléfono {PHONE}",
        "por favor envíen {N} a {ADDRESS}",
        "pagué con la tarjeta {CARD}, {N}",
        "mi IBAN es {IBAN} para la devolución",
    ],
}
LANG_COUNTRIES = {
    "en": ["US", "GB", "IN", "US", "GB"],
    "de": ["DE"],
    "fr": ["FR"],
    "zh": ["CN"],
    "hi": ["IN"],
    "es": ["US"],
}
IBAN_COUNTRY = {"DE": "DE", "FR": "FR", "GB": "GB", "US": "NL", "CN": "AT", "IN": "GB"}
NAMES = [
    "Sam Carter",
    "Priya Nair",
    "Jürgen Weiß",
    "Camille Laurent",
    "Chen Jing",
    "Oliver Hughes",
    "Maria Garcia",
]
CN_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静"]


def message(p: Pick, lang: str) -> tuple[str, str, str]:
    country = p.any(LANG_COUNTRIES[lang])
    tpl = p.fmt(TEMPLATES[lang])
    fills: dict[str, Callable[[], str]] = {
        "EMAIL": lambda: f"⟦EMAIL|{email(p, country)}⟧",
        "PHONE": lambda: f"⟦PHONE|{phone(p, country)}⟧",
        "CARD": lambda: f"⟦CARD|{card(p)}⟧",
        "IBAN": lambda: f"⟦IBAN|{iban_value(p, IBAN_COUNTRY[country])}⟧",
        "ADDRESS": lambda: (
            f"⟦ADDRESS|{address(p, country) if lang != 'hi' or p.r.random() < 0.6 else p.any(HI_ADDR).format(n=p.r.randint(1, 300), pin=p.any(IN_PLACES)[2])}⟧"
        ),
        "N": lambda: negative(p, country)[1],
        "N2": lambda: negative(p, country)[1],
        "NAME": lambda: p.any(NAMES),
        "CNNAME": lambda: p.any(CN_NAMES),
    }
    out = re.sub(r"\{(\w+)\}", lambda m: fills[m.group(1)](), tpl)
    return out, lang, country


def hand_lines(name: str) -> list[str]:
    path = HERE / name
    if not path.exists():
        return []
    return [
        ln.replace("\\n", "\n")
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]


def build(seed: int, heldout: bool, n: int, hand: str) -> list[dict[str, object]]:
    p = Pick(seed, heldout)
    langs = ["en"] * 9 + ["de"] * 5 + ["fr"] * 4 + ["zh"] * 4 + ["hi"] * 3 + ["es"]
    rows: list[dict[str, object]] = []
    part = "heldout" if heldout else "dev"
    for i in range(n):
        marked, lang, country = message(p, langs[i % len(langs)])
        text, spans, negs = parse_marked(marked)
        rows.append(
            {
                "id": f"{part}-{i:04d}",
                "text": text,
                "lang": lang,
                "country": country,
                "spans": spans,
                "negatives": negs,
            }
        )
    for j, line in enumerate(hand_lines(hand)):
        meta, _, marked = line.partition("\t")
        lang, _, country = meta.partition("/")
        text, spans, negs = parse_marked(marked)
        rows.append(
            {
                "id": f"{part}-hand-{j:03d}",
                "text": text,
                "lang": lang,
                "country": country,
                "spans": spans,
                "negatives": negs,
            }
        )
    return rows


def main() -> None:
    for name, rows in (
        ("dev.jsonl", build(20261206, False, 300, "hand_dev.txt")),
        ("heldout.jsonl", build(1206, True, 300, "hand_heldout.txt")),
    ):
        with (HERE / name).open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} messages")


if __name__ == "__main__":
    main()
