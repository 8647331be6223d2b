"""The dialogue engine on the demo shop: memory across turns and restarts, handoff, silence."""

from __future__ import annotations

import uuid

from bot.engine import ChatEngine, MessageError


def sid() -> str:
    return uuid.uuid4().hex


def test_follow_ups_resolve_against_the_product_in_focus(services) -> None:  # type: ignore[no-untyped-def]
    e: ChatEngine = services.engine
    s = sid()
    found = e.respond(s, None, "I need waterproof rain trousers under £100")
    assert found.action == "search" and found.products
    assert all(p.price <= 100 for p in found.products)
    first = services.repo.get_product(found.products[0].id)
    colours = next(v for k, v in first.attributes.items() if "colo" in k)
    asked = colours.split(",")[0].strip()
    follow = e.respond(s, None, f"does it come in {asked}?")
    assert follow.action == "answer" and follow.reply.startswith("Yes")
    assert follow.citations[0].id == first.id and follow.citations[0].source == "catalog"


def test_a_product_page_puts_its_product_in_focus(services) -> None:  # type: ignore[no-untyped-def]
    # the widget on a product page sends that product: "does it come in ...?" is about it
    e: ChatEngine = services.engine
    page = next(p for p in services.repo.all_products() if any("colo" in k for k in p.attributes))
    colours = next(v for k, v in page.attributes.items() if "colo" in k)
    asked = colours.split(",")[0].strip()
    r = e.respond(sid(), None, f"does it come in {asked}?", product_id=page.id)
    assert r.action == "answer" and r.reply.startswith("Yes")
    assert r.citations[0].id == page.id and r.citations[0].source == "catalog"


def test_state_survives_a_restart(services) -> None:  # type: ignore[no-untyped-def]
    from shopmate.wiring import build_services

    s = sid()
    services.engine.respond(s, "u0002", "show me tents for camping")
    before = services.engine.state(s)
    assert before.product_in_focus and before.last_products
    restarted = build_services(services.settings, embedder=services.embedder).engine
    after = restarted.state(s)
    assert after == before
    cheaper = restarted.respond(s, "u0002", "and the cheaper one?")
    assert cheaper.action == "cheaper"
    shown = services.repo.get_products(before.last_products)
    focus = shown[before.product_in_focus]
    # a cheaper tent than the one in focus, or an honest "already the cheapest"
    assert all(
        p.price < focus.price and p.reason.startswith("cheaper than") for p in cheaper.products
    )
    assert cheaper.products or "already the cheapest" in cheaper.reply


def test_person_takes_over_bot_stays_silent_then_resolves(services) -> None:  # type: ignore[no-untyped-def]
    e: ChatEngine = services.engine
    s = sid()
    r = e.respond(s, None, "I want to talk to a human")
    assert r.handoff and r.handoff_state == "requested" and s in e.queue()
    e.take(s)
    packet = e.packet(s)
    assert packet.state == "human" and "talk to a human" in packet.summary
    quiet = e.respond(s, None, "hello? what is your return policy?")
    assert quiet.reply == "" and quiet.handoff_state == "human"
    e.agent_reply(s, "Hi, this is Sam from Northwind. How can I help?")
    e.resolve(s)
    assert s not in e.queue()
    after = e.respond(s, None, "what is your return policy?")
    assert after.handoff_state == "none" and after.citations
    roles = [role for role, _ in services.repo.transcript(s)]
    assert roles.count("agent") == 1 and "system" in roles


def test_agent_cannot_reply_without_taking(services) -> None:  # type: ignore[no-untyped-def]
    import pytest

    s = sid()
    services.engine.respond(s, None, "hello")
    with pytest.raises(MessageError, match="take the conversation"):
        services.engine.agent_reply(s, "hi")


def test_no_suggestions_in_a_complaint(services) -> None:  # type: ignore[no-untyped-def]
    r = services.engine.respond(
        sid(), "u0003", "my new boots leak and I'm disappointed, how do I get a refund?"
    )
    assert r.products == [] and r.action in {"complaint", "answer"}


def test_langchain_tools_have_schemas(services) -> None:  # type: ignore[no-untyped-def]
    tools = {t.name: t for t in services.engine.tools.as_langchain()}
    assert set(tools) == {
        "search_products",
        "recommend",
        "order_status",
        "cancel_order",
        "start_return",
        "faq_answer",
    }
    out = tools["order_status"].invoke({"order_id": "o10001", "user_id": "nobody"})
    assert out.ok is False and "can't find" in out.message  # someone else's order stays private
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        tools["order_status"].invoke({"order_id": "DROP TABLE", "user_id": "u1"})
