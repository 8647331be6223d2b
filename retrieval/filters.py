"""Chroma's `where` metadata filters, evaluated in memory over a fixed list of rows.

The BM25 index uses this so that one `where` dict filters keyword and vector
search alike. Semantics follow Chroma 1.x (checked against a real Chroma by
tests/retrieval/test_hybrid.py): equality is typed (numbers compare as numbers, booleans
only equal booleans), `$ne`/`$nin` also match rows that lack the key, range
operators only match numbers, several keys in one dict are combined with AND.

    f = MetadataFilter([{"product_id": "p1"}, {"product_id": "p2", "price": 9.5}])
    f.mask({"$or": [{"product_id": "p1"}, {"price": {"$lt": 10}}]})  # array([True, True])
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

_Key = tuple[str, Any]  # a type-tagged value: numbers compare across int/float, bools do not
_RANGE: dict[str, Callable[[float, float], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}
OPERATORS = ("$eq", "$ne", "$in", "$nin", *_RANGE)


def _tag(value: Any) -> _Key:
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", float(value))
    if isinstance(value, str):
        return ("s", value)
    raise ValueError(f"filter values must be str, int, float or bool, got {value!r}")


class MetadataFilter:
    """Boolean masks over rows of metadata for Chroma-style `where` dicts."""

    def __init__(self, metadatas: Sequence[Mapping[str, Any]]) -> None:
        self.n = len(metadatas)
        self._postings: dict[str, dict[_Key, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._numbers: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for row, meta in enumerate(metadatas):
            for key, value in meta.items():
                try:
                    tagged = _tag(value)
                except ValueError:
                    continue  # Chroma stores only scalars; anything else cannot match
                self._postings[key][tagged].append(row)
                if tagged[0] == "n":
                    self._numbers[key].append((row, tagged[1]))

    def mask(self, where: Mapping[str, Any] | None) -> np.ndarray | None:
        """Rows matching `where` as a boolean array, or None when there is no filter."""
        if not where:
            return None
        return self._clause(where)

    def _clause(self, where: Mapping[str, Any]) -> np.ndarray:
        if not isinstance(where, Mapping) or not where:
            raise ValueError(f"a where clause must be a non-empty dict, got {where!r}")
        masks = []
        for key, cond in where.items():
            if key in ("$and", "$or"):
                if not isinstance(cond, list | tuple) or not cond:
                    raise ValueError(f"{key} takes a non-empty list of clauses, got {cond!r}")
                parts = [self._clause(c) for c in cond]
                combine = np.logical_and if key == "$and" else np.logical_or
                masks.append(combine.reduce(parts))
            elif key.startswith("$"):
                raise ValueError(f"unsupported filter operator {key}; use $and or $or at the top")
            else:
                masks.append(self._field(key, cond))
        return np.logical_and.reduce(masks)

    def _field(self, key: str, cond: Any) -> np.ndarray:
        if not isinstance(cond, Mapping):
            return self._eq(key, cond)
        if len(cond) != 1:
            raise ValueError(f"filter on {key!r} needs exactly one operator, got {dict(cond)}")
        op, value = next(iter(cond.items()))
        if op == "$eq":
            return self._eq(key, value)
        if op == "$ne":
            return ~self._eq(key, value)
        if op in ("$in", "$nin"):
            if not isinstance(value, list | tuple):
                raise ValueError(f"{op} on {key!r} takes a list, got {value!r}")
            hit = np.zeros(self.n, dtype=bool)
            for v in value:
                hit |= self._eq(key, v)
            return hit if op == "$in" else ~hit
        if op in _RANGE:
            bound = _tag(value)
            if bound[0] != "n":
                raise ValueError(f"{op} on {key!r} takes a number, got {value!r}")
            out = np.zeros(self.n, dtype=bool)
            compare = _RANGE[op]
            for row, number in self._numbers.get(key, []):
                out[row] = compare(number, bound[1])
            return out
        raise ValueError(f"unsupported filter operator {op}; accepted: {', '.join(OPERATORS)}")

    def _eq(self, key: str, value: Any) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        out[self._postings.get(key, {}).get(_tag(value), [])] = True
        return out
