"""Principals' keys and signed twin records, shared by the apps that take signed acts (carbon
MRV, green finance, the investment program).

A principal's Ed25519 key pair lives in ``<data>/keys/principals/<name>.key`` (mode 0600, a C2SP
signed-note ``PRIVATE+KEY+...`` line) and ``<name>.vkey``. A signed record is an entity version
whose properties carry the record, the signer's name and verifier key, and the Ed25519 signature
over a context line (naming the kind of record and its version) followed by the record's RFC 8785
canonical bytes; the context keeps a signature made for one kind of record from being replayed as
another.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.ledger.note import Signer, Verifier, generate_key
from citytwin.twin.canonical import canonicalize
from citytwin.twin.model import Entity
from citytwin.twin.twin import Twin

__all__ = ["check_signed", "commit_signed", "create_principal", "first_signer_key", "principal_dir",
           "principal_signer", "signed_entity", "signed_version"]


def principal_dir(data_dir: Path) -> Path:
    """Where the principals' keys of a data directory live."""
    return Path(data_dir) / "keys" / "principals"


def create_principal(data_dir: Path, name: str) -> str:
    """Create the Ed25519 key pair of principal ``name``; returns its verifier key text."""
    folder = principal_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    private_path = folder / f"{name}.key"
    if private_path.exists():
        raise BadInputError(f"principal {name!r} already has a key at {private_path}")
    private_text, verifier_text = generate_key(name)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as fh:
        fh.write(private_text + "\n")
    (folder / f"{name}.vkey").write_text(verifier_text + "\n")
    return verifier_text


def principal_signer(data_dir: Path, name: str) -> Signer:
    """The signer of principal ``name``; `NotFoundError` naming the missing key file."""
    path = principal_dir(data_dir) / f"{name}.key"
    try:
        return Signer.from_text(path.read_text().strip())
    except OSError:
        raise NotFoundError(
            f"principal {name!r}: no key at {path}; create it with `citytwin carbon principal`") from None


def signed_entity(twin: Twin, entity_id: str, entity_type: str, principal: str, context: bytes, record: dict,
                  jurisdiction: str | None = None, location: dict | None = None,
                  owner_key: str | None = None) -> Entity:
    """``record`` signed as ``principal``, as a version of ``entity_id`` not yet committed; with
    ``owner_key`` (the verifier key that signed the record's first version) the principal's key
    must be that very key, not merely one of the same name."""
    signer = principal_signer(twin.config.data_dir, principal)
    if owner_key is not None and signer.verifier_text != owner_key:
        raise BadInputError(f"{entity_id}: the key of {principal!r} ({signer.verifier_text}) is not the owner's key "
                            f"that signed the first version ({owner_key})")
    signature = base64.b64encode(signer.signature(context + canonicalize(record))).decode()
    props = {"record": record, "signer": principal, "signer_key": signer.verifier_text, "signature": signature}
    return Entity(id=entity_id, type=entity_type, jurisdiction=jurisdiction, location=location, properties=props)


def commit_signed(twin: Twin, entity_id: str, entity_type: str, principal: str, context: bytes, record: dict,
                  jurisdiction: str | None = None, location: dict | None = None,
                  owner_key: str | None = None) -> Entity:
    """Sign ``record`` (see :func:`signed_entity`) and commit it as a new version of ``entity_id``."""
    entity = signed_entity(twin, entity_id, entity_type, principal, context, record, jurisdiction, location, owner_key)
    result = twin.commit([entity])
    if result.rejected or not result.accepted:
        reason = result.rejected[0].reason if result.rejected else "nothing changed"
        raise BadInputError(f"{entity_id} refused: {reason}")
    return twin.entity(entity_id)


def check_signed(props: dict, context: bytes, what: str, owner_key: str | None = None) -> dict:
    """The record of a signed version after its signature verified; raises :class:`VerificationError`.
    With ``owner_key``, the version must also be signed with that key (the first version's)."""
    if owner_key is not None and props.get("signer_key") != owner_key:
        raise VerificationError(f"{what}: signed with {props.get('signer_key')!r}, not the owner's key that signed "
                                f"the first version ({owner_key})")
    try:
        verifier = Verifier.from_text(props["signer_key"])
        ok = verifier.name == props["signer"] and verifier.verify(
            context + canonicalize(props["record"]), base64.b64decode(props["signature"], validate=True))
    except (KeyError, TypeError, ValueError, binascii.Error, BadInputError) as e:
        raise VerificationError(f"{what}: not a signed record ({e})") from e
    if not ok:
        raise VerificationError(f"{what}: the signature by {props.get('signer')!r} does not verify")
    return props["record"]


def first_signer_key(twin: Twin, entity_id: str) -> str | None:
    """The verifier key that signed the first version of ``entity_id`` (the owner's, pinned by
    the log), or None when there is no such entity."""
    try:
        return twin.entity_history(entity_id)[0].properties.get("signer_key")
    except NotFoundError:
        return None


def signed_version(twin: Twin, entity_id: str, context: bytes, what: str) -> dict:
    """The latest version of a signed record after its signature verified, signed with the key of
    its first version, with its ``jurisdiction``, ``version``, ``log_index`` and ``owner_key``;
    `NotFoundError` naming ``what`` if absent."""
    try:
        entity = twin.entity(entity_id)
    except NotFoundError:
        raise NotFoundError(f"no {what}") from None
    owner_key = first_signer_key(twin, entity_id)
    record = check_signed(entity.properties, context, entity.id, owner_key)
    return {**record, "jurisdiction": entity.jurisdiction, "version": entity.version, "log_index": entity.log_index,
            "owner_key": owner_key}
