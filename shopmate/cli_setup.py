"""What every command starts with: the settings from SHOPMATE_* variables and logging at
their level; for commands that load models, no hub access and torch's CPU threads.

    settings = cli_settings()                          # settings and logging
    settings = cli_settings(models=True, threads=2)    # + offline, 2 torch threads

Invalid settings print pydantic's message (it names the variable and the problem) and
exit with status 2, before anything loads.
"""

from __future__ import annotations

import logging

import typer

from shopmate.console import make_console
from shopmate.models import offline
from shopmate.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def cli_settings(*, models: bool = False, threads: int = 0, log_level: str = "") -> Settings:
    """The settings, with logging at SHOPMATE_LOG_LEVEL (or `log_level`); `models`: no
    model-hub access from here on; `threads` > 0: torch's CPU threads."""
    try:
        settings = Settings()
    except Exception as e:  # pydantic's message names the variable and the problem
        make_console().print(f"[red]invalid settings:[/red] {e}")
        raise typer.Exit(2) from e
    logging.basicConfig(level=(log_level or settings.log_level).upper(), format=LOG_FORMAT)
    if models:
        offline()
    if threads:
        import torch

        torch.set_num_threads(threads)
    return settings
