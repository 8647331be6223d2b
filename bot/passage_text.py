"""Structured attribute passages in words a shopper (and the generator) can read.

Catalog exports often carry product attributes as serialized records, one passage per
attribute:

    item_weight: { unit:pounds, normalized_value:{ unit:pounds, value:35.64 }, value:35.64 }
    includes_remote: { value:true }
    num_batteries: { quantity:3, type:aa }; { quantity:3, type:aaa }

Quoted as they are, they read like code ("value:true [1]"), and a generator copies that form.
`readable` renders them as "item weight: 35.64 pounds", "includes remote: yes",
"num batteries: 3 aa, 3 aaa". Anything that does not parse as such a record is returned
unchanged, so ordinary prose passes through untouched.
"""

from __future__ import annotations

import re
from typing import Any

_KEY = re.compile(r"^\s*([A-Za-z][\w ]{0,60}?)\s*:\s*(\{.*\})\s*$", re.S)
_SKIP = {"normalized_value", "language_tag", "marketplace_id"}  # bookkeeping, not facts


class _Unparsable(ValueError):
    pass


class _Reader:
    """A tiny recursive-descent reader for `{ k:v, ... }`, `[ ... ]`, "quoted" and bare atoms."""

    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def _ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def _peek(self) -> str:
        self._ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def _eat(self, ch: str) -> None:
        if self._peek() != ch:
            raise _Unparsable(f"expected {ch!r} at {self.i}")
        self.i += 1

    def records(self) -> list[Any]:
        out = [self.value()]
        while self._peek() == ";":
            self.i += 1
            out.append(self.value())
        if self._peek():
            raise _Unparsable("trailing text")
        return out

    def value(self) -> Any:
        ch = self._peek()
        if ch == "{":
            return self._object()
        if ch == "[":
            return self._list()
        if ch == '"':
            return self._string()
        return self._atom()

    def _object(self) -> dict[str, Any]:
        self._eat("{")
        obj: dict[str, Any] = {}
        while self._peek() != "}":
            key = self._until(':{}[],;"', "key")
            self._eat(":")
            obj[key] = self.value()
            self._next_or("}")
        self.i += 1
        return obj

    def _list(self) -> list[Any]:
        self._eat("[")
        out = []
        while self._peek() != "]":
            out.append(self.value())
            self._next_or("]")
        self.i += 1
        return out

    def _next_or(self, close: str) -> None:
        """Past the ',' between items, or stay before `close`."""
        if self._peek() == ",":
            self.i += 1
        elif self._peek() != close:
            raise _Unparsable(f"expected ',' or {close!r} at {self.i}")

    def _until(self, stops: str, what: str) -> str:
        """The stripped text up to the next of `stops`; never empty."""
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in stops:
            self.i += 1
        text = self.s[start : self.i].strip()
        if not text:
            raise _Unparsable(f"empty {what} at {start}")
        return text

    def _string(self) -> str:
        self._eat('"')
        out = []
        while self.i < len(self.s) and self.s[self.i] != '"':
            if self.s[self.i] == "\\" and self.i + 1 < len(self.s):
                self.i += 1
            out.append(self.s[self.i])
            self.i += 1
        if self.i >= len(self.s):
            raise _Unparsable("unterminated string")
        self.i += 1
        return "".join(out)

    def _atom(self) -> str:
        return self._until(",;{}[]", "value")


def _words(atom: str) -> str:
    low = atom.strip().lower()
    if re.fullmatch(r"\d+\.", low):  # "7." -> "7"
        return low[:-1]
    if low in ("true", "false"):
        return "yes" if low == "true" else "no"
    return atom.strip().replace("_", " ") if re.fullmatch(r"[a-z0-9_]+", low) else atom.strip()


def _render(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(dict.fromkeys(r for r in (_render(x) for x in v) if r))
    if not isinstance(v, dict):
        return _words(str(v))
    facts = {k: x for k, x in v.items() if k not in _SKIP}
    if "value" in facts:
        main = _render(facts.pop("value"))
        unit = facts.pop("unit", None)
        return f"{main} {_words(str(unit))}" if unit is not None and main else main
    if "quantity" in facts:  # { quantity:3, type:aa } -> "3 aa"
        return " ".join(_render(facts[k]) for k in ("quantity", "type") if k in facts)
    return ", ".join(r for r in (_render(x) for x in facts.values()) if r)


def readable(text: str) -> str:
    """`key: { ... }; { ... }` attribute records in words; any other text unchanged."""
    m = _KEY.match(text)
    if m is None:
        return text
    try:
        records = _Reader(m.group(2)).records()
    except _Unparsable:
        return text
    body = ", ".join(dict.fromkeys(r for r in (_render(x) for x in records) if r))
    return f"{m.group(1).replace('_', ' ')}: {body}" if body else text
