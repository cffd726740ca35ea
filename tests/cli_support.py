"""Running the `citytwin` command as a user does, in-process, over a real data directory."""

from __future__ import annotations

from typer.testing import CliRunner

from citytwin.cli import app


def run_cli(data_dir, *args, code: int = 0) -> str:
    """``citytwin --data-dir DATA_DIR ARGS...``; asserts the exit code and returns the output."""
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])
    assert result.exit_code == code, result.output
    return result.output
