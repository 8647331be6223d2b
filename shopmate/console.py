"""The rich console every command prints with."""

from __future__ import annotations

import sys

from rich.console import Console

PIPE_WIDTH = 160  # columns when the output is a file or a pipe (logs, CI), not a terminal


def make_console() -> Console:
    """A console as wide as the terminal; written to a file or pipe, rich would assume 80
    columns and cut the figures of wide tables to "0.3…", so it gets PIPE_WIDTH."""
    return Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
