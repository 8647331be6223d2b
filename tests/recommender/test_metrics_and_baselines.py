"""Ranking metrics and the untrained baselines, against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommender.baselines import MeanPool, Popularity, Transitions
from recommender.lexical import Lexicon, recency_profile, tokens
from recommender.metrics import MISS, ndcg_at_k, recall_at_k, summarize, target_ranks


def test_target_rank_counts_better_items_outside_the_history() -> None:
    scores = np.array([[0.1, 0.5, 0.3, 0.9, 0.2]])
    # target 2 (0.3); item 3 (0.9) is in the history and excluded; only item 1 (0.5) beats it
    assert target_ranks(scores, [2], [[3]]).tolist() == [1]
    # without the exclusion item 3 counts too
    assert target_ranks(scores, [2], [[]]).tolist() == [2]


def test_ties_count_against_the_target_and_history_targets_are_misses() -> None:
    flat = np.ones((1, 4))
    assert target_ranks(flat, [0], [[]]).tolist() == [3]  # a constant scorer gets no credit
    assert target_ranks(flat, [1], [[1, 2]]).tolist() == [MISS]  # already seen: excluded
    bad = np.array([[0.2, np.nan, 0.1]])
    assert target_ranks(bad, [1], [[]]).tolist() == [MISS]


def test_target_ranks_does_not_modify_the_scores() -> None:
    s = np.array([[0.3, 0.2, 0.1]])
    target_ranks(s, [1], [[0]])
    assert s.tolist() == [[0.3, 0.2, 0.1]]


def test_recall_and_ndcg_hand_computed() -> None:
    ranks = np.array([0, 1, 5, MISS])
    assert recall_at_k(ranks, 2) == 0.5
    assert recall_at_k(ranks, 10) == 0.75
    # @2: (1/log2(2) + 1/log2(3)) / 4
    assert ndcg_at_k(ranks, 2) == pytest.approx((1 + 1 / math.log2(3)) / 4)
    # @10: rank 5 adds 1/log2(7)
    assert ndcg_at_k(ranks, 10) == pytest.approx((1 + 1 / math.log2(3) + 1 / math.log2(7)) / 4)
    assert summarize(ranks, ks=(2,)) == {
        "recall@2": 0.5,
        "ndcg@2": pytest.approx((1 + 1 / math.log2(3)) / 4),
    }


def test_metric_input_errors() -> None:
    with pytest.raises(ValueError, match="k must be > 0"):
        recall_at_k(np.array([0]), 0)
    with pytest.raises(ValueError, match="k must be > 0"):
        ndcg_at_k(np.array([0]), -1)
    with pytest.raises(ValueError, match="one target and history per row"):
        target_ranks(np.zeros((2, 3)), [0], [[]])
    assert recall_at_k(np.array([], dtype=np.int64), 10) == 0.0


def test_popularity_ranks_by_count() -> None:
    pop = Popularity(np.array([1.0, 5.0, 3.0]))
    ranks = target_ranks(pop.score([[0], [1]]), [2, 2], [[0], [1]])
    assert ranks.tolist() == [1, 0]  # item 1 (5) beats item 2 (3) unless it is in the history


def test_transitions_hand_computed() -> None:
    # 0 -> 1 -> 2 and 0 -> 2: T[0] = (0, .5, .5), T[1] = (0, 0, 1)
    t = Transitions.fit([[0, 1, 2], [0, 2]], 3, window=1, decay=0.5)
    np.testing.assert_allclose(t.trans.toarray(), [[0, 0.5, 0.5], [0, 0, 1], [0, 0, 0]])
    # history [0, 1]: T[1] + 0.5 * T[0] = (0, .25, 1.25), plus a tiny popularity prior
    s = t.score([[0, 1]])[0]
    np.testing.assert_allclose(s - t.prior, [0, 0.25, 1.25])
    assert t.prior.max() < 1e-3
    # window 2 with backward weight: 2 also follows 0 at distance 2 (weight 1/2)
    t2 = Transitions.fit([[0, 1, 2]], 3, window=2, decay=0.0, backward=1.0)
    c = np.array([[0, 1, 0.5], [1, 0, 1], [0.5, 1, 0]])
    np.testing.assert_allclose(t2.trans.toarray(), c / c.sum(axis=1, keepdims=True))


def test_meanpool_is_cosine_to_the_history_mean() -> None:
    items = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    s = MeanPool(items).score([[0, 1]])[0]
    np.testing.assert_allclose(s, [1 / math.sqrt(2), 1 / math.sqrt(2), 1.4 / math.sqrt(2)])


def test_lexicon_tfidf_hand_computed() -> None:
    assert tokens("FlashForge HP-00057, 1.75mm PLA!") == ["flashforge", "hp-00057", "1.75mm", "pla"]
    lex = Lexicon.fit(["red pla", "blue pla"])
    # idf = ln((1 + 2) / (1 + df)) + 1: pla 1.0, red/blue ln(1.5) + 1
    idf = dict(zip(lex.vocab, lex.idf, strict=True))
    assert idf["pla"] == pytest.approx(1.0)
    assert idf["red"] == pytest.approx(math.log(1.5) + 1)
    x = lex.transform(["red pla pla", "unknown words"]).toarray()
    red, pla = (math.log(1.5) + 1), (1 + math.log(2)) * 1.0
    norm = math.hypot(red, pla)
    assert x[0, lex.index["red"]] == pytest.approx(red / norm)
    assert x[0, lex.index["pla"]] == pytest.approx(pla / norm)
    assert not x[1].any()  # words outside the vocabulary: an empty vector, not an error


def test_recency_profile_weights() -> None:
    p = recency_profile([[2, 0, 1]], 3, decay=0.5).toarray()
    np.testing.assert_allclose(p, [[0.5, 1.0, 0.25]])  # newest (1) weighs 1, then 0, then 2
