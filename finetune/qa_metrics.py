"""Answer-quality metrics as pure functions (tested against hand-computed values).

- `token_f1`: SQuAD-style bag-of-words F1 (lower-cased, punctuation, articles and
  citation markers like [1] dropped), best over the reference answers;
- `rouge_l`: F-measure of the longest common token subsequence, best over references;
- `roc_auc`: probability that a random positive outscores a random negative (ties count half);
- `citation_precision`: share of cited passages that are gold evidence.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np

_CITE = re.compile(r"\[\d+\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans(string.punctuation, " " * len(string.punctuation))


def normalise(text: str) -> list[str]:
    text = _CITE.sub(" ", text.lower()).translate(_PUNCT)
    return _ARTICLES.sub(" ", text).split()


def _f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    p, r = common / len(pred), common / len(gold)
    return 2 * p * r / (p + r)


def token_f1(prediction: str, references: Sequence[str]) -> float:
    """Best SQuAD token F1 of the prediction against any reference."""
    if not references:
        raise ValueError("token_f1 needs at least one reference answer")
    pred = normalise(prediction)
    return max(_f1(pred, normalise(r)) for r in references)


def _lcs(a: list[str], b: list[str]) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(prediction: str, references: Sequence[str]) -> float:
    """Best ROUGE-L F-measure (LCS over normalised tokens) against any reference."""
    if not references:
        raise ValueError("rouge_l needs at least one reference answer")
    pred = normalise(prediction)
    best = 0.0
    for ref in references:
        gold = normalise(ref)
        lcs = _lcs(pred, gold)
        if lcs:
            p, r = lcs / len(pred), lcs / len(gold)
            best = max(best, 2 * p * r / (p + r))
    return best


def roc_auc(scores: Sequence[float], labels: Sequence[int | bool]) -> float:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties)."""
    if len(scores) != len(labels):
        raise ValueError("scores and labels must have the same length")
    y = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"AUC needs positives and negatives, got {n_pos} and {n_neg}")
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def citation_precision(cited: Collection[str], gold: Collection[str]) -> float | None:
    """Share of the cited passage ids that are gold evidence; None when nothing is cited."""
    if not cited:
        return None
    return len(set(cited) & set(gold)) / len(set(cited))
