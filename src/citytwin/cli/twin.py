"""CLI of the twin core: init, load, entities, observations, status, verify, rebuild, demo."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Mount the twin's commands on the root app."""
