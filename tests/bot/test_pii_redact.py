"""PII redaction by country, the scorer against hand-computed values, the multi-country dev set,
`shopmate redact` end to end, and no raw PII in the dialogue state."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.pii_score import GoldRow, covered, score_pii
from bot.redact import find_pii, redact, redact_spans
from shopmate.cli import app

PII = Path(__file__).resolve().parents[1] / "data" / "pii"

# (text, expected redaction); each country's usual ways of writing each kind of value
CASES = [
    # US
    ("text me at (415) 867-5309 pls", "text me at [phone] pls"),
    ("cell +1 646-555-0199", "cell [phone]"),
    ("ship to 350 5th Ave, Apt 21B, New York, NY 10118 thx", "ship to [address] thx"),
    ("742 evergreen terrace springfield il 62704", "[address]"),
    ("Amex 3782 822463 10005 declined", "Amex [card] declined"),
    ("USPS 9400 1000 0000 0000 0000 00 shows delivered", None),
    ("UPS 1Z999AA10123456784 late", None),
    ("Order #112-4567890-1234567 placed 12/06/2024 for $1,299.99", None),
    # UK
    ("ring me on 07911 123456", "ring me on [phone]"),
    ("office +44 (0)20 7946 0018", "office [phone]"),
    ("Flat 2, 14 Kings Road, London SW3 4TR", "[address]"),
    ("Best,\nOliver\n37 Park Lane\nBristol\nBS1 5TY", "Best,\nOliver\n[address]"),
    ("refund to GB29 NWBK 6016 1331 9268 19 please", "refund to [iban] please"),
    ("Royal Mail RR123456785GB, Nectar card 9826 3000 1234 5678 901", None),
    # DE
    ("Meine Nummer: 0171/7037409", "Meine Nummer: [phone]"),
    ("Tel. +49 (0)89 12345678", "Tel. [phone]"),
    ("Lieferadresse: Lindenweg 7, Whg. 4, 50667 Köln", "Lieferadresse: [address]"),
    ("Bahnhofstr. 5a\n80335 München", "[address]"),
    ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [iban]"),
    ("Bestellnummer 4711-2024-0815 vom 06.12.2024", None),
    ("Gutscheincode 8841-2290-7713, Payback-Nr. 3083 1234 56", None),
    ("DHL Sendungsnummer 00340434161094015902", None),
    # FR
    ("mon portable : 06 12 34 56 78", "mon portable : [phone]"),
    ("tél 01.42.68.53.00", "tél [phone]"),
    ("livrez au 5 bis avenue Jean Jaurès, Appt 12, 69007 Lyon svp", "livrez au [address] svp"),
    ("Bât. B, 14 boulevard Voltaire, 75011 Paris", "[address]"),
    ("RIB : FR76 3000 6000 0112 3456 7890 189", "RIB : [iban]"),
    ("commande n° 1234567890 du 06/12/2024, 129,00 €", None),
    ("carte fidélité 2913 4567 8912", None),
    # CN
    ("我的手机号是13812345678，谢谢", "我的手机号是[phone]，谢谢"),
    ("电话138-1234-5678", "电话[phone]"),
    ("邮箱zhangwei88@163.com谢谢", "邮箱[email]谢谢"),
    ("请寄到北京市朝阳区建国路88号SOHO现代城2号楼1203室，谢谢", "请寄到[address]，谢谢"),
    ("地址：广东省深圳市南山区科苑路15号，邮编518057", "地址：[address]"),
    ("银联卡号6222 0212 3456 7890 128", "银联卡号[card]"),
    ("订单号202412061234567890还没发货", None),
    ("会员号88012345678，2024年12月6日下单，¥1299", None),
    # IN
    ("mera number 98765 43210 hai", "mera number [phone] hai"),
    ("landline 022-2345 6789", "landline [phone]"),
    (
        "Flat No. 302, Sai Residency, Sector 17, Vashi, Navi Mumbai, Maharashtra 400703",
        "[address]",
    ),
    ("deliver at H.No. 4-5-67, Banjara Hills, Hyderabad 500034 pls", "deliver at [address] pls"),
    ("मेरा पता: मकान नं. 12, गांधी नगर, जयपुर, राजस्थान 302015", "मेरा पता: [address]"),
    ("Order ID OD428517349126755100, price ₹12,499", None),
    # product text (seen in real shop passages)
    ("80GB Parallel ATA drive, 1.80GHz Intel", None),
    ("my 2 TB external drive broke", None),
    ("About 4.45 kg (4.454244 kg), from 2015-2020, for a 750/1000 piece puzzle", None),
    ("featuring 601 pieces, measuring 7” x 7”, over 100 square feet of climbing area", None),
    ("I need help cancelling purchase 3707955617", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_country(text: str, expected: str | None) -> None:
    # None: a hard negative, to be left exactly as it is
    assert redact(text) == (text if expected is None else expected)


def test_spans_are_code_point_offsets_with_labels() -> None:
    text = "邮箱zhang@163.com电话13812345678 IBAN DE89370400440532013000 card 4111111111111111"
    r = redact_spans(text)
    assert [(text[s.start : s.end], s.label) for s in r.spans] == [
        ("zhang@163.com", "EMAIL"),
        ("13812345678", "PHONE"),
        ("DE89370400440532013000", "IBAN"),
        ("4111111111111111", "CARD"),
    ]
    assert r.redacted == "邮箱[email]电话[phone] IBAN [iban] card [card]"


def test_checksums_decide_cards_and_ibans() -> None:
    assert find_pii("card 4111 1111 1111 1112") == []  # Luhn fails
    # mod-97 fails: not an IBAN (its digits may still read as a phone number with 0044)
    assert "IBAN" not in {s.label for s in find_pii("IBAN DE89 3704 0044 0532 0130 01")}
    assert [s.label for s in find_pii("card 4111 1111 1111 1111")] == ["CARD"]


def test_default_region_reads_national_numbers_of_that_country() -> None:
    brazil = "pls (11) 91234-5678"  # a São Paulo mobile; its area code is lost without BR
    assert redact(brazil) == "pls (11) [phone]"
    assert redact(brazil, "BR") == "pls [phone]"
    with pytest.raises(ValueError, match="unknown region"):
        redact("x", "XX")


# ---------------------------------------------------------------- the scorer, by hand


def test_covered() -> None:
    assert covered(2, 6, [(0, 3, "A"), (3, 6, "B")])
    assert not covered(2, 6, [(0, 3, "A"), (4, 6, "B")])
    assert not covered(2, 6, [(3, 9, "A")])
    assert covered(2, 6, [(2, 6, "A")])


def test_score_against_hand_computed_values() -> None:
    gold = [
        #          0         1         2         3
        #          0123456789012345678901234567890123456789
        GoldRow(
            "a@b.co 0171 7037409 order 123",
            [(0, 6, "EMAIL"), (7, 19, "PHONE")],
            [(26, 29, "order")],
        ),
        GoldRow("12 Mill Lane, Leeds LS6 2AB", [(0, 27, "ADDRESS")]),
        GoldRow("no pii 06.12.2024", [], [(7, 17, "date")]),
    ]
    preds = [
        [(0, 6, "EMAIL"), (7, 19, "PHONE"), (26, 29, "PHONE")],  # one negative touched
        [(0, 12, "ADDRESS")],  # street only: the address is not found
        [],
    ]
    sc = score_pii(gold, preds)
    assert sc.found == {"EMAIL": 1, "PHONE": 1, "ADDRESS": 0}
    assert sc.total == {"EMAIL": 1, "PHONE": 1, "ADDRESS": 1}
    assert sc.recall == {"EMAIL": 1.0, "PHONE": 1.0, "ADDRESS": 0.0}
    assert sc.overall_recall == pytest.approx(2 / 3)
    assert (sc.negatives_touched, sc.negatives_total) == (1, 2)
    assert sc.touched_share == 0.5
    assert sc.missed == [("ADDRESS", "12 Mill Lane, Leeds LS6 2AB")]
    # covered but still present in the redacted text: not found
    again = score_pii(gold[:1], preds[:1], ["a@b.co [phone] order [phone]"])
    assert again.found["EMAIL"] == 0 and again.found["PHONE"] == 1
    with pytest.raises(ValueError):
        score_pii(gold, preds[:2])


# ---------------------------------------------------------------- the multi-country set


def _load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (PII / name).read_text(encoding="utf-8").splitlines()]


def test_the_sets_are_big_and_varied() -> None:
    rows = _load("dev.jsonl") + _load("heldout.jsonl")
    assert len(rows) >= 500
    assert {"US", "GB", "DE", "FR", "CN", "IN"} <= {r["country"] for r in rows}
    assert len({r["lang"] for r in rows}) >= 5
    assert sum(len(r["negatives"]) for r in rows) >= 300
    for r in rows:  # every span lies inside its text
        assert all(0 <= s < e <= len(r["text"]) for s, e, _ in r["spans"] + r["negatives"])


def test_dev_set_meets_the_bars() -> None:
    rows = _load("dev.jsonl")
    gold = [GoldRow(r["text"], r["spans"], r["negatives"]) for r in rows]
    out = [redact_spans(g.text) for g in gold]
    sc = score_pii(
        gold, [[(s.start, s.end, s.label) for s in o.spans] for o in out], [o.redacted for o in out]
    )
    for label in ("EMAIL", "PHONE", "CARD", "IBAN"):
        assert sc.recall[label] >= 0.95, (label, sc.missed[:10])
    assert sc.recall["ADDRESS"] >= 0.90, sc.missed[:10]
    assert sc.touched_share <= 0.02, sc.touched


# ---------------------------------------------------------------- shopmate redact


def test_cli_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    texts = ["call 0171/7037409 re Bestellnummer 4711-2024-0815", "邮箱zhang@163.com谢谢", "no pii"]
    src.write_text(
        "".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(texts)) + "\n"
    )
    out = tmp_path / "sub" / "out.jsonl"
    res = CliRunner().invoke(
        app, ["redact", "--jsonl", str(src), "--out", str(out), "--no-progress"]
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["text"] for r in rows] == texts and [r["id"] for r in rows] == [0, 1, 2]
    assert rows[0]["redacted"] == "call [phone] re Bestellnummer 4711-2024-0815"
    assert rows[0]["spans"] == [[5, 17, "PHONE"]]
    assert rows[1]["spans"] == [[2, 15, "EMAIL"]] and rows[2]["spans"] == []
    for r in rows:  # replacing each span by its token gives the redacted text
        text, parts, last = r["text"], [], 0
        for s, e, label in r["spans"]:
            parts += [text[last:s], f"[{label.lower()}]"]
            last = e
        assert "".join([*parts, text[last:]]) == r["redacted"]
    assert "3 lines redacted" in res.output


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('["a list"]', "line 2: a JSON list, not an object"),
        ('{"txt": "typo"}', 'line 2: "text" is missing'),
        ('{"text": 5}', 'line 2: "text" is a int'),
    ],
)
def test_cli_bad_line_names_it_and_writes_nothing(tmp_path: Path, line: str, says: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "mail ann@example.com"}\n' + line + "\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["redact", "--jsonl", str(src), "--out", str(out)])
    assert res.exit_code == 2
    flat = " ".join(res.output.split())
    assert says in flat and 'string field "text"' in flat and "nothing was written" in flat
    assert "ann@example.com" not in res.output  # the error never echoes the data
    assert list(tmp_path.iterdir()) == [src]  # no output, no temp file left


def test_cli_help_says_what_it_takes() -> None:
    res = CliRunner().invoke(app, ["redact", "--help"])
    flat = " ".join(res.output.split())
    assert res.exit_code == 0 and "--jsonl" in flat and "--out" in flat and "ADDRESS" in flat


# ---------------------------------------------------------------- nothing raw in the session state


def test_session_state_keeps_the_search_redacted(services) -> None:  # type: ignore[no-untyped-def]
    s = uuid.uuid4().hex
    r = services.engine.respond(
        s, None, "show me tents for camping, reply to jo.bloggs@example.com or 07911 123456"
    )
    assert r.action == "search"
    stored = services.engine.state(s).to_json()
    assert "jo.bloggs@example.com" not in stored and "07911 123456" not in stored
    assert "[email]" in stored and "[phone]" in stored


def test_nothing_raw_reaches_a_remote_model() -> None:
    from langchain_core.messages import HumanMessage

    from bot.remote_llm import OpenAICompatibleChatModel
    from tests.fake_openai import fake_openai_server

    values = ["13812345678", "Lindenweg 7, Whg. 4, 50667 Köln", "DE89 3704 0044 0532 0130 00"]
    message = f"手机{values[0]}，ship to {values[1]}, refund to {values[2]}"
    with fake_openai_server() as (url, requests):
        chat = OpenAICompatibleChatModel(base_url=url)
        chat.invoke([HumanMessage(message)])
    sent = json.dumps(requests, ensure_ascii=False)
    assert requests and not any(v in sent for v in values)
    assert "[phone]" in sent and "[address]" in sent and "[iban]" in sent
