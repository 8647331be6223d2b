"""Shared fixtures: the real models, real Chroma and SQLite in temp dirs, one demo shop per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# tests never see the developer's own configuration, and never reach a model hub
for _k in [k for k in os.environ if k.startswith("SHOPMATE_")]:
    del os.environ[_k]
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from shopmate.settings import Settings
    from tests.shoppers import SECRET

    # rate limits have their own tests (tests/api/test_request_limits.py); the shared client must not hit them
    return Settings(
        data_dir=tmp_path_factory.mktemp("shop"),
        rate_limit_per_minute=1_000_000,
        rate_limit_per_key_per_minute=1_000_000,
        identity_secret=SECRET,  # shopper ids count only with their user_hash (tests/shoppers.py)
    )


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 from its PyPI package, loaded once."""
    from retrieval.embedder import Embedder
    from shopmate.models import minilm_path

    emb = Embedder(minilm_path())
    emb.warm_up()
    return emb


@pytest.fixture(scope="session")
def services(demo_settings, embedder):  # type: ignore[no-untyped-def]
    """A demo shop built once per test session with the real MiniLM, Chroma and SQLite."""
    from shopmate.demo.build import build_demo
    from shopmate.wiring import build_services

    svc = build_services(demo_settings, embedder=embedder)
    build_demo(svc, seed=7, progress=False)
    return svc


@pytest.fixture(scope="session")
def client(demo_settings, services) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(demo_settings, services)) as c:
        yield c


@pytest.fixture()
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    from retrieval.store import VectorStore

    return VectorStore.open(path=tmp_path / "chroma")
