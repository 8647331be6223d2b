"""A passage read as an answer is quoted: its prose sentences, and each list item and
table row as a unit of its own; which of a question's words a text shares; how chosen
units are joined back for the shopper.

    units("We accept:\n\n- Visa\n- PayPal")   # [("We accept:", False), ("Visa", True), ("PayPal", True)]
"""

from __future__ import annotations

import re

import numpy as np

from bot.shop_words import STOP, stem, words
from retrieval.chunking import split_sentences

MAX_LIST_ITEMS = 8  # a bullet list up to this long is quoted whole


def content_words(text: str) -> set[str]:
    """A text's words that carry meaning (no stop words, 3+ letters, units glued)."""
    return {stem(w) for w in words(text) if len(w) > 2 and w not in STOP}


def overlap(question: str, texts: list[str]) -> np.ndarray:
    """Share of the question's content words each text contains ("standard", "canada")."""
    qw = content_words(question)
    if not qw:
        return np.zeros(len(texts), dtype=np.float32)
    return np.array([len(qw & content_words(t)) / len(qw) for t in texts], dtype=np.float32)


_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def units(body: str) -> list[tuple[str, bool]]:
    """Sentences of the prose, and each list item or table row as a unit of its own.

    Returns (text, is_list_item) pairs in reading order.
    """
    units: list[tuple[str, bool]] = []
    para: list[str] = []
    for line in [*body.splitlines(), ""]:
        if _BULLET.match(line) or line.lstrip().startswith("|") or not line.strip():
            if para:
                units.extend((s, False) for s in split_sentences(" ".join(para)))
                para = []
            item = _BULLET.sub("", line).strip().strip("|").replace("|", "·").strip()
            if item and not set(item) <= set("·-: "):
                units.append((item, True))
        else:
            para.append(line.strip())
    return units


def join_units(units: list[tuple[str, bool]]) -> str:
    """Prose sentences run on; list items go on lines of their own."""
    parts: list[str] = []
    prev_item = False
    for text, is_item in units:
        piece = f"- {text}" if is_item else text
        if parts:
            piece = ("\n" if is_item or prev_item else " ") + piece
        parts.append(piece)
        prev_item = is_item
    return "".join(parts)


def list_run(units_: list[tuple[str, bool]], i: int) -> list[int]:
    """The indices of the bullet list unit i belongs to (consecutive list items)."""
    lo = hi = i
    while lo > 0 and units_[lo - 1][1] and " · " not in units_[lo - 1][0]:
        lo -= 1
    while hi + 1 < len(units_) and units_[hi + 1][1] and " · " not in units_[hi + 1][0]:
        hi += 1
    return list(range(lo, hi + 1))
