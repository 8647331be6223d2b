"""Fitting how the judge fuses its cross-encoder logit with product context.

A cross-encoder reads only (question, passage). hetPQA-style questions rarely name
their product ("how many motors does it have?"), so the passages a retriever finds for
them over a whole catalogue are mostly other products' passages that answer the same
kind of question — a text-only score cannot separate those from the evidence. Whether
the passage belongs to the question's product can, so the judge's probability is a
logistic regression over (logit, same_product), fitted here on held-out training
pairs; a second fit over the logit alone serves questions whose product is unknown.

    fusion = fit_fusion(logits, same_product, labels)      # bot.judge.ScoreFusion
    scores = cross_fitted(logits, same_product, labels, groups)  # honest held-out AUC
"""

from __future__ import annotations

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


def fit_fusion(logits: np.ndarray, same_product: np.ndarray, labels: np.ndarray) -> ScoreFusion:
    """Both fits: logit + same_product (product known) and logit alone (product unknown)."""
    logits = np.asarray(logits, dtype=np.float64)
    same = np.asarray(same_product, dtype=np.float64)
    (a, c), b = fit_logistic(np.column_stack([logits, same]), labels)
    (a0,), b0 = fit_logistic(logits[:, None], labels)
    return ScoreFusion(a=float(a), c=float(c), b=b, a0=float(a0), b0=b0)


def cross_fitted(
    logits: np.ndarray,
    same_product: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    folds: int = 2,
) -> np.ndarray:
    """Fused probabilities where each pair is scored by a fusion fitted on the other folds
    (pairs grouped by question, so no question is fitted and scored by the same fit)."""
    groups = np.asarray(groups)
    fold = groups % folds
    out = np.zeros(len(labels), dtype=np.float64)
    for k in range(folds):
        fit = fold != k
        fusion = fit_fusion(logits[fit], same_product[fit], labels[fit])
        out[~fit] = fusion.apply(logits[~fit], same_product[~fit])
    return out
