"""CLI of a standalone transparency log: ``citytwin keys generate`` and ``citytwin log ...``.

Keys are C2SP signed-note texts; a log directory is C2SP tlog-tiles; proofs are C2SP tlog-proof
bundles. Exit codes: 0 ok, 1 a verification failed, 2 bad input (mapped by the root group).
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Annotated

import typer

from citytwin.cli._common import console, data_dir, emit_json
from citytwin.errors import NotFoundError
from citytwin.ledger import (
    CosignatureVerifier,
    Log,
    LogCorrupted,
    MalformedError,
    Signer,
    Verifier,
    generate_key,
    verify_proof,
)
from citytwin.ledger.note import ALG_COSIGNATURE_V1, ALG_ED25519

keys_app = typer.Typer(help="Signing keys in the C2SP signed-note formats. 签名密钥。", no_args_is_help=True)
log_app = typer.Typer(help="A standalone C2SP transparency log directory. 透明日志。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
KeyOption = Annotated[Path, typer.Option("--key", help="File holding the log's PRIVATE+KEY+... line.")]
VkeyOption = Annotated[str, typer.Option("--vkey", help="The log's verifier key, or a file holding it.")]


def _read_bytes(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as e:
        raise NotFoundError(f"{what} {path}: no such file") from e
    except IsADirectoryError as e:
        raise NotFoundError(f"{what} {path}: is a directory, expected a file") from e


def _signer(path: Path) -> Signer:
    return Signer.from_text(_read_bytes(path, "key file").decode("utf-8", "replace"))


def _key_text(value: str) -> str:
    """A key given inline or as a path to a file holding it."""
    p = Path(value)
    if "\n" not in value and p.is_file():
        return p.read_text("utf-8", "replace").strip()
    return value.strip()


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def keys_generate(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Key name, e.g. log.tongzhou.example/ledger.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Private key file [default: <data-dir>/keys/<name>.key].")
    ] = None,
    witness: Annotated[
        bool, typer.Option("--witness", help="A witness key (cosignature/v1, type 0x04).")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Generate an Ed25519 key: a private key file and its verifier key (``<file>.pub``). 生成密钥。"""
    priv, vkey = generate_key(name, ALG_COSIGNATURE_V1 if witness else ALG_ED25519)
    if out is None:
        out = data_dir(ctx) / "keys" / (re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".key")
    pub = out.with_name(out.name + ".pub")
    for p in (out, pub):
        if p.exists():
            raise MalformedError(f"{p} exists: refusing to overwrite a key file")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(priv + "\n")
    pub.write_text(vkey + "\n")
    result = {
        "name": name,
        "type": "cosignature/v1" if witness else "ed25519",
        "private_key_file": str(out),
        "verifier_key_file": str(pub),
        "verifier_key": vkey,
    }
    if json:
        emit_json(result)
    else:
        console.print(f"private key: {out}\nverifier key ({pub}):\n{vkey}", highlight=False)


def _report(log: Log, extra: dict | None = None) -> dict:
    cp = log.checkpoint
    return {
        "directory": str(log.directory),
        "origin": cp.origin,
        "size": cp.size,
        "root": _b64(cp.root),
        **(extra or {}),
        "checkpoint": cp.text,
    }


def log_init(
    directory: Annotated[Path, typer.Argument(help="The log directory to create.")],
    origin: Annotated[str, typer.Option("--origin", help="The checkpoint origin line, unique per log.")],
    key: KeyOption,
    json: JsonOption = False,
) -> None:
    """Create an empty log with its signed size-0 checkpoint. 创建空日志。"""
    with Log.create(directory, origin, _signer(key)) as log:
        result = _report(log)
    if json:
        emit_json(result)
    else:
        console.print(f"created {directory}: {origin}, size 0, root {result['root']}", highlight=False)


def log_append(
    directory: Annotated[Path, typer.Argument(help="The log directory.")],
    files: Annotated[list[Path], typer.Argument(help="Files whose bytes become one entry each, in order.")],
    key: KeyOption,
    witnesses: Annotated[
        Path | None, typer.Option("--witnesses", help="Witness policy TOML (quorum, witnesses).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Append each file as one entry, as one batch, and publish the new checkpoint. 追加条目。"""
    entries = [_read_bytes(f, "entry file") for f in files]
    policy = None
    if witnesses is not None:
        from citytwin.ledger.witness import WitnessPolicy

        policy = WitnessPolicy.from_file(witnesses)
    with Log.open(directory, _signer(key), policy) as log:
        first = log.append(entries)
        result = _report(log, {"first_index": first, "appended": len(entries)})
    if json:
        emit_json(result)
    else:
        console.print(
            f"appended {len(entries)} entries at {first}..{first + len(entries) - 1}; "
            f"size {result['size']}, root {result['root']}",
            highlight=False,
        )


def log_verify(
    directory: Annotated[Path, typer.Argument(help="The log directory.")],
    vkey: VkeyOption,
    json: JsonOption = False,
) -> None:
    """Recompute every tile and the root from the entries; check the signature. 校验日志。"""
    verifier = Verifier.from_text(_key_text(vkey))
    try:
        log = Log.open(directory)
    except MalformedError as e:
        raise LogCorrupted(f"{Path(directory) / 'checkpoint'}: {e}") from e
    with log:
        log.verify(verifier)
        result = _report(log, {"verified": True})
    if json:
        emit_json(result)
    else:
        console.print(
            f"ok: {result['origin']} size {result['size']}, root {result['root']}: "
            "every entry, tile and the signature verify",
            highlight=False,
        )


def log_prove(
    directory: Annotated[Path, typer.Argument(help="The log directory.")],
    index: Annotated[int, typer.Option("--index", help="Index of the entry to prove.")],
    no_entry: Annotated[bool, typer.Option("--no-entry", help="Leave the entry out of the bundle.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print JSON: index, size, root and the bundle.")] = False,
) -> None:
    """Write a C2SP tlog-proof bundle for entry N to stdout. 生成包含证明。"""
    with Log.open(directory) as log:
        text = log.prove(index, include_entry=not no_entry)
        result = _report(log, {"index": index, "proof": text})
    if json:
        emit_json(result)
    else:
        typer.echo(text, nl=False)


def log_verify_proof(
    file: Annotated[Path, typer.Argument(help="The .tlog-proof file ('-' for stdin).")],
    vkey: VkeyOption,
    witness: Annotated[
        list[str] | None, typer.Option("--witness", help="A witness verifier key (repeat).")
    ] = None,
    quorum: Annotated[
        int | None, typer.Option("--quorum", help="Cosignatures needed [default: all witnesses].")
    ] = None,
    entry: Annotated[
        Path | None, typer.Option("--entry", help="The entry's bytes [default: the bundle's extra].")
    ] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="Expected log origin.")] = None,
    json: JsonOption = False,
) -> None:
    """Verify a proof bundle offline against the log key and a k-of-n witness policy. 离线校验证明。"""
    import sys

    data = sys.stdin.buffer.read() if str(file) == "-" else _read_bytes(file, "proof file")
    witnesses = [CosignatureVerifier.from_text(_key_text(w)) for w in witness or []]
    entry_bytes = _read_bytes(entry, "entry file") if entry is not None else None
    result = verify_proof(
        data,
        Verifier.from_text(_key_text(vkey)),
        entry=entry_bytes,
        witnesses=witnesses,
        quorum=quorum,
        origin=origin,
    )
    cp = result.checkpoint
    report = {
        "verified": True,
        "index": result.index,
        "origin": cp.origin,
        "size": cp.size,
        "root": _b64(cp.root),
        "leaf_hash": _b64(result.leaf_hash),
        "entry_source": result.entry_source,
        "witnesses": list(result.witnesses),
        "quorum": len(witnesses) if quorum is None else quorum,
    }
    if json:
        emit_json(report)
    else:
        names = ", ".join(result.witnesses) or "none"
        console.print(
            f"ok: entry {result.index} is in {cp.origin} at size {cp.size} (root {report['root']}); "
            f"cosigned by {len(result.witnesses)} of {len(witnesses)} witnesses ({names})",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Mount ``keys`` and ``log`` on the root app."""
    keys_app.command("generate")(keys_generate)
    log_app.command("init")(log_init)
    log_app.command("append")(log_append)
    log_app.command("verify")(log_verify)
    log_app.command("prove")(log_prove)
    log_app.command("verify-proof")(log_verify_proof)
    app.add_typer(keys_app, name="keys")
    app.add_typer(log_app, name="log")
