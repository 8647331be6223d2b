"""The /v1 routes: thin — validate, call one domain method, map to a wire schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth import Admin, Caller, Reader, Svc
from api.errors import is_outage, unavailable_detail
from api.identity import check_session, guest_order, identify
from api.schemas import (
    HASH_PATTERN,
    ID_PATTERN,
    MAX_ROW_ID,
    AgentReply,
    ChatRequest,
    ChatResponse,
    CitationOut,
    EventRequest,
    EventResponse,
    FeedbackRequest,
    FeedbackResponse,
    ForgetResponse,
    HandoffOut,
    Health,
    HealthDown,
    KnowledgeReport,
    KnowledgeSource,
    KnowledgeUpload,
    MessageOut,
    ProductOut,
    ProductSearchResponse,
    RecommendationsResponse,
    SessionMessages,
    WidgetConfig,
)
from bot.engine import MessageError
from bot.redact import redact
from bot.streaming import stream_reply
from bot.types import BotReply, ProductCard
from recommender.recommender import Filters, Suggestion
from retrieval.ingest import IngestError
from retrieval.store import KNOWLEDGE
from shop.repository import UnknownProductError
from shopmate.tenants import TenantRegistry
from shopmate.wiring import Services

router = APIRouter()


# the shopper's proof of identity as a query parameter (the lists of GET routes)
UserHashQuery = Annotated[
    str | None,
    Query(
        pattern=HASH_PATTERN,
        description="hex HMAC-SHA256(identity secret, user_id) from the shop's server; "
        "without a valid one the list is not personal.",
    ),
]


def product_out(c: ProductCard) -> ProductOut:
    return ProductOut(
        id=c.id,
        title=c.title,
        price=c.price,
        category=c.category,
        brand=c.brand,
        in_stock=c.in_stock,
        reason=c.reason,
        image=c.image,
        url=c.url,
    )


def suggestion_out(s: Suggestion) -> ProductOut:
    p = s.product
    return ProductOut(
        id=p.id,
        title=p.title,
        price=p.current_price,
        category=p.category,
        brand=p.brand,
        in_stock=p.in_stock,
        reason=s.reason,
        image=p.images[0] if p.images else "",
        url=p.url,
    )


def chat_out(session_id: str, r: BotReply, message_id: int | None = None) -> ChatResponse:
    return ChatResponse(
        session_id=session_id,
        message_id=message_id,
        reply=r.reply,
        citations=[
            CitationOut(id=c.id, title=c.title, source=c.source, snippet=c.snippet)
            for c in r.citations
        ],
        products=[product_out(p) for p in r.products],
        intent=r.intent,
        action=r.action,
        handoff=r.handoff,
        handoff_state=r.handoff_state,
        tool_calls=r.tool_calls,
    )


@router.get(
    "/healthz",
    response_model=Health,
    tags=["ops"],
    responses={503: {"model": HealthDown, "description": "Starting, or a store is down"}},
)
def healthz(request: Request) -> Health | JSONResponse:
    """ok with the shop's counts, or 503 naming what is down (database, vector store)."""
    registry: TenantRegistry | None = request.app.state.tenants
    if registry is None:
        raise HTTPException(503, "shopmate is still starting; retry in a few seconds")
    svc = registry.default.services
    counts: dict[str, int] = {}
    down: dict[str, str] = {}
    for name, count in (
        ("database", svc.repo.count_products),
        ("vector store", lambda: svc.store.count(KNOWLEDGE)),
    ):
        try:
            counts[name] = count()
        except Exception as e:
            if not is_outage(e):
                raise
            down[name] = unavailable_detail(e)
    if down:
        detail = "; ".join(f"{k} down: {v}" for k, v in down.items())
        body = HealthDown(detail=detail, down=sorted(down))
        return JSONResponse(status_code=503, content=body.model_dump())
    return Health(
        status="ok",
        products=counts["database"],
        passages=counts["vector store"],
        generator=svc.settings.generator,
    )


@router.post(
    "/v1/chat",
    response_model=ChatResponse,
    tags=["chat"],
    responses={422: {"description": "Empty, too long or malformed message"}},
)
def chat(req: ChatRequest, svc: Svc, access: Caller) -> ChatResponse:
    shopper = identify(access, req.user_id, req.user_hash)
    check_session(svc, req.session_id, shopper)
    guest = guest_order(svc, shopper, req.message)
    try:
        reply = svc.engine.respond(
            req.session_id, shopper.user_id, req.message, req.product_id, guest_order=guest
        )
    except MessageError as e:
        raise HTTPException(422, str(e)) from e
    return chat_out(req.session_id, reply, reply_id(svc, req.session_id, reply))


def reply_id(svc: Services, session_id: str, reply: BotReply) -> int | None:
    """The stored id of the reply just given (the turn's last message), for thumbs on it;
    None when the bot stayed silent because a person has the conversation."""
    return svc.repo.last_message_id(session_id) if reply.reply else None


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


@router.post(
    "/v1/chat/stream",
    tags=["chat"],
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "token events, then one final event",
        }
    },
)
def chat_stream(req: ChatRequest, svc: Svc, access: Caller) -> StreamingResponse:
    """Server-sent events: `token` events carrying the reply text piece by piece, then one `final`
    event with the whole reply, citations, products and handoff state (or one `error` event).
    With a generator (SHOPMATE_GENERATOR=local|openai) tokens are sent as the model writes
    them; the final event's reply is authoritative (a generated reply that cites nothing is
    replaced by the extractive answer). Without one, the composed reply is sent word by word.
    A store that fails mid-reply ends the stream with an `error` event saying what is down."""
    shopper = identify(access, req.user_id, req.user_hash)
    check_session(svc, req.session_id, shopper)
    guest = guest_order(svc, shopper, req.message)

    def events() -> Iterator[str]:
        streamed = False
        try:
            for item in stream_reply(
                lambda: svc.engine.respond(
                    req.session_id, shopper.user_id, req.message, req.product_id, guest
                )
            ):
                if isinstance(item, str):
                    streamed = True
                    yield _sse("token", {"text": item})
                    continue
                if not streamed:
                    for piece in re.findall(r"\S+\s*", item.reply):
                        yield _sse("token", {"text": piece})
                final = chat_out(req.session_id, item, reply_id(svc, req.session_id, item))
                yield _sse("final", final.model_dump())
        except MessageError as e:
            yield _sse("error", {"detail": str(e)})
        except Exception as e:  # a store down mid-reply: say so instead of cutting the stream
            yield _sse("error", {"detail": unavailable_detail(e)})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


WIDGET_SUGGESTIONS = [
    "What is your return policy?",
    "How long does delivery take?",
    "Can you help me find a gift?",
]
PRODUCT_PAGE_SUGGESTIONS = [
    "What sizes and colours does it come in?",
    "Is it in stock?",
    "How long does delivery take?",
]


@router.get("/v1/widget/config", response_model=WidgetConfig, tags=["chat"])
def widget_config(access: Caller) -> WidgetConfig:
    """What the widget shows before the first message: the shop's name, its currency, a
    greeting and suggested questions (others on a product page)."""
    return WidgetConfig(
        shop_name=access.tenant.name,
        currency=access.services.settings.currency,
        greeting=f"Hi! I'm {access.tenant.name}'s assistant. Ask me about orders, delivery, "
        "returns or our products; you can ask for a person at any time.",
        suggestions=WIDGET_SUGGESTIONS,
        product_suggestions=PRODUCT_PAGE_SUGGESTIONS,
    )


@router.get("/v1/chat/{session_id}/messages", response_model=SessionMessages, tags=["chat"])
def session_messages(
    svc: Svc,
    session_id: Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)],
    after: Annotated[
        int, Query(ge=0, le=MAX_ROW_ID, description="Only messages with a larger id.")
    ] = 0,
    transcript: Annotated[
        bool,
        Query(
            description="Also the shopper's and the bot's messages (to restore the "
            "conversation after a reload or in another tab); default: a person's replies only."
        ),
    ] = False,
    user_id: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
    user_hash: Annotated[str | None, Query(pattern=HASH_PATTERN)] = None,
    *,
    access: Caller,
) -> SessionMessages:
    """Messages newer than `after`: by default the replies of a person from the shop (the
    widget polls this while a conversation is handed off), with `transcript=true` the whole
    conversation as stored (redacted). A signed-in shopper's conversation is read only with
    their user_id and user_hash (or an admin key)."""
    if access.scope != "admin":
        check_session(svc, session_id, identify(access, user_id, user_hash))
    roles = ("shopper", "bot", "agent") if transcript else ("agent",)
    rows = svc.repo.messages_after(session_id, after, roles=roles)
    state = svc.engine.state(session_id).handoff
    return SessionMessages(
        session_id=session_id,
        handoff_state=state,
        messages=[MessageOut(id=i, role=r, text=t, from_person=r == "agent") for i, r, t in rows],
    )


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, tags=["feedback"])
def feedback(fb: FeedbackRequest, svc: Svc, access: Caller) -> FeedbackResponse:
    user_id = identify(access, fb.user_id, fb.user_hash).user_id  # kept only when verified
    if fb.message_id is not None:
        found = svc.repo.messages_after(fb.session_id, fb.message_id - 1, roles=("bot", "agent"))
        if not found or found[0][0] != fb.message_id:
            raise HTTPException(
                422,
                f"message_id {fb.message_id} is not a reply in session {fb.session_id!r}; "
                "send the message_id of a reply from /v1/chat or the stream's final event",
            )
    fid = svc.repo.add_feedback(
        fb.session_id,
        user_id,
        fb.thumbs,
        fb.csat,
        redact(fb.comment.strip()),
        message_id=fb.message_id,
    )
    return FeedbackResponse(id=fid, accepted=True)


@router.get(
    "/v1/products/search",
    response_model=ProductSearchResponse,
    tags=["products"],
    dependencies=[Reader],
)
def product_search(
    svc: Svc,
    q: Annotated[
        str, Query(min_length=1, max_length=500, description="What the shopper is looking for.")
    ],
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    min_price: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    max_price: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    category: Annotated[
        str | None, Query(max_length=120, description="Top-level category.")
    ] = None,
    user_id: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
    user_hash: UserHashQuery = None,
    *,
    access: Caller,
) -> ProductSearchResponse:
    """In-stock products matching the query, personalised for a verified user id."""
    user_id = identify(access, user_id, user_hash).user_id
    if min_price is not None and max_price is not None and min_price > max_price:
        raise HTTPException(422, f"min_price ({min_price}) is above max_price ({max_price})")
    found = svc.recommender.recommend(
        user_id,
        context=q,
        k=k,
        filters=Filters(min_price=min_price, max_price=max_price, category=category),
    )
    return ProductSearchResponse(query=q, products=[suggestion_out(s) for s in found])


@router.post(
    "/v1/events",
    response_model=EventResponse,
    status_code=201,
    tags=["events"],
    responses={422: {"description": "Unknown product or event type"}},
)
def post_event(ev: EventRequest, svc: Svc, access: Caller) -> EventResponse:
    """A shopper's view, cart or purchase. Without a valid user_hash it is recorded for an
    anonymous stand-in (`anon:<digest>`, returned as user_id): it never steers the claimed
    shopper's suggestions."""
    who = identify(access, ev.user_id, ev.user_hash).event_id() or ev.user_id
    try:
        rec = svc.repo.add_event(who, ev.product_id, ev.type, ev.ts)
    except UnknownProductError as e:
        raise HTTPException(
            422,
            f"{e}; events must name a product of the catalog (see GET /v1/recommendations or the catalog)",
        ) from e
    return EventResponse(
        accepted=True, user_id=rec.user_id, product_id=rec.product_id, type=rec.type, ts=rec.ts
    )


@router.get(
    "/v1/recommendations/{user_id}",
    response_model=RecommendationsResponse,
    tags=["recommendations"],
    dependencies=[Reader],
)
def recommendations(
    svc: Svc,
    user_id: Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)],
    k: Annotated[int, Query(ge=1, le=50, description="How many products.")] = 5,
    context: Annotated[
        str | None, Query(max_length=500, description="What the shopper is looking for now.")
    ] = None,
    user_hash: UserHashQuery = None,
    *,
    access: Caller,
) -> RecommendationsResponse:
    """Suggestions for the shopper: from their history when the id is verified (a valid
    user_hash or an admin key), else for a new shopper (no reason names their history)."""
    verified = identify(access, user_id, user_hash).user_id
    suggestions = svc.recommender.recommend(verified, context=context, k=k)
    return RecommendationsResponse(
        user_id=user_id, products=[suggestion_out(s) for s in suggestions]
    )


SessionPath = Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)]


def handoff_out(svc: Services, session_id: str) -> HandoffOut:
    p = svc.engine.packet(session_id)
    return HandoffOut(
        session_id=p.session_id,
        user_id=p.user_id,
        state=p.state,
        summary=p.summary,
        cited=p.cited,
        suggested=p.suggested,
        transcript=p.transcript,
    )


@router.get(
    "/v1/handoffs", response_model=list[HandoffOut], tags=["handoffs"], dependencies=[Admin]
)
def list_handoffs(svc: Svc) -> list[HandoffOut]:
    """Conversations waiting for a person or held by one, oldest first."""
    return [handoff_out(svc, s) for s in svc.engine.queue()]


@router.post(
    "/v1/handoffs/{session_id}/reply",
    response_model=HandoffOut,
    tags=["handoffs"],
    dependencies=[Admin],
)
def agent_reply(svc: Svc, session_id: SessionPath, body: AgentReply) -> HandoffOut:
    if svc.repo.load_state(session_id) is None:
        raise HTTPException(404, f"no conversation {session_id!r}")
    try:
        svc.engine.agent_reply(session_id, body.text)
    except MessageError as e:
        raise HTTPException(409, str(e)) from e
    return handoff_out(svc, session_id)


@router.post(
    "/v1/handoffs/{session_id}/{move}",
    response_model=HandoffOut,
    tags=["handoffs"],
    dependencies=[Admin],
)
def move_handoff(
    svc: Svc,
    session_id: SessionPath,
    move: Annotated[str, Path(pattern="^(take|release|resolve)$")],
) -> HandoffOut:
    """take: a person has the conversation (the bot goes silent); release: back to the bot; resolve: done."""
    if svc.repo.load_state(session_id) is None:
        raise HTTPException(404, f"no conversation {session_id!r}")
    {"take": svc.engine.take, "release": svc.engine.release, "resolve": svc.engine.resolve}[move](
        session_id
    )
    return handoff_out(svc, session_id)


@router.delete(
    "/v1/users/{user_id}", response_model=ForgetResponse, tags=["privacy"], dependencies=[Admin]
)
def forget_user(
    svc: Svc, user_id: Annotated[str, Path(min_length=1, max_length=128, pattern=ID_PATTERN)]
) -> ForgetResponse:
    """Erase the shopper's events, conversations and orders. User vectors are never stored: they
    are computed from events at request time, so erasing the events erases the vector."""
    return ForgetResponse(user_id=user_id, erased=svc.repo.forget_user(user_id))


# knowledge base (admin) ------------------------------------------------------------
FORMAT_SUFFIX = {
    "markdown": ".md",
    "html": ".html",
    "text": ".txt",
    "jsonl": ".jsonl",
    "csv": ".csv",
}


@router.get(
    "/v1/kb", response_model=list[KnowledgeSource], tags=["knowledge"], dependencies=[Admin]
)
def list_knowledge(svc: Svc) -> list[KnowledgeSource]:
    """The knowledge base's sources with their passage counts."""
    return [
        KnowledgeSource(source=src, passages=n)
        for src, n in svc.ingestor.sources(KNOWLEDGE).items()
    ]


@router.post(
    "/v1/kb",
    response_model=KnowledgeReport,
    status_code=201,
    tags=["knowledge"],
    dependencies=[Admin],
    responses={422: {"description": "Unreadable document"}},
)
def ingest_knowledge(svc: Svc, doc: KnowledgeUpload) -> KnowledgeReport:
    """Add or replace one source: its passages are embedded and searchable at once."""
    clean = redact if doc.format in ("jsonl", "csv") else None
    try:
        reports = svc.ingestor.ingest_text(
            doc.source, FORMAT_SUFFIX[doc.format], doc.content, KNOWLEDGE, clean
        )
    except IngestError as e:
        raise HTTPException(422, str(e)) from e
    r = reports[0] if reports else None
    return KnowledgeReport(
        source=doc.source,
        added=r.added if r else 0,
        unchanged=r.unchanged if r else 0,
        removed=r.removed if r else 0,
    )


@router.delete("/v1/kb", response_model=KnowledgeReport, tags=["knowledge"], dependencies=[Admin])
def delete_knowledge(
    svc: Svc,
    source: Annotated[
        str, Query(min_length=1, max_length=200, description="The source to remove.")
    ],
) -> KnowledgeReport:
    removed = svc.ingestor.remove_source(KNOWLEDGE, source)
    if not removed:
        raise HTTPException(404, f"no source {source!r} in the knowledge base (see GET /v1/kb)")
    return KnowledgeReport(source=source, added=0, unchanged=0, removed=removed)
