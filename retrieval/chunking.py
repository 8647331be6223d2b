"""Splitting documents into passages that each answer one thing.

Markdown is split at headings, so a passage is one section under its page and
section title; long sections are cut at paragraph, then sentence, boundaries.
Passage ids are derived from source and content, so re-ingesting an unchanged
file produces the same ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

MAX_WORDS = 160

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(frozen=True)
class Passage:
    """A unit of knowledge the bot can cite."""

    id: str
    text: str
    source: str  # file path or logical source the passage came from
    title: str  # page title, with the section title when there is one
    product_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def passage_id(source: str, text: str) -> str:
    return hashlib.sha1(f"{source}\n{text}".encode()).hexdigest()[:20]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _split_long(text: str, max_words: int) -> list[str]:
    """Cut text into pieces of at most max_words words at paragraph/sentence boundaries."""
    if len(text.split()) <= max_words:
        return [text]
    units: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        if len(para.split()) <= max_words:
            units.append(para.strip())
        else:
            units.extend(split_sentences(para))
    pieces: list[str] = []
    cur: list[str] = []
    for u in units:
        if cur and len(" ".join([*cur, u]).split()) > max_words:
            pieces.append("\n\n".join(cur))
            cur = []
        cur.append(u)
    if cur:
        pieces.append("\n\n".join(cur))
    return [p for p in pieces if p.strip()]


def chunk_markdown(markdown: str, source: str, max_words: int = MAX_WORDS) -> list[Passage]:
    """One passage per section (split further when long), titled 'Page — Section'."""
    page_title = ""
    sections: list[tuple[str, list[str]]] = []
    current_title = ""
    current: list[str] = []
    for line in markdown.splitlines():
        m = _HEADING.match(line)
        if m:
            if current and "".join(current).strip():
                sections.append((current_title, current))
            level, heading = len(m.group(1)), m.group(2).strip()
            if level == 1 and not page_title:
                page_title = heading
                current_title = ""
            else:
                current_title = heading
            current = []
        else:
            current.append(line)
    if current and "".join(current).strip():
        sections.append((current_title, current))
    page_title = page_title or source.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").title()

    out: list[Passage] = []
    for sec_title, lines in sections:
        body = "\n".join(lines).strip()
        title = f"{page_title} — {sec_title}" if sec_title else page_title
        for piece in _split_long(body, max_words):
            text = f"{title}\n{piece}"
            out.append(
                Passage(passage_id(source, text), text, source, title, None, {"section": sec_title})
            )
    return out


def chunk_text(text: str, source: str, title: str, max_words: int = MAX_WORDS) -> list[Passage]:
    """Plain text: paragraphs, packed into passages of at most max_words words."""
    out = []
    for piece in _split_long(text.strip(), max_words):
        body = f"{title}\n{piece}" if title else piece
        out.append(Passage(passage_id(source, body), body, source, title))
    return out
