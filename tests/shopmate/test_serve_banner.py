"""`shopmate serve` checks its port before anything else, and its banner is the tour of
every surface; the user encoder's item-vector cache lives under the data dir."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopmate.cli import app, port_in_use, tour


def test_a_busy_port_is_refused_before_any_banner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert f"cannot listen on 127.0.0.1:{port}" in out and "--port" in out
    assert "shopmate is up" not in out
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    assert port_in_use("127.0.0.1", port) is None


def test_the_tour_names_every_surface() -> None:
    one = tour("http://127.0.0.1:8000", several_shops=False)
    for path in ("/ui", "/widget/demo.html", "/agent", "/admin", "/docs"):
        assert f"http://127.0.0.1:8000{path}" in one
    assert "http://127.0.0.1:8000/t/<shop>/agent" in tour("http://127.0.0.1:8000", True)


def test_user_encoder_cache_defaults_under_the_data_dir() -> None:
    result = CliRunner().invoke(app, ["finetune", "user-encoder", "--help"], env={"COLUMNS": "240"})
    assert "<data dir>/cache/rec" in " ".join(result.output.split())
