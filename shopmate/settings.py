"""The one settings object of shopmate, read from `SHOPMATE_*` environment variables.

Settings are read once (by the CLI or the app factory) and passed to constructors;
no other module reads the environment.

    >>> s = Settings(data_dir="var")
    >>> s.resolved_database_url()
    'sqlite:///var/shop.db'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can configure. Each field maps to `SHOPMATE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SHOPMATE_", env_file=None, extra="ignore")

    data_dir: Path = Field(
        Path("var"), description="Where the shop database, Chroma and converted models live."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the shop database; default SQLite under data_dir."
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (http://host:port); default embedded Chroma under data_dir.",
    )
    chroma_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Time limit of each call to the Chroma server; a slower or absent server "
        "is answered with 503 and a message.",
    )
    embedder_path: Path | None = Field(
        None,
        description="Sentence-transformers model folder; default the packaged all-MiniLM-L6-v2.",
    )
    generator: Literal["extractive", "local", "openai"] = Field(
        "extractive",
        description="How replies are worded: extractive (quote the best passage), local (SmolLM2), openai (any OpenAI-compatible server).",
    )
    llm_path: Path | None = Field(
        None,
        description="Local causal LM folder; default SmolLM2-135M-Instruct converted once under data_dir/models.",
    )
    llm_quantize: Literal["auto", "none", "int8", "int8-bf16", "int8-fp32", "int8-int8"] = Field(
        "auto",
        description="With generator=local: auto (and int8) decode from int8 weights (one scale "
        "per output channel; 97% of fp32's next tokens, about 2-3x faster decoding) and read "
        "prompts with the kernel this CPU runs fastest: bf16 with native bf16 (AVX-512 BF16, "
        "AMX), else an int8 product (AVX2, AVX-512 without bf16), chosen at start-up and "
        "logged; int8-bf16 / int8-fp32 / int8-int8 force the prompt kernel; none keeps fp32 "
        "throughout (see 'Generator decoding per CPU' in docs/benchmarks.md).",
    )
    llm_prompt_threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Threads for one request's burst of model arithmetic: the local generator's "
        "prompt (most of the time to the first token) and the sentence vectors of a question's "
        "passages. 0: the cores idle when it starts (both of a quiet 2-core machine, one where "
        "another job holds a core), never fewer than torch_threads; N: always N.",
    )
    llm_second_tries: int | None = Field(
        None,
        ge=0,
        le=16,
        description="With a generator: sampled replies drawn (as one batch for the local model) "
        "when the first fails the grounding check; the passing one that agrees most with the "
        "others is kept, else the extractive answer. 0: straight to the extractive answer. "
        "Unset: 6 with a fine-tuned adapter (generator_adapter), else 0.",
    )
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server, e.g. http://localhost:11434/v1."
    )
    openai_model: str = Field(
        "default", description="Model name sent to the OpenAI-compatible server."
    )
    openai_api_key: SecretStr | None = Field(
        None, description="API key for the OpenAI-compatible server."
    )
    admin_api_key: SecretStr | None = Field(
        None,
        description="Bearer key for the admin API (handoffs, erasing shoppers); unset disables it.",
    )
    identity_secret: SecretStr | None = Field(
        None,
        description="Shared secret that verifies shoppers: the shop's server sends user_hash = "
        "hex HMAC-SHA256(secret, user_id) with each user id (the widget's data-user-hash). "
        "An id without a valid hash is anonymous (no orders, purchases or history); unset: "
        "every shopper is anonymous and an order is shown only for its number plus its e-mail.",
    )
    signing_secret: SecretStr | None = Field(
        None,
        description="Signs the tokens of sponsored impressions (a click counts only with one); "
        "unset: a random key kept in <data dir>/signing.key, shared by the workers of one server.",
    )
    tool_calling: bool = Field(
        False, description="With generator=openai: let the model call the shop tools to answer."
    )
    answer_min_score: float = Field(
        0.35, description="Below this retrieval similarity the bot hands off instead of answering."
    )
    retriever: Literal["dense", "hybrid"] = Field(
        "dense",
        description="How the bot finds knowledge passages: 'dense' (MiniLM cosine) or 'hybrid' "
        "(cosine fused with BM25). Measured side by side on the served path (docs/benchmarks.md).",
    )
    qa_reuse_min_score: float = Field(
        0.82, description="Above this, a past agent answer to the same question is reused as is."
    )
    judge_path: Path | None = Field(
        None,
        description="Answerability judge artifact (`shopmate finetune judge`): reranks passages and decides when to hand off; unset: answer_min_score decides.",
    )
    generator_adapter: Path | None = Field(
        None,
        description="LoRA adapter (`shopmate finetune generator`) merged into the local chat model (generator=local); unset: the base model.",
    )
    user_encoder_path: Path | None = Field(
        None,
        description="Trained recommender artifact (shopmate finetune user-encoder); default: "
        "<data dir>/models/user-encoder when it exists, else the weighted mean of item vectors.",
    )
    shop_name: str = Field("Northwind Outfitters", description="Shop name shown in the chat UI.")
    currency: str = Field("£", description="Currency symbol shown with prices.")
    suggestions_per_reply: int = Field(4, description="Product cards per reply.")
    suggestion_exploration: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of suggestion slots drawn from a softmax over the ranking's scores "
        "instead of the top pick (0: off); each card's probability is logged for off-policy "
        "evaluation.",
    )
    max_message_chars: int = Field(4000, description="Longest chat message accepted.")
    torch_threads: int = Field(
        1,
        description="CPU threads per model call; 1 serves concurrent requests best on small machines.",
    )
    max_body_bytes: int = Field(65536, description="Largest request body accepted (413 above).")
    rate_limit_per_minute: int = Field(
        120,
        description="API requests per minute per client IP, on every /v1 route (429 above).",
    )
    widget_keys: list[str] = Field(
        default_factory=list,
        description="Publishable keys for the widget's data-key (chat, events, feedback only); "
        "empty: those routes are open (a local or single-shop setup).",
    )
    rate_limit_per_key_per_minute: int = Field(
        600,
        description="Requests per minute per key and client IP (a widget or admin key): one "
        "client cannot use up a key for the site's other shoppers (429 above).",
    )
    sponsored_clicks_per_minute: int = Field(
        10,
        ge=1,
        description="Sponsored clicks per minute per client IP (429 above); each click also "
        "needs the token of an impression served to that session, and counts once.",
    )
    staff_logins_per_minute: int = Field(
        10,
        ge=1,
        description="Sign-in attempts per minute per client IP on the agent and admin pages "
        "(429 above), so an admin key cannot be guessed by trying.",
    )
    tenants_file: Path | None = Field(
        None,
        description="TOML file of tenants (shops) served by this server, each with its own data "
        "and keys; see shopmate/tenants.py.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Sites allowed to call the API from a browser (the widget\'s shops), e.g. ["https://shop.example"].',
    )
    demo_seed: int = Field(7, description="Seed of the generated demo shop.")
    host: str = Field("127.0.0.1", description="Address `shopmate serve` binds to.")
    port: int = Field(8000, description="Port `shopmate serve` binds to.")
    log_level: str = Field("INFO", description="Python logging level.")
    # growth: experiments, sponsored slots, sentiment watch (growth/experiments.py, ...)
    experiments_file: Path | None = Field(
        None,
        description="TOML or JSON file of A/B experiments, created or replaced on the first "
        "experiments request and again whenever the file changes.",
    )
    alert_webhook_url: str | None = Field(
        None, description="URL that negative-sentiment alerts are POSTed to (JSON)."
    )
    sentiment_alert_share: float = Field(
        0.3, description="Alert when at least this share of a topic's recent messages is negative."
    )
    sentiment_alert_min_count: int = Field(
        5, description="... and at least this many negative messages or feedbacks on the topic."
    )
    sentiment_alert_hours: int = Field(24, description="The window the alert looks back over.")
    sentiment_check_minutes: float = Field(
        15.0,
        ge=0,
        description="How often the server checks for sentiment alerts while it runs, when "
        "alert_webhook_url is set (0: only on POST /v1/admin/sentiment/check).",
    )
    suggestions_experiment: str | None = Field(
        None,
        description="Name of an A/B experiment (variants e.g. off,on) whose variant 'off' keeps "
        "the bot's unasked product cards from a shopper; the bot logs the exposure.",
    )
    sponsored_relevance_floor: float = Field(
        0.3,
        description="Sponsored products less relevant to the shopper than this are never shown.",
    )

    @field_validator("answer_min_score", "qa_reuse_min_score")
    @classmethod
    def _score_range(cls, v: float) -> float:
        if not -1.0 <= v <= 1.0:
            raise ValueError(f"must be a cosine similarity in [-1, 1], got {v}")
        return v

    @field_validator("suggestions_per_reply")
    @classmethod
    def _suggestions(cls, v: int) -> int:
        if not 0 <= v <= 20:
            raise ValueError(f"must be between 0 and 20, got {v}")
        return v

    @field_validator("alert_webhook_url")
    @classmethod
    def _webhook(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {v!r}")
        return v

    @field_validator("sentiment_alert_share")
    @classmethod
    def _share(cls, v: float) -> float:
        if not 0.0 < v <= 1.0:
            raise ValueError(f"must be a share in (0, 1], got {v}")
        return v

    @field_validator("port")
    @classmethod
    def _port(cls, v: int) -> int:
        if not 0 < v < 65536:
            raise ValueError(f"must be a TCP port 1-65535, got {v}")
        return v

    @model_validator(mode="after")
    def _openai_needs_url(self) -> Settings:
        if self.tool_calling and self.generator != "openai":
            raise ValueError(
                "tool_calling needs generator=openai (a server whose model can call tools)"
            )
        if self.generator == "openai" and not self.openai_base_url:
            raise ValueError(
                "generator=openai needs SHOPMATE_OPENAI_BASE_URL (e.g. http://localhost:8080/v1)"
            )
        return self

    def second_tries(self) -> int:
        """Sampled second tries after a failed grounding check (llm_second_tries, or by default
        6 for a fine-tuned generator and none for the base model, as measured on hetPQA)."""
        if self.llm_second_tries is not None:
            return self.llm_second_tries
        from bot.grounding import default_second_tries

        return default_second_tries(fine_tuned=self.generator_adapter is not None)

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shop.db'}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"
