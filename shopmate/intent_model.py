"""Loading the shop-intent classifier, training it once from the shipped examples if needed.

The artifact lives under `<data_dir>/models/shop-intents-<hash of the examples>`, so
editing the examples retrains on the next start, and an unchanged file never does.
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


def shop_intent_classifier(
    models_dir: Path, embedder: Embedder, data: Path = SHOP_INTENT_DATA
) -> IntentClassifier:
    digest = hashlib.sha1(data.read_bytes()).hexdigest()[:10]
    out = models_dir / f"shop-intents-{digest}"
    if not (out / "head.npz").exists():
        log.info("training the shop-intent head from %s (once)", data.name)
        models_dir.mkdir(parents=True, exist_ok=True)
        train_intents(
            IntentTrainConfig(data=data, out=out, epochs=80, holdout=0.0), embedder, progress=False
        )
    return IntentClassifier.load(out, embedder)
