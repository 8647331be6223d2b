"""A small shop knowledge base and shopper questions in the qa format of DATASETS.md.

Used by the hybrid, evaluation and store contract tests; written to tmp_path by each test.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

SMALL_KB: list[dict[str, str]] = [
    # p1: trail running shoe
    {
        "id": "k1",
        "product_id": "p1",
        "source": "Desc",
        "text": "The Alpine Runner has a Vibram outsole with 5 mm lugs for muddy trails.",
    },
    {
        "id": "k2",
        "product_id": "p1",
        "source": "review",
        "text": "Sizing runs small, so order half a size up from your usual shoes.",
    },
    {
        "id": "k3",
        "product_id": "p1",
        "source": "attribute",
        "text": "Model number XT-4410. Weight 280 g per shoe.",
    },
    {
        "id": "k4",
        "product_id": "p1",
        "source": "CQA",
        "text": "They are not waterproof, but the mesh upper dries quickly after a river crossing.",
    },
    # p2: tent
    {
        "id": "k5",
        "product_id": "p2",
        "source": "Desc",
        "text": "The Summit 2 tent sleeps two people and packs down to 1.9 kg.",
    },
    {
        "id": "k6",
        "product_id": "p2",
        "source": "review",
        "text": "Pitching takes about five minutes thanks to the colour-coded poles.",
    },
    {
        "id": "k7",
        "product_id": "p2",
        "source": "attribute",
        "text": "Flysheet hydrostatic head 3000 mm, fine in heavy rain and strong wind.",
    },
    {
        "id": "k8",
        "product_id": "p2",
        "source": "CQA",
        "text": "Replacement pegs can be ordered from the manufacturer's website.",
    },
    # p3: coffee grinder
    {
        "id": "k9",
        "product_id": "p3",
        "source": "Desc",
        "text": "The burr grinder offers 40 grind settings, from espresso to French press.",
    },
    {
        "id": "k10",
        "product_id": "p3",
        "source": "review",
        "text": "It is quite loud, about as noisy as a kitchen blender.",
    },
    {"id": "k11", "product_id": "p3", "source": "attribute", "text": "Bean hopper capacity 250 g."},
    {
        "id": "k12",
        "product_id": "p3",
        "source": "CQA",
        "text": "The burrs can be taken out for cleaning without any tools.",
    },
]

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "q1",
        "product_id": "p1",
        "question": "will these keep my feet dry in the rain?",
        "evidence_ids": ["k4"],
    },
    {
        "id": "q2",
        "product_id": "p1",
        "question": "should I buy my normal size?",
        "evidence_ids": ["k2"],
    },
    {
        "id": "q3",
        "product_id": "p2",
        "question": "how heavy is the tent to carry?",
        "evidence_ids": ["k5"],
    },
    {
        "id": "q4",
        "product_id": "p2",
        "question": "can the tent handle a storm?",
        "evidence_ids": ["k7"],
    },
    {
        "id": "q5",
        "product_id": "p3",
        "question": "how many coffee beans fit in the hopper?",
        "evidence_ids": ["k11"],
    },
    {"id": "q6", "product_id": "p3", "question": "is the grinder noisy?", "evidence_ids": ["k10"]},
    {
        "id": "q7",
        "product_id": "p1",
        "question": "what does the XT-4410 weigh?",
        "evidence_ids": ["k3"],
    },
]


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(dict(r)) + "\n" for r in rows), encoding="utf-8")
    return path
