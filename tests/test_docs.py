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


def _leaves(command, path):
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield path, command
        return
    for name, sub in subcommands.items():
        yield from _leaves(sub, [*path, name])


def test_units_in_brackets_survive_in_the_help():
    """Help texts are rendered as rich markup, where ``[min]`` would be read as a style tag and
    vanish: every bracketed unit written in a help text is shown by ``--help``."""
    import re

    from typer.testing import CliRunner

    tag_like = re.compile(r"\\?\[([a-z#/@][^\]\[]*)\]")
    checked = 0
    for path, command in _leaves(typer.main.get_command(app), []):
        wanted = [m for p in command.params for m in tag_like.findall(p.help or "") if not m.startswith("default")]
        if not wanted:
            continue
        shown = " ".join(CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output.split())
        for token in wanted:
            assert f"[{token}]" in shown, f"citytwin {' '.join(path)} --help lost [{token}]"
            checked += 1
    assert checked >= 8
