"""Classification metrics as pure functions over label lists (tested against hand-computed values)."""

from __future__ import annotations

from collections.abc import Sequence


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    if len(gold) != len(pred):
        raise ValueError("gold and pred must have the same length")
    if not gold:
        raise ValueError("no examples to score")
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def per_class_f1(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """F1 of every label that occurs in gold (a label never predicted scores 0)."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred must have the same length")
    out = {}
    for label in sorted(set(gold)):
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        out[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    scores = per_class_f1(gold, pred)
    if not scores:
        raise ValueError("no examples to score")
    return sum(scores.values()) / len(scores)
