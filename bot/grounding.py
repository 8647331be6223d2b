"""Grounded replies: the prompt, citation parsing, the support check and second tries.

A chat model (SmolLM2, a LoRA-tuned SmolLM2, or any OpenAI-compatible server behind
LangChain's BaseChatModel) words a reply from numbered passages and must cite them as
[1], [2]. The reply is kept only when it cites a passage it was given, when most of its
content words are found in the passages it cites (`min_support`), when every number in
it (a price, a size, a count) appears in those passages, when no clause of it drops or
adds a negation to the passage line it comes from, and when it does not repeat the
instructions. A reply that fails gets a second try: a few sampled replies from the same
prompt, of which the one that passes the check and agrees most with the others is kept
(`second_try`). Otherwise the answerer (bot/answerer.py, `Answerer.reply_from`) quotes the
best passage, or, when no passage was trusted, offers a person.

    messages = prompt_messages("does it have a usb port?", ["it has two usb ports.", ...])
    check("Yes, two USB ports [1].", ["it has two usb ports."]).ok   # True
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from bot.llm import sample_replies
from bot.passage_units import overlap, units
from retrieval.bm25 import Tokenizer
from retrieval.chunking import split_sentences

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are a shop's customer-service assistant. Answer the question in one or two short "
    "sentences using ONLY the numbered passages, and cite the passage you used like [1]. "
    "If the passages do not answer it, say you don't know."
)
MAX_QUESTION_CHARS = 600  # longer questions are cut before they reach a model
# words each passage may take in the prompt, by its place (the first, the best ranked, gets
# most); a longer passage is cut to the sentences (list items, table rows) that answer the
# question. The prompt's length is most of the local generator's time to the first token
# (1-2 ms per prompt token on an AVX2 core); on the dev shops the generator's replies were
# right as often as with each passage's first 80 words (docs/benchmarks.md, "Generator
# decoding per CPU")
PASSAGE_WORDS = (40, 20, 20)
MAX_PASSAGE_WORDS = max(PASSAGE_WORDS)  # no passage is longer than this in the prompt
# sampled replies drawn when a fine-tuned generator's first reply fails the check: 6 was
# chosen on held-out training questions. The base model fails the check on most replies,
# and its sampled ones score below the quoted passage, so it gets none by default
# (docs/benchmarks.md, "Fine-tuned QA")
SECOND_TRIES = 6


def default_second_tries(fine_tuned: bool) -> int:
    """Second tries a generator gets unless told otherwise: SECOND_TRIES when fine-tuned."""
    return SECOND_TRIES if fine_tuned else 0


_CITE = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EXEMPT = {"yes", "no", "not", "sure", "sorry", "know", "don", "t", "s", "also", "yeah"}


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return Tokenizer()


def content_words(text: str) -> list[str]:
    """Stemmed content words (stop words, citation markers and yes/no words dropped)."""
    tok = _tokenizer()
    exempt = {w for e in _EXEMPT for w in tok(e)} | _EXEMPT
    return [w for w in tok(_CITE.sub(" ", text)) if w not in exempt]


def clip_question(question: str) -> str:
    q = " ".join(question.split())
    return q if len(q) <= MAX_QUESTION_CHARS else q[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0]


def passage_words(place: int) -> int:
    """Words the passage at 0-based `place` in the prompt may take (PASSAGE_WORDS)."""
    return PASSAGE_WORDS[min(place, len(PASSAGE_WORDS) - 1)]


def clip_passage(
    text: str,
    question: str = "",
    words: int = MAX_PASSAGE_WORDS,
    scores: Sequence[float] | None = None,
) -> str:
    """The passage as a generator reads it: whole (whitespace collapsed) when it has at most
    `words` words, else its units (bot.passage_units: sentences, list items, table rows)
    that answer `question` best, in reading order, as many as fit in `words`, then " …".
    `scores` ranks the units (one per unit of `units(text)`; the bot passes its own cosine
    and word-overlap scores), else the share of the question's words each unit holds;
    ties go to the earlier unit. Without a question the passage's first words are kept."""
    flat = text.split()
    if len(flat) <= words:
        return " ".join(flat)
    parts = [t for t, _ in units(text)]
    if not question or len(parts) < 2:
        return " ".join(flat[:words]) + " …"
    if scores is None or len(scores) != len(parts):
        scores = overlap(question, parts).tolist()
    sizes = [len(t.split()) for t in parts]
    keep: list[int] = []
    used = 0
    for i in sorted(range(len(parts)), key=lambda i: (-scores[i], i)):
        if used + sizes[i] <= words:
            keep.append(i)
            used += sizes[i]
    if not keep:  # the best unit alone is longer than the budget: its first words
        best = max(range(len(parts)), key=lambda i: (scores[i], -i))
        return " ".join(parts[best].split()[:words]) + " …"
    return " ".join(" ".join(parts[i].split()) for i in sorted(keep)) + " …"


def prompt_messages(question: str, passages: Sequence[str]) -> list[BaseMessage]:
    """The messages a generator sees; the same in fine-tuning and in serving. Each passage
    is clipped to its place's words (`passage_words`) by `clip_passage`."""
    numbered = "\n".join(
        f"[{i}] {clip_passage(p, question, passage_words(i - 1))}"
        for i, p in enumerate(passages, 1)
    )
    return [
        SystemMessage(SYSTEM_PROMPT),
        HumanMessage(f"Passages:\n{numbered}\n\nQuestion: {clip_question(question)}"),
    ]


def cited_passages(text: str, n_passages: int) -> list[int]:
    """0-based indices of the passages a reply cites, in order of first citation."""
    out: list[int] = []
    for m in _CITE.findall(text):
        i = int(m) - 1
        if 0 <= i < n_passages and i not in out:
            out.append(i)
    return out


def support(text: str, passages: Sequence[str]) -> float:
    """Share of the reply's content words found in the given passages (1.0 when it has none)."""
    words = content_words(text)
    if not words:
        return 1.0
    known = {w for p in passages for w in content_words(p)}
    return sum(w in known for w in words) / len(words)


def unsupported_numbers(text: str, passages: Sequence[str]) -> list[str]:
    """Numbers in the reply (prices, sizes, counts, days) that none of the passages contains."""
    known = {n.replace(",", "") for p in passages for n in _NUMBER.findall(_CITE.sub(" ", p))}
    return [n for n in _NUMBER.findall(_CITE.sub(" ", text)) if n.replace(",", "") not in known]


def leaks_prompt(text: str, min_words: int = 6) -> bool:
    """True when the reply repeats a run of `min_words` words of the instructions."""
    prompt = SYSTEM_PROMPT.lower().split()
    reply = " ".join(text.lower().split())
    return any(
        " ".join(prompt[i : i + min_words]) in reply for i in range(len(prompt) - min_words + 1)
    )


_NEGATORS = {"not", "no", "never", "none", "nor", "cannot", "without", "neither", "false"}
_WORD = re.compile(r"[a-z0-9]+n't\b|[a-z0-9]+", re.IGNORECASE)
_CLAUSE = re.compile(r"[,;:()]|\bas well as\b|\bbut\b")
_ANSWER_WORD = re.compile(r"^\s*(?:no|nope|yes)\s*[,.!;:-]\s*", re.IGNORECASE)


def _tokens(sentence: str) -> list[tuple[str | None, bool]]:
    """(stem or None for stop words, is a negation) per word of the sentence."""
    tok = _tokenizer()
    out: list[tuple[str | None, bool]] = []
    sentence = _ANSWER_WORD.sub(
        "", sentence
    )  # "no, you must buy it separately": answers the question
    for w in _WORD.findall(sentence.lower().replace("’", "'")):
        if w in _NEGATORS or w.endswith("n't"):
            out.append((w, True))
        else:
            stems = tok(w)
            out.append((stems[0] if stems else None, False))
    return out


def _negated_near(tokens: list[tuple[str | None, bool]], words: set[str], window: int = 5) -> bool:
    """A negation followed within `window` words by one of `words` ("false" also counts
    after them: "batteries_required: false")."""
    for i, (stem, neg) in enumerate(tokens):
        if not neg:
            continue
        after = tokens[i + 1 : i + 1 + window]
        before = tokens[max(0, i - window) : i] if stem == "false" else []
        if any(t in words for t, _ in after + before):
            return True
    return False


def flipped_claims(text: str, passages: Sequence[str], min_shared: int = 2) -> list[str]:
    """Clauses of the reply that say the opposite of the passage sentence they come from.

    Small models drop negations ("We do not accept cash on delivery, cheques or
    cryptocurrency" becomes "... as well as cash on delivery, cheques and cryptocurrency"),
    which a word-overlap check cannot see. Each clause of the reply is matched with the
    passage sentence sharing most content words with it (at least `min_shared`); each side
    counts as negated when a negation stands just before those shared words. When exactly
    one side is negated, the clause is returned."""
    sentences = [
        _tokens(x) for p in passages for line in p.splitlines() for x in split_sentences(line)
    ]
    stems = [{t for t, _ in toks if t} for toks in sentences]
    flips = []
    for sentence in split_sentences(_CITE.sub(" ", text)):
        reply_tokens = _tokens(sentence)
        for clause in _CLAUSE.split(sentence):
            words = set(content_words(clause))
            if len(words) < min_shared or not sentences:
                continue
            best = max(range(len(sentences)), key=lambda i: len(words & stems[i]))
            shared = words & stems[best]
            if len(shared) < min_shared:
                continue
            if _negated_near(reply_tokens, shared) != _negated_near(sentences[best], shared):
                flips.append(clause.strip())
    return flips


@dataclass(frozen=True)
class GroundingCheck:
    cited: list[int]  # 0-based passage indices
    support: float  # share of content words found in the cited passages
    unsupported_numbers: list[str]
    leaks_prompt: bool
    ok: bool
    flipped: list[str] = field(default_factory=list)  # clauses that negate their source


def check(text: str, passages: Sequence[str], min_support: float = 0.7) -> GroundingCheck:
    cited = cited_passages(text, len(passages))
    sources = [passages[i] for i in cited]
    s = support(text, sources) if cited else 0.0
    numbers = unsupported_numbers(text, sources) if cited else []
    flips = flipped_claims(text, sources) if cited else []
    leak = leaks_prompt(text)
    ok = bool(cited) and s >= min_support and not numbers and not flips and not leak
    return GroundingCheck(cited, s, numbers, leak, ok, flips)


_WORD = re.compile(r"[a-z0-9]+")


def agreement(a: str, b: str) -> float:
    """Token F1 of two replies' words (lower-cased, citations and "a/an/the" dropped)."""
    wa, wb = (
        Counter(w for w in _WORD.findall(_CITE.sub(" ", t.lower())) if w not in ("a", "an", "the"))
        for t in (a, b)
    )
    common = sum((wa & wb).values())
    return 0.0 if common == 0 else 2 * common / (sum(wa.values()) + sum(wb.values()))


def second_try(
    chat_model: BaseChatModel,
    messages: list[BaseMessage],
    passages: Sequence[str],
    first: str,
    n: int = SECOND_TRIES,
    min_support: float = 0.7,
    stop: list[str] | None = None,
) -> tuple[str, GroundingCheck] | None:
    """For a first reply that failed the check: `n` replies sampled from the same prompt
    (one batch for the local model). Of those that pass the check, the one that agrees most
    with everything the model wrote, the failed first reply included, is kept: what a
    model keeps coming back to is what it is surest of. None when none passes."""
    if n <= 0:
        return None
    try:
        texts = [t.strip() for t in sample_replies(chat_model, messages, n, stop)]
    except Exception:  # a remote model being down must not take the bot down
        log.exception("chat model failed on the second try; answering extractively")
        return None
    pool = [*texts, first.strip()]
    best: tuple[float, str, GroundingCheck] | None = None
    for i, text in enumerate(texts):
        verdict = check(text, passages, min_support) if text else None
        if verdict is None or not verdict.ok:
            continue
        score = sum(agreement(text, o) for j, o in enumerate(pool) if j != i) / (len(pool) - 1)
        if best is None or score > best[0]:
            best = (score, text, verdict)
    return None if best is None else (best[1], best[2])


def keep_or_retry(
    chat_model: BaseChatModel,
    messages: list[BaseMessage],
    passages: Sequence[str],
    text: str,
    second_tries: int,
    min_support: float = 0.7,
    stop: list[str] | None = None,
) -> tuple[str, GroundingCheck, bool] | None:
    """(reply, its check, whether it is a second try): `text` when it passes the check,
    else the pick of `second_try`; None when neither passes (the caller quotes instead)."""
    verdict = check(text, passages, min_support)
    if verdict.ok:
        return text, verdict, False
    log.info(
        "generated reply failed the grounding check (cited %s, support %.2f, "
        "unsupported numbers %s); %s",
        verdict.cited,
        verdict.support,
        verdict.unsupported_numbers,
        "trying again" if second_tries else "answering extractively",
    )
    again = second_try(chat_model, messages, passages, text, second_tries, min_support, stop)
    return None if again is None else (*again, True)
