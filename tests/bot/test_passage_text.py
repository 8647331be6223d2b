"""Attribute records in words (bot.passage_text.readable): hand-written expectations."""

from __future__ import annotations

import pytest

from bot.passage_text import readable


@pytest.mark.parametrize(
    ("record", "words"),
    [
        (
            "item_weight: { unit:pounds, normalized_value:{ unit:pounds, value:35.64 }, value:35.64 }",
            "item weight: 35.64 pounds",
        ),
        ("includes_remote: { value:true }", "includes remote: yes"),
        ("is_electric: { value:false }", "is electric: no"),
        (
            "num_batteries: { quantity:3, type:aa }; { quantity:3, type:aaa }",
            "num batteries: 3 aa, 3 aaa",
        ),
        ('color: { value:"white" }', "color: white"),
        ('size: { value:"14\\"" }', 'size: 14"'),
        ("item_weight: { unit:pounds, value:7. }", "item weight: 7 pounds"),
        ('battery: { description:[ { value:"battery_type_c" } ] }', "battery: battery type c"),
        ("platform: { value:xbox_one }", "platform: xbox one"),
        # the same value under several types is said once
        (
            "language: { type:published, value:english }; { type:original, value:english }; "
            "{ type:unknown, value:spanish }",
            "language: english, spanish",
        ),
        # a comma inside a quoted value stays part of it
        (
            'fabric_type: { value:"500 balls required, sold separately" }',
            "fabric type: 500 balls required, sold separately",
        ),
    ],
)
def test_attribute_records_read_as_words(record: str, words: str) -> None:
    assert readable(record) == words


@pytest.mark.parametrize(
    "text",
    [
        "the box contains lego parts, 3 motors and a brick.",
        "note: { this is not a record",  # unbalanced
        "size: { value:12 } and more prose",  # trailing text
        "ratio: {a:1, :2}",  # empty key
        "",
        "tip: {  }",  # nothing to say
    ],
)
def test_anything_else_is_left_as_it_is(text: str) -> None:
    assert readable(text) == text


def test_a_quoted_attribute_reads_as_words(embedder) -> None:  # type: ignore[no-untyped-def]
    # no chat model: the bot quotes its best passage, and the shopper sees words, not a record
    from bot.answerer import Answerer
    from retrieval.store import Hit

    hit = Hit("p0", "includes_remote: { value:true }", 1.0, {}, 1.0)
    r = Answerer(embedder, None).reply_from("is a remote included?", [hit])
    assert r.method == "extractive" and r.text == "includes remote: yes"


def test_the_bots_citations_show_the_words_too() -> None:
    from bot.answerer import citation_of
    from retrieval.store import Hit

    hit = Hit("p1", "num_batteries: { quantity:4, type:aa }", 0.9, {"source": "attributes"})
    assert citation_of(hit).snippet == "num batteries: 4 aa"
