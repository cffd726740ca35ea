"""CLI of the HTTP API: ``citytwin serve`` and ``citytwin principals add|ls|revoke``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from citytwin.api.access import ROLES, Principals
from citytwin.cli._common import console, data_dir, emit_json, err_console

principals_app = typer.Typer(help="API keys: who may read and write. API 密钥与权限。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the twin over HTTP: NGSI-LD, temporal queries, the log, proofs, ingest. 启动 HTTP 服务。"""
    import uvicorn

    from citytwin.api import create_app

    app = create_app(data_dir(ctx))
    err_console.print(f"citytwin API on http://{host}:{port} (docs at /docs)", highlight=False)
    uvicorn.run(app, host=host, port=port, workers=1, log_level=log_level)


def principals_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the key holder, e.g. sanhe-ees.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "reader",
    jurisdiction: Annotated[str | None, typer.Option(help="Administrative code, e.g. 131082.")] = None,
    json: JsonOption = False,
) -> None:
    """Add a principal and print its API key (shown this once only). 添加密钥。"""
    principal, key = Principals(data_dir(ctx)).add(name, role, jurisdiction)
    if json:
        emit_json({**principal.public(), "api_key": key})
        return
    console.print(f"added {principal.name} ({principal.role}, jurisdiction {principal.jurisdiction or '-'})")
    console.print("API key (shown once, store it now):", highlight=False)
    typer.echo(key)


def principals_ls(ctx: typer.Context, json: JsonOption = False) -> None:
    """List principals (never their keys). 列出密钥持有者。"""
    principals = Principals(data_dir(ctx)).list()
    if json:
        emit_json([p.public() for p in principals])
        return
    table = Table("name", "role", "jurisdiction", "created", "revoked")
    for p in principals:
        table.add_row(p.name, p.role, p.jurisdiction or "-", p.created_at, p.revoked_at or "")
    console.print(table)


def principals_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The principal to revoke.")],
    json: JsonOption = False,
) -> None:
    """Revoke a principal's key; a running server refuses it at the next request. 吊销密钥。"""
    principal = Principals(data_dir(ctx)).revoke(name)
    if json:
        emit_json(principal.public())
    else:
        console.print(f"revoked {principal.name} at {principal.revoked_at}")


def register(app: typer.Typer) -> None:
    """Mount `serve` and `principals` on the root app."""
    app.command()(serve)
    principals_app.command("add")(principals_add)
    principals_app.command("ls")(principals_ls)
    principals_app.command("revoke")(principals_revoke)
    app.add_typer(principals_app, name="principals")
