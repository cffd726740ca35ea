"""Every command of the CLI is documented (STYLE.md point 12): in README.md, docs/ or a package README."""

from pathlib import Path

import typer

from citytwin.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands(command, path):
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield " ".join(path)
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, [*path, name])


def _documentation() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "src").rglob("README.md"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_every_cli_command_appears_in_the_docs():
    text = _documentation()
    commands = sorted(_commands(typer.main.get_command(app), ["citytwin"]))
    assert len(commands) > 20
    missing = [c for c in commands if c not in text]
    assert missing == [], f"commands not documented: {missing}"
