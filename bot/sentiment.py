"""A light lexicon sentiment score in [-1, 1] per message; feeds suggestion timing and handoff.

Negation flips the next sentiment word; intensifiers and exclamation marks strengthen.
"""

from __future__ import annotations

import math
import re

NEGATIVE = {
    "worst": 1.0,
    "terrible": 1.0,
    "awful": 1.0,
    "horrible": 1.0,
    "furious": 1.0,
    "scam": 1.0,
    "disgusting": 1.0,
    "unacceptable": 1.0,
    "ridiculous": 0.8,
    "angry": 0.8,
    "useless": 0.8,
    "disappointed": 0.7,
    "disappointing": 0.7,
    "rubbish": 0.8,
    "broken": 0.5,
    "broke": 0.5,
    "leak": 0.4,
    "leaks": 0.4,
    "leaking": 0.4,
    "wrong": 0.4,
    "late": 0.3,
    "never": 0.3,
    "damaged": 0.5,
    "poor": 0.6,
    "bad": 0.6,
    "hate": 0.9,
    "unhappy": 0.7,
    "annoyed": 0.6,
    "fed up": 0.8,
    "complain": 0.5,
    "complaint": 0.5,
    "missing": 0.3,
    "fell apart": 0.8,
    "waste": 0.6,
    "sucks": 0.8,
    "shocking": 0.8,
}
POSITIVE = {
    "great": 0.7,
    "thanks": 0.4,
    "thank": 0.4,
    "love": 0.8,
    "perfect": 0.8,
    "excellent": 0.9,
    "amazing": 0.9,
    "happy": 0.6,
    "good": 0.4,
    "nice": 0.4,
    "brilliant": 0.8,
    "helpful": 0.6,
    "awesome": 0.8,
    "fantastic": 0.9,
    "cool": 0.3,
}
NEGATIONS = {"not", "no", "never", "n't", "isn't", "wasn't", "don't", "doesn't", "didn't", "hardly"}
INTENSIFIERS = {
    "very": 1.4,
    "really": 1.3,
    "so": 1.3,
    "extremely": 1.6,
    "absolutely": 1.5,
    "totally": 1.4,
}
_TOKEN = re.compile(r"[a-z']+|!")


def sentiment(text: str) -> float:
    """Negative below 0, positive above; -0.75 or lower is strongly negative."""
    low = text.lower()
    score = 0.0
    for phrase in ("fed up", "fell apart"):
        if phrase in low:
            score -= NEGATIVE[phrase]
    tokens = _TOKEN.findall(low)
    negate, boost = False, 1.0
    for tok in tokens:
        if tok == "!":
            score *= 1.15
            continue
        if tok in NEGATIONS or tok.endswith("n't"):
            negate = True
            continue
        if tok in INTENSIFIERS:
            boost = INTENSIFIERS[tok]
            continue
        value = POSITIVE.get(tok, 0.0) - NEGATIVE.get(tok, 0.0)
        if value:
            score += (-value if negate else value) * boost
            negate, boost = False, 1.0
    if text.isupper() and len(text) > 8:
        score -= 0.45  # SHOUTING
    return math.tanh(score / 1.5)  # several strong words saturate towards -1 / 1


ANGER_MIN = (
    1.0  # lexicon weight of words that on their own mean "get me a person" (furious, scam, worst)
)


def is_angry(text: str) -> bool:
    """True when the message uses a word of strong anger that is not negated."""
    negate = False
    for tok in _TOKEN.findall(text.lower()):
        if tok in NEGATIONS or tok.endswith("n't"):
            negate = True
            continue
        if NEGATIVE.get(tok, 0.0) >= ANGER_MIN and not negate:
            return True
        if tok in NEGATIVE or tok in POSITIVE:
            negate = False
    return False
