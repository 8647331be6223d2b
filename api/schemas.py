"""Wire schemas of the /v1 API, separate from the domain dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9_.:@-]+$"
HASH_PATTERN = r"^[0-9a-fA-F]{64}$"
MAX_MESSAGE_CHARS = 4000
MAX_ROW_ID = 2**63 - 1  # the largest integer a database row id can hold
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _sane_time(v: datetime) -> datetime:
    """Event times from 2000-01-01 to one day ahead (clock skew); others are typing errors."""
    aware = v if v.tzinfo is not None else v.replace(tzinfo=UTC)
    latest = datetime.now(UTC) + timedelta(days=1)
    if not EARLIEST <= aware <= latest:
        raise ValueError(
            f"time {v.isoformat()} is out of range; accepted: from 2000-01-01 to one day "
            "from now (ISO 8601, e.g. 2026-12-06T10:30:00Z)"
        )
    return v


SaneTime = Annotated[datetime, AfterValidator(_sane_time)]


def user_hash_field() -> object:
    return Field(
        None,
        pattern=HASH_PATTERN,
        description="hex HMAC-SHA256(identity secret, user_id), computed by the shop's server; "
        "without a valid one the shopper is anonymous (no orders, purchases or history).",
    )


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(
        ...,
        min_length=1,
        max_length=128,
        pattern=ID_PATTERN,
        description="Opaque id of the chat session, chosen by the client.",
        examples=["w4k2h9q1lmx0a7"],
    )
    user_id: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        pattern=ID_PATTERN,
        description="The shopper's id, if known; trusted only with a valid user_hash (or an "
        "admin key).",
        examples=["u0001"],
    )
    user_hash: str | None = user_hash_field()  # type: ignore[assignment]
    message: str = Field(
        ...,
        max_length=MAX_MESSAGE_CHARS,
        description="The shopper's message.",
        examples=["What is your return policy?"],
    )
    product_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=ID_PATTERN,
        description="The product whose page the shopper is on, if any: 'does it fit a queen "
        "bed?' is then about that product, and its own facts and reviews are preferred.",
        examples=["p0001"],
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("message must contain text (1 to 4000 characters)")
        return v


class CitationOut(BaseModel):
    """A passage of the shop's knowledge the reply rests on."""

    id: str = Field(description="Stable passage id.", examples=["kb/returns.md#2"])
    title: str = Field(description="The source's title, for shoppers.", examples=["Returns"])
    source: str = Field(
        description="Where it came from (a knowledge file, or qa-history for a past answer).",
        examples=["kb/returns.md"],
    )
    snippet: str = Field(
        description="The passage text.",
        examples=["You can return unworn items within 30 days of delivery for a full refund."],
    )


class ProductOut(BaseModel):
    """A product shown to the shopper, with why."""

    id: str = Field(description="Catalog id.", examples=["p0001"])
    title: str = Field(examples=["Cairnline Munro Women's Packable Waterproof Rain Jacket"])
    price: float | None = Field(
        description="What the shopper pays now (the sale price when on sale), in the shop's "
        "currency; null when the shop's catalog lists no price.",
        examples=[202.99],
    )
    category: str = Field(
        description="Category path.", examples=["Outdoor Clothing > Rain Jackets"]
    )
    brand: str = Field(examples=["Cairnline"])
    in_stock: bool = Field(examples=[True])
    reason: str = Field(
        description="Why it is shown.", examples=["because you viewed Halden Storm Lite"]
    )
    image: str = Field("", description="The product's first picture, where the catalog has one.")
    url: str = Field("", description="The product's page, where the catalog has one.")


class ChatResponse(BaseModel):
    session_id: str = Field(description="As sent.", examples=["w4k2h9q1lmx0a7"])
    message_id: int | None = Field(
        None,
        description="Id of the stored reply: send it with thumbs to POST /v1/feedback. "
        "Null when the bot stayed silent because a person has the conversation.",
        examples=[1042],
    )
    reply: str = Field(
        description="The reply text; empty while a person has the conversation.",
        examples=["You can return unworn items within 30 days of delivery for a full refund."],
    )
    citations: list[CitationOut] = Field(description="What the reply rests on, in order.")
    products: list[ProductOut] = Field(description="Product cards to show with the reply.")
    intent: str = Field(
        description="The shop intent the message was read as.", examples=["return_refund"]
    )
    action: str = Field(
        description="What the bot did: answer, search, recommend, order_status, handoff, …"
    )
    handoff: bool = Field(
        description="True when a person has been asked for or has the conversation."
    )
    handoff_state: str = Field(description="none | requested | human", examples=["none"])
    tool_calls: list[str] = Field(
        default_factory=list, description="Shop tools used for this reply."
    )


class EventRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(..., min_length=1, max_length=128, pattern=ID_PATTERN, examples=["u0001"])
    user_hash: str | None = user_hash_field()  # type: ignore[assignment]
    product_id: str = Field(..., min_length=1, max_length=64, examples=["p0001"])
    type: Literal["view", "add_to_cart", "purchase"] = Field(
        ..., description="What the shopper did."
    )
    ts: SaneTime | None = Field(
        None, description="When it happened (ISO 8601, 2000-01-01 to tomorrow); default now."
    )


class EventResponse(BaseModel):
    accepted: bool = Field(description="Stored.")
    user_id: str = Field(
        description="Who it was recorded for: the shopper when verified, else anon:<digest>."
    )
    product_id: str
    type: str
    ts: datetime


class RecommendationsResponse(BaseModel):
    user_id: str = Field(examples=["u0001"])
    products: list[ProductOut] = Field(description="Best first, each with its reason.")


class Health(BaseModel):
    status: Literal["ok"]
    products: int = Field(description="Products in the catalog.", examples=[390])
    passages: int = Field(description="Knowledge passages indexed.", examples=[164])
    generator: str = Field(
        description="How replies are worded: extractive, local or openai.",
        examples=["extractive"],
    )


class HealthDown(BaseModel):
    detail: str = Field(description="What is down, in words.")
    down: list[str] = Field(description="database and/or vector store")


class ErrorOut(BaseModel):
    """Every error body: one line saying what was wrong and what is accepted."""

    detail: str


class ValidationErrorOut(BaseModel):
    """A 422: the readable line, plus each failing field."""

    detail: str = Field(description="All problems in one readable line.")
    errors: list[dict[str, str | list[str]]] = Field(
        default_factory=list, description="Each failing field: loc (path) and msg."
    )


class HandoffOut(BaseModel):
    """What a person gets when taking a conversation over."""

    session_id: str = Field(examples=["w4k2h9q1lmx0a7"])
    user_id: str | None = Field(examples=["u0001"])
    state: str = Field(
        description="requested (waiting for a person) or human (a person has it)",
        examples=["requested"],
    )
    summary: str = Field(
        description="How many messages, the first and the latest.",
        examples=["2 shopper message(s). First: “My parcel is damaged”"],
    )
    cited: list[str] = Field(description="Passage ids the bot cited so far.")
    suggested: list[str] = Field(description="Product ids the bot showed so far.")
    transcript: list[tuple[str, str]] = Field(
        description="(role, text) pairs, redacted: shopper, bot, agent or system.",
        examples=[[["shopper", "My parcel is damaged, I want to talk to a person"]]],
    )


class AgentReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        ...,
        min_length=1,
        max_length=MAX_MESSAGE_CHARS,
        description="The agent's reply, shown to the shopper marked as from a person.",
        examples=["Hi, Sam here. I'm sorry about the parcel: a new one is on its way."],
    )


class ForgetResponse(BaseModel):
    user_id: str = Field(examples=["u0001"])
    erased: dict[str, int] = Field(
        description="Rows erased per kind.", examples=[{"events": 42, "messages": 12, "orders": 2}]
    )


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(
        ..., min_length=1, max_length=128, pattern=ID_PATTERN, examples=["w4k2h9q1lmx0a7"]
    )
    user_id: str | None = Field(
        None, min_length=1, max_length=128, pattern=ID_PATTERN, examples=["u0001"]
    )
    user_hash: str | None = user_hash_field()  # type: ignore[assignment]
    thumbs: Literal["up", "down"] | None = Field(
        None,
        description="On the reply `message_id` (or, without one, the conversation).",
        examples=["up"],
    )
    message_id: int | None = Field(
        None,
        ge=1,
        description="The reply the thumbs are about: `message_id` from /v1/chat or the "
        "stream's final event.",
        examples=[1042],
    )
    csat: int | None = Field(
        None, ge=1, le=5, description="Satisfaction with the conversation, 1-5."
    )
    comment: str = Field("", max_length=2000, description="Free text; stored redacted.")

    @model_validator(mode="after")
    def _something(self) -> FeedbackRequest:
        if self.thumbs is None and self.csat is None and not self.comment.strip():
            raise ValueError("send at least one of thumbs (up/down), csat (1-5) or comment")
        return self


class FeedbackResponse(BaseModel):
    id: int = Field(description="Id of the stored feedback.", examples=[17])
    accepted: bool


class ProductSearchResponse(BaseModel):
    query: str = Field(examples=["waterproof jacket"])
    products: list[ProductOut] = Field(description="Best match first.")


class MessageOut(BaseModel):
    id: int = Field(description="Increasing within a session; poll with after=<id>.")
    role: str = Field(
        description="shopper, bot, or agent (a person from the shop)", examples=["agent"]
    )
    text: str = Field(description="As stored (redacted).", examples=["Hi, Sam here."])
    from_person: bool = Field(False, description="True for a reply written by a person.")


class WidgetConfig(BaseModel):
    shop_name: str = Field(
        description="Shown in the widget's header.", examples=["Northwind Outfitters"]
    )
    currency: str = Field(description="Symbol shown before prices.", examples=["£"])
    greeting: str = Field(description="The first bubble, before anything is asked.")
    suggestions: list[str] = Field(description="Questions offered with the greeting.")
    product_suggestions: list[str] = Field(
        description="Questions offered instead on a product page (the widget's data-product)."
    )


class SessionMessages(BaseModel):
    session_id: str = Field(examples=["w4k2h9q1lmx0a7"])
    handoff_state: str = Field(description="none | requested | human", examples=["human"])
    messages: list[MessageOut] = Field(description="Oldest first.")


class KnowledgeUpload(BaseModel):
    """One document for the knowledge base; a later upload of the same source replaces it."""

    model_config = ConfigDict(extra="forbid")
    source: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9._/\-]+$",
        description="Name it is cited by, e.g. kb/returns.md.",
        examples=["kb/returns.md"],
    )
    format: Literal["markdown", "html", "text", "jsonl", "csv"] = Field(
        description="How to read `content`: markdown or html pages are split by heading; "
        "jsonl/csv rows (reviews, Q/A) are redacted of personal data."
    )
    content: str = Field(
        min_length=1,
        description="The document's text.",
        examples=["# Returns\n\nYou can return unworn items within 30 days of delivery."],
    )


class KnowledgeReport(BaseModel):
    source: str = Field(examples=["kb/returns.md"])
    added: int = Field(description="New or changed passages embedded.", examples=[3])
    unchanged: int = Field(description="Passages kept as they were.", examples=[5])
    removed: int = Field(description="Passages no longer in the source.", examples=[1])


class KnowledgeSource(BaseModel):
    source: str = Field(examples=["kb/returns.md"])
    passages: int = Field(description="Passages indexed from it.", examples=[8])
