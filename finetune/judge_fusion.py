"""Fitting how the judge fuses its cross-encoder logit with product context.

A cross-encoder reads only (question, passage). hetPQA-style questions rarely name
their product ("how many motors does it have?"), so the passages a retriever finds for
them over a whole catalogue are mostly other products' passages that answer the same
kind of question — a text-only score cannot separate those from the evidence. Whether
the passage belongs to the question's product can, so the judge's probability is a
logistic regression over (logit, same_product, the retriever's cosine), fitted here on
held-out training pairs; a second fit without same_product serves questions whose product
is unknown. Within one product the cosine and the logit disagree usefully: together they
pick the evidence more often than either alone.

The answer gate is a second logistic regression, over the best passage's probability and
its lead over the runner-up: whether the best passage is the evidence at all. A clear
winner is far more often right than a near tie.

    fusion = fit_fusion(logits, same_product, labels, cosine)  # bot.judge.ScoreFusion
    fusion = fit_gate(fusion, known, unknown)  # (best, runner-up, best is gold) per kind
    scores = cross_fitted(logits, same_product, labels, groups)  # honest held-out AUC
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.judge import ScoreFusion


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 100
) -> tuple[np.ndarray, float]:
    """(weights, bias) of an L2-regularised logistic regression, by Newton's method.

    The bias is not regularised; L2 keeps the weights finite when a feature separates
    the classes perfectly.
    """
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    y = np.asarray(y, dtype=np.float64)
    if len(np.unique(y)) != 2:
        raise ValueError("fit_logistic needs both classes in y")
    xb = np.hstack([x, np.ones((len(x), 1))])
    reg = l2 * np.eye(xb.shape[1])
    reg[-1, -1] = 0.0
    w = np.zeros(xb.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -40, 40)))
        grad = xb.T @ (p - y) + reg @ w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + reg + 1e-9 * np.eye(xb.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit_fusion(
    logits: np.ndarray,
    same_product: np.ndarray,
    labels: np.ndarray,
    cosine: np.ndarray | None = None,
) -> ScoreFusion:
    """Both fits: logit + same_product (product known) and the logit alone (product unknown),
    each with the retriever's cosine as one more feature when `cosine` is given."""
    logits = np.asarray(logits, dtype=np.float64)
    same = np.asarray(same_product, dtype=np.float64)
    cos = [] if cosine is None else [np.asarray(cosine, dtype=np.float64)]
    (a, c, *d), b = fit_logistic(np.column_stack([logits, same, *cos]), labels)
    (a0, *d0), b0 = fit_logistic(np.column_stack([logits, *cos]), labels)
    return ScoreFusion(
        a=float(a),
        c=float(c),
        b=b,
        a0=float(a0),
        b0=b0,
        d=float(d[0]) if d else 0.0,
        d0=float(d0[0]) if d0 else 0.0,
    )


def fit_gate(
    fusion: ScoreFusion,
    known: tuple[np.ndarray, np.ndarray, np.ndarray],
    unknown: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> ScoreFusion:
    """`fusion` with its answer gate fitted: per kind (product known, unknown), arrays of the
    best candidate's P(answers), the runner-up's, and whether the best is the evidence."""

    def one(best: np.ndarray, runner_up: np.ndarray, right: np.ndarray) -> tuple[float, ...]:
        if len(np.unique(right)) != 2:  # all right or all wrong: the score alone decides
            return 1.0, 0.0, 0.0
        x = np.column_stack([best, best - runner_up])
        (ga, gm), gb = fit_logistic(x, right)
        # monotone: a higher-scoring or clearer winner is never trusted less; a feature
        # whose weight comes out negative is dropped and the other refitted alone
        if ga < 0 or gm < 0:
            keep = 1 if ga < 0 else 0
            (w,), gb = fit_logistic(x[:, keep : keep + 1], right)
            w = max(float(w), 0.0)
            ga, gm = (0.0, w) if keep == 1 else (w, 0.0)
        return float(ga), float(gm), gb

    ga, gm, gb = one(*known)
    ga0, gm0, gb0 = one(*unknown)
    return replace(fusion, gated=True, ga=ga, gm=gm, gb=gb, ga0=ga0, gm0=gm0, gb0=gb0)


def cross_fitted(
    logits: np.ndarray,
    same_product: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    folds: int = 2,
    cosine: np.ndarray | None = None,
) -> np.ndarray:
    """Fused probabilities where each pair is scored by a fusion fitted on the other folds
    (pairs grouped by question, so no question is fitted and scored by the same fit)."""
    groups = np.asarray(groups)
    fold = groups % folds
    out = np.zeros(len(labels), dtype=np.float64)
    for k in range(folds):
        fit = fold != k
        cos_fit = None if cosine is None else cosine[fit]
        fusion = fit_fusion(logits[fit], same_product[fit], labels[fit], cos_fit)
        cos_out = None if cosine is None else cosine[~fit]
        out[~fit] = fusion.apply(logits[~fit], same_product[~fit], cos_out)
    return out
