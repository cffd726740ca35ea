"""CLI of the witness (C2SP tlog-witness): `citytwin witness serve`, `citytwin witness status`.

A witness key is made with `citytwin keys generate NAME --witness` (cosignature/v1, type 0x04).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from citytwin.cli._common import data_dir, emit_json
from citytwin.errors import BadInputError

witness_app = typer.Typer(
    help="Run a transparency-log witness (C2SP tlog-witness). 透明日志见证者。",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Mount `citytwin witness ...` on the root app."""
    app.add_typer(witness_app, name="witness")


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise BadInputError(f"key file {str(path)!r}: {e.strerror or e}") from e


def _log_keys(values: list[str]):
    """Each value is a verifier key (`VKEY` or `VKEY ORIGIN`) or a file of such lines, or a
    witness-network log list (`logs/v0`); the logs of all values together."""
    from citytwin.ledger.witness_server import LogKeys, parse_log_vkeys

    merged: dict[str, list[str]] = {}
    for value in values:
        path = Path(value)
        if "+" not in value or path.is_file():
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as e:
                raise BadInputError(
                    f"--log-vkey {value!r}: not a verifier key 'name+hash+base64' nor a readable file "
                    f"({e.strerror or e})"
                ) from e
        else:
            lines = [value]
        for origin, vkeys in parse_log_vkeys(lines).by_origin.items():
            have = merged.setdefault(origin, [])
            have += [v for v in vkeys if v not in have]
    return LogKeys({o: tuple(v) for o, v in merged.items()})


def _parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise BadInputError(
            f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:7380 (port 0: any free)"
        )
    return host.strip("[]"), int(port)


@witness_app.command("serve")
def serve(
    ctx: typer.Context,
    key: Annotated[Path, typer.Option("--key", help="The witness's private key file (PRIVATE+KEY+...).")],
    log_vkey: Annotated[
        list[str],
        typer.Option(
            "--log-vkey",
            help="A log's verifier key, 'VKEY' or 'VKEY ORIGIN' when the origin differs from the key "
            "name, or a file of such lines or a witness-network log list (logs/v0). Repeatable.",
        ),
    ],
    listen: Annotated[
        str, typer.Option("--listen", help="HOST:PORT to listen on; port 0 picks a free one.")
    ] = "127.0.0.1:7380",
    state: Annotated[
        Path | None,
        typer.Option("--state", help="State file [default: <data-dir>/witness/state.json]."),
    ] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="URL path prefix of add-checkpoint.")] = "",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each request to stderr.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the listening address as JSON.")] = False,
) -> None:
    """Serve POST /add-checkpoint: verify, check consistency, persist, cosign. 运行见证服务。"""
    from citytwin.ledger.note import CosignatureSigner
    from citytwin.ledger.witness_server import Witness, WitnessState, make_server

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    signer = CosignatureSigner.from_text(_read_key(key))
    log_keys = _log_keys(log_vkey)
    host, port = _parse_listen(listen)
    state_path = state if state is not None else data_dir(ctx) / "witness" / "state.json"
    witness_state = WitnessState(state_path, witness=signer.verifier_text)
    try:
        server = make_server(Witness(signer, log_keys, witness_state), host, port, prefix)
        bound_host, bound_port = server.server_address[:2]
        url = f"http://{bound_host}:{bound_port}{prefix.rstrip('/')}"
        info = {
            "name": signer.name,
            "vkey": signer.verifier_text,
            "url": url,
            "state": str(state_path),
            "new_state": witness_state.created,
            "logs": sorted(log_keys.by_origin),
        }
        if json_out:
            emit_json(info)
            sys.stdout.flush()
        else:
            typer.echo(f"witness {signer.name} listening on {url}")
            typer.echo(f"vkey {signer.verifier_text}")
            typer.echo(f"logs {', '.join(info['logs'])}")
            typer.echo(f"state {state_path}" + (" (new)" if witness_state.created else ""))

        def _stop(signum, frame) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, _stop)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        witness_state.close()


@witness_app.command("status")
def status(
    ctx: typer.Context,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="State file [default: <data-dir>/witness/state.json]."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
) -> None:
    """What the witness has cosigned, per log, and the refused requests it kept as evidence. 见证状态。"""
    from datetime import UTC, datetime

    from citytwin.ledger.witness_server import read_state

    state_path = state if state is not None else data_dir(ctx) / "witness" / "state.json"
    doc = read_state(state_path)
    if json_out:
        logs = {o: {k: r[k] for k in ("size", "root", "cosigned_at")} for o, r in doc["logs"].items()}
        kept = ("origin", "status", "reason", "refused_at", "sha256")
        evidence = [{k: e.get(k) for k in kept} for e in doc["evidence"]]
        emit_json({"witness": doc["witness"], "logs": logs, "evidence": evidence})
        return
    if doc["witness"]:
        typer.echo(f"witness {doc['witness']}")
    if not doc["logs"]:
        typer.echo("no checkpoint cosigned yet")
    for origin, rec in sorted(doc["logs"].items()):
        when = datetime.fromtimestamp(rec["cosigned_at"], UTC).isoformat()
        typer.echo(f"{origin}\tsize {rec['size']}\troot {rec['root']}\tcosigned {when}")
    for e in doc["evidence"]:
        typer.echo(f"evidence\t{e.get('origin')}\tHTTP {e.get('status')}\t{e.get('reason')}")
