"""Run from the project root: python tests/data/make_pii_cases.py. Generates tests/data/pii_cases.jsonl: varied PII in shopper messages (several countries) + look-alikes to keep."""

import json
import random

rng = random.Random(11)
emails = [
    "ann.lee@example.com",
    "j.smith+orders@mail.example.co.uk",
    "marie-claire.dupont@exemple.fr",
    "klaus_mueller@beispiel.de",
    "s.rossi@esempio.it",
    "pedro.garcia@ejemplo.es",
    "jan.de.vries@voorbeeld.nl",
    "li.wei@example.cn",
    "o'brien.t@example.ie",
    "TOM.HARDY@EXAMPLE.ORG",
    "user123@sub.domain.example.com",
    "a@b.io",
    "first.last@university.ac.uk",
    "ops-team@shop.example.net",
    "yuki.tanaka@example.jp",
    "ravi.kumar@example.in",
    "noreply+tag.2026@example.com",
    "anna_k@example.pl",
    "x.y.z@example.museum",
    "mike@example.com.au",
]
phones = [
    "+44 20 7946 0958",
    "020 7946 0958",
    "07700 900123",
    "+44 7700 900123",
    "(020) 7946-0958",
    "+1 415 555 0132",
    "(415) 555-0132",
    "415-555-0132",
    "415.555.0132",
    "+49 30 123456789",
    "030 12345678",
    "+49 (0)30 1234 5678",
    "+33 1 23 45 67 89",
    "01 23 45 67 89",
    "+33 6 12 34 56 78",
    "+34 912 345 678",
    "+39 06 1234 5678",
    "+31 20 123 4567",
    "020-1234567",
    "+353 1 234 5678",
    "+91 98765 43210",
    "+61 2 9876 5432",
    "0412 345 678",
    "+81 3-1234-5678",
    "+48 22 123 45 67",
    "0044 20 7946 0958",
    "+1-202-555-0173",
    "+46 8 123 456 78",
    "+41 44 668 18 00",
    "0131 496 0123",
]
cards = [
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "4111111111111111",
    "5500 0000 0000 0004",
    "5555555555554444",
    "3782 822463 10005",
    "378282246310005",
    "6011 1111 1111 1117",
    "4012 8888 8888 1881",
    "5105-1051-0510-5100",
    "3530 1113 3330 0000",
    "4000 0566 5566 5556",
    "2223 0031 2200 3222",
    "6011000990139424",
    "4242 4242 4242 4242",
]
ibans = [
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "GB29 NWBK 6016 1331 9268 19",
    "GB29NWBK60161331926819",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "BE68 5390 0754 7034",
    "IE29 AIBK 9311 5212 3456 78",
]
addresses = [
    "221B Baker Street",
    "10 Downing Street",
    "1600 Pennsylvania Avenue",
    "42 Wallaby Way",
    "7 Elm Road",
    "15 Station Rd",
    "3 Castle Lane",
    "350 Fifth Avenue",
    "12 High St",
    "99 Queen's Drive",
    "8 Church Way",
    "27 Victoria Place",
    "Hauptstraße 5",
    "Bahnhofstr. 12",
    "Lindenweg 7a",
    "Marktplatz 3",
    "12 rue de Rivoli",
    "5 avenue des Champs-Élysées",
    "33 boulevard Saint-Michel",
    "Kalverstraat 92",
    "Prinsengracht 263",
    "Calle Mayor 10",
    "Via Roma 15",
    "Piazza Navona 2",
    "4 Grafton Street",
    "1 Infinite Loop",
    "500 Market St",
    "18 Rose Court",
    "61 Old Kent Road",
    "2 Harbour Square",
]
keep = [
    "order 113542617735902",
    "order #100234",
    "order no. 58271946",
    "o10023",
    "order o10482",
    "tracking number 1Z999AA10123456784",
    "tracking JD014600006281234567",
    "invoice INV-2026-00481",
    "SKU XT-4410",
    "product code B00GZ1GUSY",
    "model 2026-11",
    "size EU 42",
    "£1,234.50",
    "€89.00",
    "2026-11-29",
    "30 days",
    "2 working days",
    "ref 7731-2291-0042",
    "item p0231",
    "reference ABC12345678",
    "the 65 L backpack",
    "28,000 mm hydrostatic head",
    "15,000 g/m²/24h",
    "order 4401 9920 1188",
    "gift card code NWO-8842-1177-03",
]
templates = {
    "email": [
        "my email is {}",
        "please write to {} instead",
        "contact me at {} thanks",
        "{} is my login",
        "send the invoice to {}.",
    ],
    "phone": [
        "call me on {}",
        "my number is {}",
        "you can reach me at {} after 5pm",
        "phone: {}",
        "text {} when it ships",
    ],
    "card": [
        "my card number is {}",
        "charge {} please",
        "I paid with {} and was charged twice",
        "card {} exp 09/28",
    ],
    "iban": ["refund to IBAN {}", "my bank account is {}", "please use {} for the refund"],
    "address": [
        "ship it to {}, London",
        "my address is {}",
        "deliver to {} please",
        "I moved to {} last week",
        "can you send it to {}?",
    ],
}
cases = []
for kind, values in [
    ("email", emails),
    ("phone", phones),
    ("card", cards),
    ("iban", ibans),
    ("address", addresses),
]:
    for v in [*values, *values]:  # every value twice, in different sentences
        t = rng.choice(templates[kind]).format(v)
        k = rng.choice(keep) if rng.random() < 0.5 else None
        text = f"{t} — about {k}" if k else t
        cases.append({"text": text, "pii": [v], "keep": [k] if k else []})
# messages with several kinds at once
for _ in range(40):
    e, p, a = rng.choice(emails), rng.choice(phones), rng.choice(addresses)
    k = rng.choice(keep)
    cases.append(
        {
            "text": f"Hi, it's about {k}. Email {e}, phone {p}, and please deliver to {a}.",
            "pii": [e, p, a],
            "keep": [k],
        }
    )
# look-alikes only
for k in keep:
    cases.append({"text": f"Where is {k}? It was due yesterday.", "pii": [], "keep": [k]})
with open("tests/data/pii_cases.jsonl", "w") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases), sum(len(c["pii"]) for c in cases))
