"""The user-vector maths, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.user_vector import event_weights, top_contributor, user_vector


def test_event_weights_by_type_and_half_life() -> None:
    w = event_weights(
        ["view", "add_to_cart", "purchase", "view"], [0, 0, 14, 28], half_life_days=14
    )
    np.testing.assert_allclose(w, [1.0, 2.0, 1.5, 0.25])


def test_negative_ages_count_as_now_and_bad_input_is_refused() -> None:
    np.testing.assert_allclose(event_weights(["view"], [-3.0]), [1.0])
    with pytest.raises(ValueError, match="half_life_days must be > 0"):
        event_weights(["view"], [1.0], half_life_days=0)
    with pytest.raises(ValueError, match="same length"):
        event_weights(["view", "view"], [1.0])


def test_user_vector_is_normalised_weighted_mean() -> None:
    items = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    v = user_vector(items, np.array([3.0, 1.0]))
    assert v is not None
    # mean = (0.75, 0.25); normalised = (3, 1) / sqrt(10)
    np.testing.assert_allclose(v, np.array([3.0, 1.0]) / np.sqrt(10), rtol=1e-6)


def test_user_vector_none_without_history() -> None:
    assert user_vector(np.zeros((0, 2)), np.zeros(0)) is None
    assert user_vector(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1.0, 1.0])) is None


def test_top_contributor_weighs_similarity_by_event_weight() -> None:
    items = np.array([[1.0, 0.0], [0.6, 0.8]])
    cand = np.array([1.0, 0.0])
    assert top_contributor(cand, items, np.array([1.0, 1.0])) == 0  # 1.0 vs 0.6
    assert top_contributor(cand, items, np.array([1.0, 2.0])) == 1  # 1.0 vs 1.2
