"""Loading the shop-intent classifier, training it once from the shipped examples if needed.

The artifact lives under `<data_dir>/models/shop-intents-<hash of the examples and of the
embedder>`, so editing the examples or switching the embedder (SHOPMATE_EMBEDDER_PATH)
retrains on the next start, and an unchanged pair never does.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.intent_classifier import IntentClassifier
from bot.intents import SHOP_INTENT_DATA
from finetune.intents import IntentTrainConfig, train_intents
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)


def head_dir(models_dir: Path, data: Path, embedder: Embedder) -> Path:
    """Where the head for these examples and this embedder lives (a head reads the vectors
    of the embedder it was trained with, and no other)."""
    digest = hashlib.sha1(data.read_bytes() + embedder.fingerprint.encode()).hexdigest()[:10]
    return models_dir / f"shop-intents-{digest}"


def shop_intent_classifier(
    models_dir: Path, embedder: Embedder, data: Path = SHOP_INTENT_DATA
) -> IntentClassifier:
    out = head_dir(models_dir, data, embedder)
    if not (out / "head.npz").exists():
        log.info("training the shop-intent head from %s (once)", data.name)
        models_dir.mkdir(parents=True, exist_ok=True)
        train_intents(
            IntentTrainConfig(data=data, out=out, epochs=80, holdout=0.0), embedder, progress=False
        )
    return IntentClassifier.load(out, embedder)
