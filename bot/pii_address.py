"""Postal addresses in free text (US, UK, DE, FR, CN, IN, with ES/IT/NL street forms), found whole.

    >>> [text[s:e] for s, e in find_addresses(text := "ship to Flat 2, 14 Kings Road, London SW3 4TR pls")]
    ['Flat 2, 14 Kings Road, London SW3 4TR']

US and UK addresses come from pyap (pyap2 on PyPI), a maintained library of address patterns
for those countries. No library on PyPI finds DE, FR, CN or IN addresses in running text
offline (libpostal's bindings need a ~2 GB model download; deepparse fetches its weights from
a hub at run time; usaddress only tags a string already known to be a US address), so this
module adds a pattern layer of its own. It works in two steps: find a *core* (a house number
with a street word, "Hauptstraße 12", "12 rue de Rivoli", "北京市朝阳区建国路88号", "Flat No. 302")
and grow it over the neighbouring pieces an address is made of (flat, building, city,
state, postcode, district, PIN), left and right, across commas and line breaks. Spans
found by pyap and by the patterns are merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyap

_STOP = r"(?!(?:the|and|or|to|for|by|of|in|on|at|my|is|it|me|you|your|a|an|with|from|please|pls|per|days?|pcs|items?|x)\b)"
_EN_SUFFIX = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|court|ct|boulevard|blvd|place|pl|square|sq"
    r"|terrace|ter|crescent|cres|close|gardens|gdns|loop|parade|row|walk|hill|mews|grove|parkway|pkwy"
    r"|highway|hwy|circle|cir|trail|trl|park|green|rise|wharf|quay"
)
_UNIT = (
    r"(?:flat|apartment|apt|suite|ste|unit|room|rm|floor|fl|building|bldg|block|tower|wing|appt?|appartement"
    r"|bât(?:iment)?|batiment|esc(?:alier)?|porte|résidence|residence|whg|wohnung|app|hinterhaus|vorderhaus"
    r"|seitenflügel|c/o|dept|door)\.?(?:\s*(?:no\.?|#))?(?:\s*[\w/-]*\d[\w/-]*|\s+[A-Z]\b|(?=,))"
    r"|#\s?\d+[A-Z]?|\d{1,2}\.?\s*(?:OG|EG|Stock|étage|e\s+étage)(?:\s+(?:links|rechts|gauche|droite))?"
    r"|\d{1,2}(?:e|er|ème)\s+étage|(?:Hinterhaus|Vorderhaus|Seitenflügel)"
    r"|(?:room|building|no\.?)\s+\d+"
)
_NAMED_BUILDING = r"(?:[A-Z][\w'’-]*\s+){0,3}(?:House|Court|Heights|Maltings|Lodge|Mansions|Tower|Towers|Residency|Apartments|Society|Nivas|Complex|Plaza|Pins)\b|The\s+[A-Z]\w+"
_UK_PC = r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}\b"
_US_STATE = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM"
    r"|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)"
)
_IN_STATE = (
    r"(?:Maharashtra|Karnataka|Telangana|Delhi|Tamil\s+Nadu|Kerala|Gujarat|Rajasthan|Uttar\s+Pradesh|West\s+Bengal"
    r"|Andhra\s+Pradesh|Madhya\s+Pradesh|Punjab|Haryana|Bihar|Odisha|Assam|Goa|Jharkhand|Chhattisgarh|Uttarakhand)"
)
_CITY = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:[ -](?:am|an|der|de|du|la|le|sur|en|upon|on|[A-ZÀ-ÖØ-Þ][\w'’.-]*)){0,3}"
_CITY_ANY = r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,2}"
_SEP = r"(?:[ \t]*(?:,|\n|\s[-–—]\s|-)[ \t]*\n?[ \t]*|[ \t]+(?:in[ \t]+)?)"

# the pieces that may follow a core; each is tried in order at the end of what was found so far
_TAIL = re.compile(
    rf"{_SEP}(?:"
    rf"(?P<unit>(?i:{_UNIT}))"
    rf"|(?P<code>(?i:{_CITY_ANY}),?\s+{_US_STATE}\.?\s+\d{{5}}(?:-\d{{4}})?\b"  # Austin, TX 78701
    rf"|(?i:{_CITY_ANY}),?\s+{_UK_PC}"  # London SW3 4TR
    rf"|(?:[DF]-)?\d{{5}}\s+{_CITY}(?:\s+CEDEX)?"  # 10115 Berlin, 75004 PARIS
    rf"|(?i:(?:[DF]-)?\d{{5}}\s+[^\W\d_][\w'’-]*(?:\s+(?:am|sur)\s+[^\W\d_]+)?)"  # 10115 berlin
    rf"|(?:{_CITY},?\s+)?(?:{_IN_STATE}\s*[-,]?\s*)?(?:PIN(?:\s*code)?[:\s-]*)?[1-8]\d{{2}}\s?\d{{3}}\b"  # Mumbai 400050
    rf"|{_UK_PC}|{_US_STATE}\s+\d{{5}}(?:-\d{{4}})?\b)"
    rf"|(?P<district>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s+(?:District|New\s+Area|County|Nagar(?:\s+[IVX]+)?|Colony|Layout|West|East)\b)"
    rf"|(?P<state>{_IN_STATE})\b"
    rf"|(?P<building>{_NAMED_BUILDING})"
    rf"|(?P<city>{_CITY})(?=[ \t]*(?:[,.!?;:)]|\n|$))"
    r")"
)
_AFTER_CODE = re.compile(
    rf"{_SEP}(?:{_IN_STATE}|India|UK|United Kingdom|USA|Deutschland|Germany|France|China|中国)\b"
)
_LEFT = re.compile(rf"(?:(?:{_UNIT}|{_NAMED_BUILDING})[ \t]*(?:,|\n)?[ \t]*)+\Z", re.I)

_DE_STREET = (
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad"
    r"|straat|laan|gracht|plein|kade|dijk|singel)"
)
_DE_NUM = r"(?:Nr\.\s*)?\d{1,4}(?:\s?[a-z]\b)?(?:-\d{1,4})?"
_EVERYDAY = {
    "drive", "way", "park", "green", "walk", "hill", "row", "loop", "rise", "square", "place", "court",
    "close", "grove", "gardens", "terrace", "crescent", "lane", "parade", "circle", "trail", "wharf",
    "quay", "mews", "pl", "ct", "dr", "sq",
}  # fmt: skip
_NUM = r"\d{1,5}(?:[A-Za-z](?![A-Za-z]))?(?:\s?(?:bis|ter|[A-D])\b)?"
_CORES = [
    # 221B Baker Street, 1600 Pennsylvania Ave NW, No. 88 Jianguo Road, 12, High St
    re.compile(
        rf"(?i)(?<![\w.,/-])(?:no\.?\s*)?{_NUM},?\s+(?:[NSEW]\.?\s+)?(?:{_STOP}(?:[^\W\d_]|\d+(?:st|nd|rd|th)\b)[\w'’.-]*\s+){{1,4}}?(?:{_EN_SUFFIX})\b\.?"
        r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    ),
    # Hauptstraße 12, Bahnhofstr. 5a, Karl-Marx-Straße 45, Berliner Allee 22, Kalverstraat 92;
    # lower case ("hauptstraße 12") only when a postcode follows: English has "spring 4"
    re.compile(
        rf"(?<![\w-])(?:[A-ZÄÖÜ][\w.-]*(?i:{_DE_STREET})|[A-ZÄÖÜ][\wäöüß-]+\s+(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Ring|Damm|Gasse))"
        rf"\s+{_DE_NUM}"
    ),
    re.compile(rf"(?<![\w-])[a-zäöüß][\w.-]*{_DE_STREET}\s+{_DE_NUM}(?=[,\s]+(?:D-)?\d{{5}}\s)"),
    # Am Markt 3, An der Alster 5, Im Winkel 4 (capitalised, or any case when a postcode follows)
    re.compile(
        r"(?<![\w-])(?:Am|An\s+der|An\s+den|Im|In\s+der|Auf\s+dem|Zum|Zur)\s+[A-ZÄÖÜ][\wäöüß-]+\s+\d{1,3}[a-z]?\b"
    ),
    re.compile(
        r"(?i)(?<![\w-])(?:am|an\s+der|im|in\s+der)\s+[a-zäöüß-]+\s+\d{1,3}[a-z]?(?=[,\s]+\d{5}\s)"
    ),
    # 12 rue de Rivoli, 5 bis avenue Jean Jaurès, 45, rue du Faubourg Saint-Honoré: the name
    # opens with de/du/des/la/l' or a capital, or (typed in lower case) a postcode follows
    re.compile(
        rf"(?i)(?<![\w.,/-]){_NUM},?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|cours|route|square"
        r"|passage|voie|faubourg|promenade|esplanade|sentier|villa|cité)\b"
        r"(?:(?=[ \t]+(?:de|du|des|la|le|les|aux?|l['’]|d['’]|(?-i:[A-ZÀ-Ý0-9])))|(?=[^,\n]{1,50}?\s\d{5}\b))"
        r"(?:[ \t]+[\w'’-]+){1,6}?"
        r"(?=[ \t]*(?:[,\n.;!?()]|[ \t][-–—][ \t]|[ \t]+\d{5}\b|$|[ \t]+(?:svp|merci|et|pour|s'il|interphone)\b))"
    ),
    # PO Box 1234, P.O. Box 77, Postfach 10 20 30, BP 42
    re.compile(
        r"(?i)(?<![\w-])(?:P\.?\s?O\.?\s+Box|Postfach|B\.?P\.?|Bo[iî]te\s+postale)\s+\d[\d ]{0,9}\d?\b"
    ),
    # Calle Mayor 10, Via Roma 15, Piazza Navona 2
    re.compile(
        r"(?<![\w-])(?:Calle|C/|Avenida|Av\.|Plaza|Paseo|Via|Viale|Piazza|Corso|Largo)\s+(?:[A-Z][\w'-]*\s+){1,3}\d{1,5}\b"
    ),
]

# India: from a flat/house/door/plot marker (or 12/3, B-24) to the PIN code, within ~3 lines
_IN_START = (
    r"(?:flat|h\.?\s?no\.?|house|door|plot|shop|room|bldg|villa|quarter)(?:\s*(?:no\.?|number|#))?\s*[\w/-]*\d[\w/-]*"
    r"|[A-Z]-\d{1,4}\b|\d{1,4}/\d{1,4}\b|\d{1,4}[A-Z]?(?=,\s)"
    r"|(?:मकान|फ्लैट|हाउस|घर|प्लॉट)(?:\s*(?:नं\.?|नंबर))?\s*[\d/-]+"
)
_IN_ADDR = re.compile(
    rf"(?i)(?<![\w/-])(?:{_IN_START})(?:[^\n!?;:]|\n(?!\n)){{2,170}}?(?:PIN(?:\s*code)?[:\s-]*|[-,\s])\s*[1-8]\d{{2}}\s?\d{{3}}(?!\d)"
)

# China: province / city / district / road + number, then building, unit and room, then postcode
_CN_PROV = (
    r"(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州"
    r"|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门)(?:省|市|自治区|特别行政区)?"
)
_HAN = r"[\u4e00-\u9fff]"
_CN_ROAD = rf"{_HAN}{{1,8}}?(?:路|街|大街|大道|道|巷|弄|胡同|里)(?:[一二三四五六七八九十\d]+段)?\s?\d+(?:-\d+)?号"
_CN_TAIL = (
    r"(?:\s?[\u4e00-\u9fffA-Za-z0-9-]{0,16}?(?:\d+|[A-Z一二三四五六七八九十])(?:号楼|栋|幢|座|单元|楼|层|室|号|户))*"
    r"(?:(?<=[楼栋幢座元层])\d{2,5}(?!\d))?"
)
_CN_ADDR = re.compile(
    rf"(?:\d{{6}}\s?)?(?:{_CN_PROV}\s?)?(?:{_HAN}{{2,4}}?市\s?)?(?:{_HAN}{{1,5}}?(?:区|县|镇)\s?)?{_CN_ROAD}{_CN_TAIL}"
    r"(?:[，,]?\s?邮编[:：]?\s?\d{6})?"
    rf"|{_CN_PROV}\s?(?:{_HAN}{{2,4}}?市)?{_HAN}{{1,5}}?(?:区|县)"
)
# words before an address that the CN pattern would otherwise take as part of a place name
_CN_LEAD = re.compile(r"^(?:收货地址|收件地址|地址|寄到|送到|改成|改为|发到|请|是|为|到|：|:)+")


def _grow(text: str, start: int, end: int) -> tuple[int, int]:
    return _grow_coded(text, start, end)[:2]


def _grow_coded(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """The span grown over the pieces around it, and whether a postcode was among them."""
    coded = False
    while (m := _TAIL.match(text, end)) is not None and m.end() > end:
        end = m.end()
        if m.group("code"):  # a postcode ends the address, but for a state or country after it
            after = _AFTER_CODE.match(text, end)
            end = after.end() if after else end
            coded = True
            break
    left = _LEFT.search(text[max(0, start - 80) : start])
    if left is not None:
        start -= len(left.group(0))
    return start, end, coded


def _english(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """An English street whose last word is also an everyday noun in lower case ("2 TB
    external drive", "a 3 mile walk") counts only with a postcode after it."""
    start, end, coded = _grow_coded(text, *m.span())
    last = m.group(0).split()[-1].rstrip(".")
    if not coded and last.islower() and last in _EVERYDAY:
        return None
    return start, end


_SUFFIX_WORD = re.compile(rf"(?i)\b(?:{_EN_SUFFIX})\b")
_HOUSE_NO = re.compile(r"(?<![\w/-])\d{1,5}[A-Za-z]?(?=\s)")


def _pyap_start(text: str, start: int, end: int) -> int:
    """pyap may start at any number before the street ('3 pcs to 34a Albert Rd'): start at the
    house number nearest the street word; _grow adds a flat or building before it."""
    suffix = _SUFFIX_WORD.search(text, start, end)
    nums = list(_HOUSE_NO.finditer(text, start, suffix.start() if suffix else end))
    return nums[-1].start() if nums else start


_NOT_CITY = re.compile(
    r"(?i)\b(?:about|order|re|for|the|and|to|please|pls|thanks|my|is|was|tracking|item|code)\b"
)


def _locate(text: str, found: str, near: int) -> tuple[int, int] | None:
    """Where pyap's `found` lies in `text`: pyap reports offsets into a copy with spaces,
    commas and dashes normalised, so the words are looked up again, nearest `near` first."""
    words = [re.escape(w) for w in re.split(r"[\s,]+", found) if w]
    if not words:
        return None
    pattern = r"[\s,]*".join(words).replace(r"\-", "[-‐‑‒–—―]")
    best = min(re.finditer(pattern, text), key=lambda m: abs(m.start() - near), default=None)
    return best.span() if best else None


def _pyap_span(text: str, a: pyap.address.Address) -> tuple[int, int] | None:
    """pyap's match, kept only with a house number and a postcode; its city and postcode only when they look
    like one ('12 Park Lane - about order o10023' keeps '12 Park Lane')."""
    if (
        not a.street_number
        or not a.postal_code
        or (where := _locate(text, a.full_address, a.match_start)) is None
    ):
        return None
    start, end = _pyap_start(text, *where), where[1]
    glued = end < len(text) and text[end].isalnum()
    if glued or (a.city and _NOT_CITY.search(a.city)):
        street = _locate(text, a.full_street or "", start)
        if street is None:
            return None
        end = street[1]
    return (start, end) if end > start else None


def find_addresses(text: str, protected: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Character spans of postal addresses in `text`, merged and sorted.

    An address never takes in a `protected` span (an order or tracking number, a date): it is
    cut to start after it, or dropped when nothing is left."""
    spans: list[tuple[int, int]] = []
    spans += [sp for m in _CORES[0].finditer(text) if (sp := _english(text, m))]
    for core in _CORES[1:]:
        spans += [_grow(text, *m.span()) for m in core.finditer(text)]
    spans += [_grow(text, *m.span()) for m in _IN_ADDR.finditer(text)]
    for m in _CN_ADDR.finditer(text):
        lead = _CN_LEAD.match(m.group(0))
        spans.append((m.start() + (len(lead.group(0)) if lead else 0), m.end()))
    if any(ch.isdigit() for ch in text):
        for country in ("US", "GB"):
            for a in pyap.parse(text, country=country):
                if (span := _pyap_span(text, a)) is not None:
                    spans.append(_grow(text, *span))
    return _merge([c for s, e in spans if (c := _cut(text, s, e, protected))])


def _cut(text: str, s: int, e: int, protected: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    for ps, pe in protected:
        if s < pe and ps < e:
            if ps <= s or pe < e:
                s = max(s, pe)
            else:
                e = ps
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and text[e - 1] in " ,;-\n\t":
        e -= 1
    return (s, e) if e - s >= 6 else None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
