"""Wiring: builds every component from the settings, in one place.

services = build_services(Settings())
services.engine.respond("s1", None, "what is your return policy?")
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel

from bot.agent import ToolAgent
from bot.answerer import Answerer
from bot.engine import ChatEngine
from bot.intent_classifier import IntentClassifier
from bot.intents import IntentRouter
from bot.judge import AnswerabilityJudge
from bot.tools import ShopTools
from growth.wing import Growth
from recommender.item_index import PRODUCTS, ItemIndex
from recommender.rec_model import RecModel
from recommender.recommender import Recommender
from recommender.user_encoder import CONFIG
from retrieval.embedder import Embedder, require_recorded_embedder
from retrieval.hybrid import HybridRetriever
from retrieval.ingest import Ingestor
from retrieval.retriever import KnowledgeRetriever
from retrieval.store import KNOWLEDGE, QA_HISTORY, VectorStore
from shop.repository import ShopRepository
from shopmate.growth_wiring import build_growth
from shopmate.intent_model import shop_intent_classifier
from shopmate.models import minilm_path, offline, prepare_llm
from shopmate.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    repo: ShopRepository
    store: VectorStore
    embedder: Embedder
    ingestor: Ingestor
    item_index: ItemIndex
    recommender: Recommender
    engine: ChatEngine
    growth: Growth  # tracking, experiments, sponsored slots, alerts: the engine logs through it
    shared: SharedModels | None = None  # the models, for building other tenants around them


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model that words replies, or None for extractive answers."""
    if settings.generator == "local":
        from bot.llm import LocalChatModel

        # opt-in: the tuned adapter did not beat the base model on hetPQA (docs/benchmarks.md)
        adapter: Path | None = settings.generator_adapter
        return LocalChatModel.load(
            settings.llm_path or prepare_llm(settings.models_dir),
            adapter=adapter,
            quantize=settings.llm_quantize,
            prompt_threads=settings.llm_prompt_threads,
        )
    if settings.generator == "openai":
        from bot.remote_llm import OpenAICompatibleChatModel

        assert settings.openai_base_url is not None
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAICompatibleChatModel(
            base_url=settings.openai_base_url, model=settings.openai_model, api_key=key
        )
    return None


def load_rec_model(settings: Settings, embedder: Embedder | None = None) -> RecModel | None:
    """The trained user encoder if one is configured or trained into the data dir. One
    trained on another embedder's item vectors would read this one's as noise, so it is
    refused (artifacts that do not record their embedder are accepted)."""
    path = settings.user_encoder_path or settings.models_dir / "user-encoder"
    if settings.user_encoder_path is None and not (path / CONFIG).exists():
        return None
    model = RecModel.load(path)  # a configured path that does not load is an error
    if embedder is not None:
        require_recorded_embedder(
            model.embedder,
            embedder.fingerprint,
            embedder.name,
            f"the user encoder at {path} was trained on the item vectors of",
            "retrain it with `shopmate finetune user-encoder --from-shop` (it uses the shop's "
            "embedder), or serve the embedder it was trained with",
        )
    log.info("recommender: trained user encoder from %s", path)
    return model


def load_judge(settings: Settings, embedder: Embedder) -> AnswerabilityJudge | None:
    """The fine-tuned answerability judge when SHOPMATE_JUDGE_PATH names one (opt-in: train
    it on the shop's own questions first, see README). A judge calibrated on another
    embedder's cosines would misjudge this one's, so it is refused at start-up."""
    path = settings.judge_path
    if path is None:
        return None
    judge = AnswerabilityJudge.load(path)  # a configured path that does not load is an error
    judge.check_embedder(embedder.fingerprint, embedder.name)
    log.info("answerer: judge from %s (threshold %.3f)", path, judge.threshold)
    return judge


@dataclass
class SharedModels:
    """The models every tenant of a server uses: loaded once."""

    embedder: Embedder
    chat_model: BaseChatModel | None
    intents: IntentClassifier
    judge: AnswerabilityJudge | None = None


def load_shared(
    settings: Settings, warm: bool = True, embedder: Embedder | None = None
) -> SharedModels:
    """Load the sentence encoder, the chat model and the intent head (from the root data dir)."""
    offline()
    import torch

    torch.set_num_threads(max(1, settings.torch_threads))
    # numpy's BLAS too: small per-request products on a busy machine stall when each one
    # wakes several BLAS threads (the recommender's scoring: 24 ms with 2 threads, 0.2 with 1)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, settings.torch_threads))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or Embedder(settings.embedder_path or minilm_path())
    if warm:
        embedder.warm_up()
    return SharedModels(
        embedder,
        build_chat_model(settings),
        shop_intent_classifier(settings.models_dir, embedder),
        load_judge(settings, embedder),
    )


def open_store(settings: Settings, embedder: Embedder, prefix: str = "") -> VectorStore:
    """The shop's vector store, written and read with `embedder`'s vectors only: an index
    built by another model fails here, at start-up, not in the middle of a chat."""
    store = VectorStore.open(
        path=settings.chroma_path,
        url=settings.chroma_url,
        prefix=prefix,
        embedder_id=embedder.fingerprint,
        embedder_name=embedder.name,
        timeout=settings.chroma_timeout_seconds,
    )
    for name in (KNOWLEDGE, QA_HISTORY, PRODUCTS):
        store.collection(name)
    return store


def build_services(
    settings: Settings,
    warm: bool = True,
    embedder: Embedder | None = None,
    shared: SharedModels | None = None,
    store_prefix: str = "",
) -> Services:
    """Open one shop's stores around the models (loaded here unless `shared` is given; an
    already-loaded embedder may be passed in)."""
    shared = shared or load_shared(settings, warm, embedder)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    repo = ShopRepository.from_url(settings.resolved_database_url())
    embedder, chat_model = shared.embedder, shared.chat_model
    store = open_store(settings, embedder, store_prefix)
    answerer = Answerer(
        embedder,
        HybridRetriever(embedder, store, KNOWLEDGE)
        if settings.retriever == "hybrid"
        else KnowledgeRetriever(embedder, store, KNOWLEDGE),
        KnowledgeRetriever(embedder, store, QA_HISTORY),
        min_score=settings.answer_min_score,
        qa_min_score=settings.qa_reuse_min_score,
        chat_model=chat_model,
        judge=shared.judge,
        second_tries=settings.second_tries(),
        burst_threads=settings.llm_prompt_threads,
    )
    recommender = Recommender(
        repo,
        store,
        embedder,
        PRODUCTS,
        model=load_rec_model(settings, embedder),
        exploration=settings.suggestion_exploration,
    )
    if warm:
        recommender.warm_up()
    growth = build_growth(settings, repo)
    router = IntentRouter(shared.intents)
    tools = ShopTools(
        repo, recommender, answerer, k=settings.suggestions_per_reply, currency=settings.currency
    )
    engine = ChatEngine(
        embedder,
        router,
        answerer,
        recommender,
        repo,
        tools,
        agent=ToolAgent(chat_model, tools)
        if settings.tool_calling and chat_model is not None
        else None,
        suggestions_per_reply=settings.suggestions_per_reply,
        max_message_chars=settings.max_message_chars,
        suggestions_experiment=settings.suggestions_experiment,
        currency=settings.currency,
        tracker=growth.tracker,
        experiments=growth.experiments,
    )
    return Services(
        settings,
        repo,
        store,
        embedder,
        Ingestor(embedder, store),
        ItemIndex(embedder, store),
        recommender,
        engine,
        growth,
        shared,
    )
