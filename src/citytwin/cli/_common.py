"""Shared pieces of the CLI: the data directory, JSON output, progress bars.

Only the CLI prints, shows progress or uses colour (STYLE.md, point 6).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

console = Console()
err_console = Console(stderr=True)

DEFAULT_DATA_DIR = "./citytwin-data"

# Exit codes of every command (DESIGN.md, Conventions).
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def data_dir(ctx: typer.Context) -> Path:
    """The data directory chosen by `--data-dir`, `CITYTWIN_DATA`, or the default."""
    root = ctx.find_root()
    chosen = (root.obj or {}).get("data_dir") if root.obj else None
    return Path(chosen or os.environ.get("CITYTWIN_DATA") or DEFAULT_DATA_DIR)


def open_twin(ctx: typer.Context):
    """Open the twin of the chosen data directory (imported here: pandas and DuckDB load slowly)."""
    from citytwin.twin import Twin

    return Twin.open(data_dir(ctx))


def emit_json(value: object) -> None:
    """Write one JSON document to stdout (for `--json`)."""
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode())
    sys.stdout.write("\n")


@contextmanager
def progress_bar(description: str, total: int | None, enabled: bool = True):
    """A rich progress bar on stderr; yields `advance(n)`."""
    if not enabled:
        yield lambda n=1: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
