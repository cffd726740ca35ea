"""The `citytwin` command line: `citytwin <noun> <verb>` (DESIGN.md, Conventions).

Each noun lives in its own module of this package and is mounted in :func:`_mount`.
Errors of the library (`CityTwinError`) are caught once, in :class:`_RootGroup`, and
turned into a message and an exit code: 1 when a check or verification failed, 2 for bad
usage or bad input.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from typer.core import TyperGroup

from citytwin.cli._common import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, err_console
from citytwin.errors import CityTwinError, VerificationError


class _RootGroup(TyperGroup):
    """The root command group; it turns a `CityTwinError` into a message and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CityTwinError as e:
            err_console.print(f"[red]error:[/red] {escape(str(e))}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_CHECK_FAILED if isinstance(e, VerificationError) else EXIT_BAD_INPUT) from e


app = typer.Typer(
    name="citytwin",
    cls=_RootGroup,
    help="citytwin — the provable digital twin of a city district. 城市数字孪生与透明日志。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        str | None,
        typer.Option("--data-dir", envvar="CITYTWIN_DATA", help="Data directory [default: ./citytwin-data]."),
    ] = None,
) -> None:
    ctx.obj = {"data_dir": data_dir}


def _mount() -> None:
    from citytwin.cli import twin as twin_cli

    twin_cli.register(app)
    from citytwin.cli import ledger as ledger_cli

    ledger_cli.register(app)
    from citytwin.cli import witness as witness_cli

    witness_cli.register(app)
    from citytwin.cli import air as air_cli

    air_cli.register(app)
    from citytwin.cli import carbon as carbon_cli

    carbon_cli.register(app)
    from citytwin.cli import serve as serve_cli

    serve_cli.register(app)
    from citytwin.cli import ingest as ingest_cli

    ingest_cli.register(app)
    from citytwin.cli import anchor as anchor_cli

    anchor_cli.register(app)
    __import__("citytwin.cli.finance", fromlist=["register"]).register(app)
    __import__("citytwin.cli.importers", fromlist=["register"]).register(app)
    __import__("citytwin.cli.green", fromlist=["register"]).register(app)
    __import__("citytwin.cli.services", fromlist=["register"]).register(app)
    __import__("citytwin.cli.transport", fromlist=["register"]).register(app)
    __import__("citytwin.cli.projects", fromlist=["register"]).register(app)


_mount()


def main() -> None:
    """Entry point of the `citytwin` console script."""
    app()
