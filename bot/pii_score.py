"""Scoring a PII redactor against gold spans (pure functions, no I/O).

    >>> g = GoldRow("call 0171 1234567 re order 4711", [(5, 17, "PHONE")], [(27, 31, "order")])
    >>> score_pii([g], [[(5, 17, "PHONE")]]).recall["PHONE"]
    1.0

A value counts as found only when ALL of its code points are inside predicted spans (any
label) and, where the redacted text is given, the value no longer appears in it. A hard
negative (order, tracking, voucher number, date, ...) counts as touched when any predicted
span overlaps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

PredSpan = tuple[int, int, str]


@dataclass(frozen=True)
class GoldRow:
    text: str
    spans: list[tuple[int, int, str]]  # personal values: start, end, label
    negatives: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # must stay: start, end, kind


@dataclass(frozen=True)
class PiiScore:
    found: dict[str, int]
    total: dict[str, int]
    negatives_touched: int
    negatives_total: int
    missed: list[tuple[str, str]]  # (label, value)
    touched: list[tuple[str, str]]  # (kind, value)

    @property
    def recall(self) -> dict[str, float]:
        return {k: self.found[k] / n for k, n in self.total.items() if n}

    @property
    def touched_share(self) -> float:
        return self.negatives_touched / self.negatives_total if self.negatives_total else 0.0

    @property
    def overall_recall(self) -> float:
        n = sum(self.total.values())
        return sum(self.found.values()) / n if n else 0.0


def covered(start: int, end: int, preds: Sequence[PredSpan]) -> bool:
    """True when every position in [start, end) lies inside one of `preds`."""
    pos = start
    for s, e, _ in sorted(preds):
        if s > pos:
            break
        pos = max(pos, e)
        if pos >= end:
            return True
    return pos >= end


def score_pii(
    gold: Sequence[GoldRow],
    preds: Sequence[Sequence[PredSpan]],
    redacted: Sequence[str] | None = None,
) -> PiiScore:
    if len(gold) != len(preds) or (redacted is not None and len(redacted) != len(gold)):
        raise ValueError(f"{len(gold)} gold rows but {len(preds)} predictions")
    found: dict[str, int] = {}
    total: dict[str, int] = {}
    missed, touched = [], []
    n_neg = 0
    for i, (row, pred) in enumerate(zip(gold, preds, strict=True)):
        for s, e, label in row.spans:
            value = row.text[s:e]
            total[label] = total.get(label, 0) + 1
            gone = redacted is None or value not in redacted[i] or row.text.count(value) > 1
            if covered(s, e, pred) and gone:
                found[label] = found.get(label, 0) + 1
            else:
                missed.append((label, value))
        for s, e, kind in row.negatives:
            n_neg += 1
            if any(ps < e and s < pe for ps, pe, _ in pred):
                touched.append((kind, row.text[s:e]))
    return PiiScore(
        {k: found.get(k, 0) for k in total}, total, len(touched), n_neg, missed, touched
    )
