"""``/api/v1/dashboard/ledger/history``: the checkpoints the log published, for the ledger view.

Each note of :meth:`citytwin.ledger.log.Log.checkpoint_history` is opened as a C2SP
tlog-checkpoint against the log's verifier key, and the witnesses' ``cosignature/v1`` lines
(C2SP tlog-cosignature) against the configured witness keys; the answer gives, per checkpoint, its
tree size, root hash, publication time and the witnesses whose cosignature verified. A note that
does not verify is listed with its error rather than dropped, so that a tampered history shows.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citytwin.api.deps import ReadAccess, StateDep
from citytwin.errors import CityTwinError
from citytwin.ledger.checkpoint import open_checkpoint, parse_checkpoint_body
from citytwin.ledger.note import CosignatureVerifier, Verifier, parse_note

__all__ = ["router"]

router = APIRouter()


def _entry(published, note: bytes, log_key: Verifier, witnesses: list[CosignatureVerifier]) -> dict:
    row = {"published": published.isoformat().replace("+00:00", "Z"), "verified": True, "error": None}
    try:
        checkpoint, opened = open_checkpoint(note, log_key, cosigners=witnesses)
    except CityTwinError as e:
        row.update(verified=False, error=str(e), cosigned_by=[], size=None, root=None)
        try:
            checkpoint = parse_checkpoint_body(parse_note(note)[0])
        except CityTwinError:
            return row
    else:
        names = {w.name for w in witnesses}
        row["cosigned_by"] = sorted({s.name for s in opened.signatures if s.name in names})
    return {**row, "size": checkpoint.size, "root": checkpoint.root.hex()}


@router.get("/ledger/history", summary="The checkpoints the log published, with their cosignatures")
def history(state: StateDep, _: ReadAccess,
            limit: Annotated[int, Query(ge=1, le=10000, description="The latest checkpoints only.")] = 500) -> dict:
    """Per published checkpoint, oldest first: ``published`` (UTC), ``size`` [entries], ``root``
    (hex SHA-256), ``cosigned_by`` (witnesses whose cosignature verified), ``verified`` and
    ``error`` (why the log's signature or a cosignature failed). ``quorum`` is the policy's."""
    config = state.twin.config
    log_key = Verifier.from_text(config.verifier_key_path.read_text(encoding="utf-8").strip())
    policy = config.raw.get("log", {})
    witnesses = [CosignatureVerifier.from_text(w["vkey"]) for w in policy.get("witness", []) if w.get("vkey")]
    checkpoints = [_entry(when, note, log_key, witnesses) for when, note in state.twin.log.checkpoint_history(limit)]
    return {"origin": config.origin, "quorum": int(policy.get("quorum", len(witnesses))),
            "witnesses": [w.name for w in witnesses], "checkpoints": checkpoints}
