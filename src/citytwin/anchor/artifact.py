"""The compiled anchoring contract: ABI and bytecode, as committed by ``make contracts``.

``CheckpointAnchor.json`` is written by ``contracts/build.js`` (solc-js, Standard JSON) and holds
the exact compiler version and settings, so that anyone can recompile the source and compare.
Custom errors are decoded per the Solidity ABI spec ("Errors"): the first four bytes of the revert
data are the first four bytes of keccak256 of the error's signature, followed by its ABI-encoded
arguments.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from eth_abi import decode as abi_decode
from eth_utils import keccak

__all__ = ["ARTIFACT_NAME", "abi", "artifact", "bytecode", "decode_error"]

ARTIFACT_NAME = "CheckpointAnchor.json"


@functools.cache
def artifact() -> dict:
    """The committed build artifact (``abi``, ``bytecode``, ``compiler``, ``sourceSha256``)."""
    text = resources.files(__package__).joinpath(ARTIFACT_NAME).read_text(encoding="utf-8")
    return json.loads(text)


def abi() -> list[dict]:
    return artifact()["abi"]


def bytecode() -> str:
    """Creation bytecode, ``0x``-prefixed hex."""
    return artifact()["bytecode"]


@functools.cache
def _errors() -> dict[bytes, tuple[str, list[str]]]:
    table = {}
    for item in abi():
        if item.get("type") == "error":
            types = [i["type"] for i in item["inputs"]]
            signature = f"{item['name']}({','.join(types)})"
            table[keccak(text=signature)[:4]] = (item["name"], types)
    return table


def decode_error(data: bytes | str | None) -> tuple[str, tuple] | None:
    """``(name, args)`` of a custom error of the contract from revert data, or None if unknown."""
    if isinstance(data, str):
        try:
            data = bytes.fromhex(data.removeprefix("0x"))
        except ValueError:
            return None
    if not data or len(data) < 4:
        return None
    found = _errors().get(bytes(data[:4]))
    if found is None:
        return None
    name, types = found
    try:
        return name, tuple(abi_decode(types, bytes(data[4:])))
    except Exception:  # malformed arguments: the name is still known
        return name, ()
