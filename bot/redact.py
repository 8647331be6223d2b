"""PII redaction applied before anything is stored, logged, indexed, exported or sent to a remote LLM.

    >>> redact("mail me at ann@example.com or call +44 20 7946 0958 about order 113542617735902")
    'mail me at [email] or call [phone] about order 113542617735902'
    >>> find_pii("电话13812345678")
    [Span(start=2, end=13, label='PHONE')]

What is found, and how:

- EMAIL: a pattern that needs no space around the address, so it is found inside Chinese or
  Japanese text ("邮箱zhang@163.com谢谢").
- PHONE: Google's libphonenumber (`phonenumbers`), its `PhoneNumberMatcher` run for the shop's
  default region and for US, GB, DE, FR, CN and IN; only numbers valid in a numbering plan count.
- CARD: 13-19 digits, grouped as people type them, with a card-network prefix and a valid Luhn
  check digit (`stdnum.luhn`).
- IBAN: the IBAN checksum and each country's length and format (`stdnum.iban`).
- ADDRESS: `bot.pii_address` (pyap for US/UK plus a pattern layer for DE, FR, CN, IN), whole:
  flat, street and number, city, postcode.

Identifiers the shop needs to help (order, tracking, invoice, voucher, loyalty and customer
numbers, SKUs and EANs) are recognised by the word in front of them, in English, German,
French, Chinese and Hindi, and left alone however numeric they look; so are dates and prices.
Spans are code-point offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn
from stdnum.exceptions import ValidationError

from bot.pii_address import find_addresses

LABELS = ("EMAIL", "PHONE", "CARD", "IBAN", "ADDRESS")
REGIONS = ("US", "GB", "DE", "FR", "CN", "IN")
_TOKEN = {label: f"[{label.lower()}]" for label in LABELS}
_PRIORITY = {"EMAIL": 0, "IBAN": 1, "CARD": 2, "ADDRESS": 3, "PHONE": 4}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    redacted: str
    spans: list[Span]


_ID_WORDS = (
    # English
    r"purchase|order(?:s)?(?:\s+(?:no\.?|number|nr\.?|id|ref))?|tracking(?:\s+(?:no\.?|number|code|id))?|invoice(?:\s+(?:no\.?|number))?"
    r"|ref(?:erence)?(?:\s+(?:no\.?|number))?|sku|item|product(?:\s+code)?|model|article|parcel|shipment|case|ticket|asin|ean|upc|isbn"
    r"|gift\s+card(?:\s+(?:code|no\.?|number))?|voucher(?:\s+(?:code|no\.?))?|promo\s+code|coupon(?:\s+code)?|code|redemption\s+code"
    r"|loyalty(?:\s+card)?(?:\s+(?:no\.?|number))?|rewards?(?:\s+(?:card|number|no\.?))?|member(?:ship)?(?:\s+(?:id|no\.?|number|card))?"
    r"|customer(?:\s+(?:id|no\.?|number))|account\s+(?:id|no\.?|number)|card\s+(?:ending(?:\s+in)?)|clubcard|nectar(?:\s+card)?"
    r"|advantage\s+card|awb|consignment(?:\s+no\.?)?|awb\s+no\.?|docket(?:\s+no\.?)?|usps|ups|dhl|fedex|royal\s+mail|parcelforce|evri|yodel"
    r"|dpd|hermes|gls|sf|ems|india\s+post|china\s+post|colissimo|chronopost|delhivery|blue\s*dart|ekart|purchase\s+order|po"
    r"|batch|lot|serial(?:\s+(?:no\.?|number))?|s/?n|imei|part(?:\s+(?:no\.?|number))?|mpn|gtin|rma|return(?:\s+(?:no\.?|number|label))"
    # German
    r"|bestellnummer|bestell-?nr\.?|bestellung|auftrags?nummer|auftrags?-?nr\.?|auftrag|rechnungs?nummer|rechnungs?-?nr\.?|rechnung"
    r"|kundennummer|kunden-?nr\.?|kundenkarte|bonuskarte|mitgliedsnummer|vorgangsnummer|vorgang|lieferschein(?:nummer)?|rabattcode"
    r"|aktionscode|seriennummer|retourennummer|retoure|referenz(?:nummer)?|sendungsverfolgung|abholcode"
    r"|sendungsnummer|sendungs-?nr\.?|paketnummer|gutschein(?:code|-nr\.?)?|payback(?:-nr\.?)?|deutschlandcard|artikelnummer|art\.?-nr\.?"
    r"|verwendungszweck"
    # French
    r"|commande(?:\s+n[°o]\.?)?|n[°o]\.?\s+(?:de\s+)?commande|numéro\s+de\s+commande|num[ée]ro\s+(?:client|de\s+suivi)|suivi|colis"
    r"|r[ée]f\.?|r[ée]f[ée]rence|bon\s+d['’]achat|code\s+promo|carte\s+cadeau(?:\s+n[°o])?|carte\s+(?:de\s+)?(?:fid[ée]lit[ée]|club)"
    r"|facture|num[ée]ro\s+d['’]adh[ée]rent|code\s+(?:de\s+)?r[ée]duction|bon\s+de\s+r[ée]duction|lettre\s+suivie|avoir"
)
_CJK_ID_WORDS = (
    r"订单号码?|订单编号|订单|单号|运单号|快递单号|物流单号|会员号|会员编号|会员卡号|积分卡|优惠券|礼品卡号|券码|兑换码|取件码|型号|商品编号"
    r"|货号|发票号|参考号|编号|批号|序列号|顺丰|中通|圆通|韵达|申通|京东订单|ऑर्डर(?:\s*(?:नंबर|नं\.?|आईडी))?|ट्रैकिंग(?:\s*नंबर)?"
)
_ID = r"#?(?:[A-Z0-9]+[-/.])*[A-Z0-9]*\d[A-Z0-9]*(?:[ -](?:[A-Z0-9]*\d[A-Z0-9]*))*"
_PROTECTED = re.compile(
    rf"(?i)(?:(?<![^\W\d_])(?:{_ID_WORDS})(?![^\W\d_])|{_CJK_ID_WORDS})"
    r"(?:\s+(?:is|was|ist|lautet|est|with|the|number|no\.?|nr\.?|id|n°|numéro|nummer)(?![^\W\d_]))*"
    rf"\s*(?:[:#：\-()]\s*)*(?:[A-Za-z ]{{0,12}}\)\s*)?({_ID})"
)
_HASH_ID = re.compile(r"#\d[\d-]{2,}")  # "#4711202408": a reference, whatever the word before it
_DATE_PRICE = re.compile(
    r"(?<![\d.])(?:[0-3]?\d([./-])[0-3]?\d\1\d{4}|[0-3]?\d([./])[0-3]?\d\2\d{2}|\d{4}[./-][01]?\d[./-][0-3]?\d|\d{4}年\d{1,2}月\d{1,2}日)(?![\d]|[./-]\d)"
    r"|(?:[$£€¥￥₹]|Rs\.?|INR|EUR|USD|GBP|CHF)\s?(?:\d{1,3}(?:[,. ]\d{2,3})+|\d+)(?:[.,]\d{1,2})?"
    r"|(?<![\d.,])(?:\d{1,3}(?:[,. ]\d{2,3})+|\d+)(?:[.,]\d{1,2})?\s?(?:€|元|円|EUR|USD|GBP|INR|CHF|Rs\b|\$)"
)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
)
_IBAN = re.compile(r"(?i)(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}")
# not a piece of a longer run of digit groups (a 22-digit USPS number typed in fours)
_CARD = re.compile(
    r"(?<![A-Za-z0-9+-])(?<!\d[ -])\d(?:(?: {1,2}|-)?\d){12,18}(?![A-Za-z0-9-])(?![ -]\d)"
)
_PHONE_CUE = re.compile(
    r"(?i)(?:\b(?:tel|tél|phone|mobile?|mob|cell|call|ring|text|whats ?app|handy|telefon|fon|portable|fixe|appeler?|rufnummer|rappeler)\b"
    r"|电话|手机|联系|号码|नंबर|मोबाइल|फोन)\W{0,3}(?:\w+\W{1,3}){0,2}$"
)
# year ranges (2015-2020), fractions (750/1000) and decimals that some numbering plan would accept
_NOT_PHONE = re.compile(
    r"(?:19|20)\d\d\s?[-–/]\s?(?:19|20)\d\d|[1-9]\d{0,3}/[1-9]\d{0,3}|[1-9]\d{0,3}[.,]\d{3,}"
)
# a piece of a longer run of digit groups ("9400 1118 9922 3344 5566 77", a tracking number)
_IN_RUN = re.compile(r"\d[ -]\||\|[ -]\d{3}")
_LETTER = re.compile(r"[A-Za-z]")
_GLUED = re.compile(r"[A-Za-z0-9]|.[A-Za-z0-9]")  # a number inside a code such as 6A12345678901
_CARD_PREFIX = re.compile(r"^(?:4|5|2[2-7]|3[47]|3[068]|35|6|8[12])")
# lengths by the first digits (Amex 15, Visa 16/19, Diners 14-19, the rest 16-19)
_CARD_LENGTHS = {
    "34": (15,),
    "37": (15,),
    "2": (16,),
    "3": (14, 15, 16, 17, 18, 19),
    "4": (16, 19),
    "5": (16, 17, 18, 19),
    "6": (16, 17, 18, 19),
    "8": (16, 17, 18, 19),
}
_IBAN_HEAD = re.compile(r"[A-Za-z]{2}\d{2}[ -]?$")  # the digits of an IBAN that failed its check


def _protected(text: str) -> list[tuple[int, int]]:
    spans = [m.span(1) for m in _PROTECTED.finditer(text)]
    return (
        spans
        + [m.span() for m in _DATE_PRICE.finditer(text)]
        + [m.span() for m in _HASH_ID.finditer(text)]
    )


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < pe and ps < e for ps, pe in spans)


def _iban_ok(value: str) -> bool:
    # the IBAN checksum and the country's length and format; not the national bank registry
    # (python-stdnum's Belgian check, for one, rejects bank codes it does not list)
    try:
        iban.validate(value, check_country=False)
    except ValidationError:
        return False
    return True


def _ibans(text: str) -> list[Span]:
    out = []
    for m in _IBAN.finditer(text):
        # the pattern may run into the next word or number: keep the longest prefix that checks out
        raw = m.group(0)
        for end in range(len(raw), 14, -1):
            if raw[end - 1].isalnum() and _iban_ok(raw[:end]):
                out.append(Span(m.start(), m.start() + end, "IBAN"))
                break
    return out


def _cards(text: str, protected: list[tuple[int, int]]) -> list[Span]:
    out = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        brand = _CARD_PREFIX.match(digits)
        if (
            brand
            and len(digits) in _CARD_LENGTHS.get(brand.group(0), _CARD_LENGTHS[digits[0]])
            and luhn.is_valid(digits)
            and not _overlaps(*m.span(), protected)
            and not _IBAN_HEAD.search(text, max(0, m.start() - 6), m.start())
        ):
            out.append(Span(m.start(), m.end(), "CARD"))
    return out


def _phones(text: str, regions: tuple[str, ...], protected: list[tuple[int, int]]) -> list[Span]:
    if sum(ch.isdigit() for ch in text) < 6:
        return []
    found: set[tuple[int, int]] = set()
    for region in regions:
        for m in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            raw = m.raw_string
            if (
                _overlaps(m.start, m.end, protected)
                or len(str(m.number.national_number)) < 7
                or _LETTER.search(raw)  # "2 x 4006381333931" is a quantity and an EAN
                or _NOT_PHONE.fullmatch(raw.strip("()"))
                or _GLUED.match(text[max(0, m.start - 1) : m.start] + text[m.end : m.end + 1])
                or _IN_RUN.search(
                    text[max(0, m.start - 2) : m.start] + "|" + text[m.end : m.end + 5]
                )
            ):
                continue
            # a number in no numbering plan still counts when written with a country code, or
            # right after a word that says a phone number follows ("Tel.", "mobile", "电话");
            # a long bare digit run (an EAN, a reference) counts only after such a word
            cue = _PHONE_CUE.search(text, max(0, m.start - 24), m.start)
            bare = raw.isdigit() and not raw.startswith("0") and len(raw) > 11
            if cue or (
                not bare
                and (
                    phonenumbers.is_valid_number(m.number)
                    or raw.lstrip("(").startswith(("+", "00"))
                )
            ):
                found.add((m.start, m.end))
    return [Span(s, e, "PHONE") for s, e in found]


def find_pii(text: str, default_region: str | None = None) -> list[Span]:
    """Spans of personal data in `text`, sorted and not overlapping.

    `default_region` (ISO 3166 alpha-2, e.g. "ES") is the shop's own country, tried first for
    phone numbers written without a country code; US, GB, DE, FR, CN and IN are always tried.
    """
    regions: tuple[str, ...] = REGIONS
    if default_region:
        if phonenumbers.country_code_for_region(default_region.upper()) == 0:
            raise ValueError(
                f"unknown region {default_region!r}: use an ISO 3166 code such as GB or DE"
            )
        regions = (default_region.upper(), *(r for r in REGIONS if r != default_region.upper()))
    protected = _protected(text)
    spans = [Span(*m.span(), "EMAIL") for m in _EMAIL.finditer(text)]
    spans += _ibans(text)
    spans += _cards(text, protected)
    spans += [Span(s, e, "ADDRESS") for s, e in find_addresses(text, protected)]
    spans += _phones(text, regions, protected)
    return _resolve(spans)


def _resolve(spans: list[Span]) -> list[Span]:
    """Overlapping finds become one span labelled by the stronger kind (e-mail > IBAN > card > ...)."""
    out: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and sp.start < out[-1].end:
            last = out[-1]
            label = min(last.label, sp.label, key=_PRIORITY.__getitem__)
            out[-1] = Span(last.start, max(last.end, sp.end), label)
        else:
            out.append(sp)
    return out


def redact_spans(text: str, default_region: str | None = None) -> Redaction:
    """The text with each span replaced by its token ([email], [phone], ...) and the spans found."""
    spans = find_pii(text, default_region)
    parts, last = [], 0
    for sp in spans:
        parts += [text[last : sp.start], _TOKEN[sp.label]]
        last = sp.end
    parts.append(text[last:])
    return Redaction(text, "".join(parts), spans)


def redact(text: str, default_region: str | None = None) -> str:
    """Replace personal data with [email], [card], [iban], [phone] and [address]."""
    return redact_spans(text, default_region).redacted
