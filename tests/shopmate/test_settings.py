from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shopmate.settings import Settings


def test_defaults_are_local_and_offline() -> None:
    s = Settings()
    assert s.data_dir == Path("var")
    assert s.resolved_database_url() == "sqlite:///var/shop.db"
    assert s.chroma_url is None and s.chroma_path == Path("var/chroma")
    assert s.generator == "extractive"
    assert (s.host, s.port) == ("127.0.0.1", 8000)
    from bot.grounding import SECOND_TRIES

    # sampled second tries: for a fine-tuned generator as `eval qa` measured, not the base
    assert s.second_tries() == 0
    assert Settings(generator_adapter=Path("lora")).second_tries() == SECOND_TRIES
    assert Settings(generator_adapter=Path("lora"), llm_second_tries=0).second_tries() == 0


def test_read_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHOPMATE_PORT", "9001")
    monkeypatch.setenv("SHOPMATE_DATABASE_URL", "postgresql+psycopg://shop@localhost/shop")
    s = Settings()
    assert s.data_dir == tmp_path
    assert s.port == 9001
    assert s.resolved_database_url() == "postgresql+psycopg://shop@localhost/shop"
    assert s.models_dir == tmp_path / "models"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": 70000}, "TCP port"),
        ({"answer_min_score": 3.0}, "cosine similarity"),
        ({"suggestions_per_reply": 50}, "between 0 and 20"),
        ({"generator": "openai"}, "SHOPMATE_OPENAI_BASE_URL"),
        ({"generator": "gpt9"}, "extractive"),
        ({"tool_calling": True}, "tool_calling needs generator=openai"),
        ({"llm_second_tries": -1}, "greater than or equal to 0"),
    ],
)
def test_bad_settings_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**kwargs)


def test_openai_generator_with_url_is_accepted() -> None:
    s = Settings(
        generator="openai",
        openai_base_url="http://localhost:8080/v1",
        openai_api_key="sk-very-secret",
    )
    assert s.openai_api_key is not None and s.openai_api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(s)  # the key never shows in logs


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [n for n in Settings.model_fields if f"`SHOPMATE_{n.upper()}`" not in readme]
    assert not missing, f"README settings table lacks {missing}"
