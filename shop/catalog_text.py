"""Text of catalog exports made readable: HTML stripped, list items as sentences.

    clean_description("<p>Light.</p><ul><li>7 kg</li><li>Waterproof</li></ul>")
    -> "Light.\n- 7 kg.\n- Waterproof."

Bulleted facts ("• 7 kg") become lines of their own ending in a full stop, so answers can
quote one fact rather than a whole paragraph.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
_BULLET_CHARS = "•·●▪■◦‣–—*-"
_BULLET_LINE = re.compile(rf"^\s*(?:[{re.escape(_BULLET_CHARS)}]|\d+[.)])\s*")
_INLINE_BULLETS = re.compile(r"\s+[•●▪■◦‣]\s+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip += 1
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in {"td", "th"}:
            self.out.append(" ")
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK or tag == "li":
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def _sentence(item: str) -> str:
    item = item.strip().rstrip(";,")
    return item if not item or item[-1] in ".!?:" else f"{item}."


def clean_description(raw: str) -> str:
    """Plain text: paragraphs on lines, each list item a line "- item." of its own."""
    if not raw or not raw.strip():
        return ""
    text = raw
    if re.search(r"<[a-zA-Z][^>]*>", raw):
        parser = _Text()
        parser.feed(raw)
        parser.close()
        text = "".join(parser.out)
    text = html.unescape(text).replace("\u00a0", " ").replace("\r", "")
    text = _INLINE_BULLETS.sub("\n- ", text)  # "Light • 7 kg • waterproof" on one line
    lines: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        if _BULLET_LINE.match(line) and len(_BULLET_LINE.sub("", line)) > 0:
            lines.append(f"- {_sentence(_BULLET_LINE.sub('', line))}")
        else:
            lines.append(line)
    return "\n".join(lines)


def parse_options(raw: str, line: int, what: str) -> dict[str, str]:
    """A JSON object, or "Name: value; Name: value" -> {name: value}."""
    from shop.catalog_io import CatalogError

    s = (raw or "").strip()
    if not s:
        return {}
    if s.startswith("{"):
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as e:
            raise CatalogError(f"line {line}: {what} is not a JSON object ({e.msg})") from e
        if not isinstance(obj, dict):
            raise CatalogError(f"line {line}: {what} must be a JSON object")
        return {str(k): str(v) for k, v in obj.items()}
    out: dict[str, str] = {}
    for part in re.split(r"[;|]", s):
        if ":" not in part and "=" not in part:
            raise CatalogError(
                f"line {line}: {what} {s!r} must be a JSON object or 'Name: value; Name: value'"
            )
        k, v = re.split(r"[:=]", part, maxsplit=1)
        if k.strip() and v.strip():
            out[k.strip()] = v.strip()
    return out
