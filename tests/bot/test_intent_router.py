"""The shop-intent router on the real MiniLM with the head trained from bot/data/shop_intents.jsonl.

The messages below are not in the training examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.intents import SHOP_INTENTS, IntentRouter
from shopmate.intent_model import shop_intent_classifier


@pytest.fixture(scope="module")
def router(embedder, tmp_path_factory: pytest.TempPathFactory) -> IntentRouter:  # type: ignore[no-untyped-def]
    return IntentRouter(shop_intent_classifier(tmp_path_factory.mktemp("models"), embedder))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how much does delivery to Ireland cost", "shipping"),
        ("can I change the password on my account", "account"),
        ("what time does your support team open on Saturdays?", "contact"),
        ("do you accept Amex", "payment"),
        ("the parcel I ordered on Monday hasn't come", "order_status"),
        ("please cancel the order I placed this morning", "cancel_order"),
        ("the boots don't fit, how do I send them back?", "return_refund"),
        ("is the down jacket machine washable", "product_question"),
        ("looking for a present for a 6 year old who loves camping", "recommendation"),
        ("I'm after a lightweight two-person tent", "product_search"),
        # product words that look like another intent, everyday uses, loyalty points
        ("any over-ear headphones that cancel out engine noise?", "product_search"),
        ("I'd like a backpack for cycling to uni", "product_search"),
        ("do I earn points on sale items?", "payment"),
        ("I want to speak to a real person", "human_agent"),
        ("absolutely appalling, the seams split on day one", "complaint"),
        ("hiya", "small_talk"),
        ("who is the president of France", "out_of_scope"),
    ],
)
def test_unseen_messages(router: IntentRouter, text: str, intent: str) -> None:
    assert router.classify(text).intent == intent


def test_scores_are_probabilities_over_every_shop_intent(router: IntentRouter) -> None:
    scores = router.scores("where is my parcel")
    assert set(scores) == set(SHOP_INTENTS)
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-4)


def test_the_head_is_trained_once_and_reused(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop_intent_classifier(tmp_path, embedder)
    folders = list(tmp_path.glob("shop-intents-*"))
    assert len(folders) == 1
    stamp = (folders[0] / "head.npz").stat().st_mtime_ns
    shop_intent_classifier(tmp_path, embedder)
    assert (folders[0] / "head.npz").stat().st_mtime_ns == stamp


def test_an_intent_head_is_kept_per_embedder(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    # a head reads the vectors of the embedder it was trained with: another one retrains
    import shutil

    from bot.intents import SHOP_INTENT_DATA
    from retrieval.embedder import Embedder
    from shopmate.intent_model import head_dir

    copy = tmp_path / "minilm-copy"
    shutil.copytree(embedder.model_path, copy)
    assert head_dir(tmp_path, SHOP_INTENT_DATA, Embedder(copy)) == head_dir(
        tmp_path, SHOP_INTENT_DATA, embedder
    )  # same weights, same head
    (copy / "config.json").write_text((copy / "config.json").read_text() + "\n")
    assert Embedder(copy).fingerprint != embedder.fingerprint
    assert head_dir(tmp_path, SHOP_INTENT_DATA, Embedder(copy)) != head_dir(
        tmp_path, SHOP_INTENT_DATA, embedder
    )
