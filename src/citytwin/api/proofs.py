"""Proofs: the C2SP tlog-proof bundle of an entity version or of an observation.

A bundle holds the log entry's index, its RFC 9162 inclusion proof and the signed checkpoint it
is proven against (with any witness cosignatures), so that anyone holding the log's verifier key
checks it offline (``citytwin.ledger.verify_proof``, or any tlog-proof verifier).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from citytwin.api._ngsild import parse_time_utc
from citytwin.api.deps import ReadAccess, ReaderDep, StateDep
from citytwin.api.problems import BadRequestData, ResourceNotFound
from citytwin.errors import BadInputError, NotFoundError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/proofs", tags=["proofs"])

_PROOF_MEDIA = "text/plain; charset=utf-8"


def _bundle(state, log_index: int, what: str) -> Response:
    with state.write_lock:  # the log's tiles and checkpoint are read while no append runs
        text = state.twin.log.prove(log_index)
    return Response(text, media_type=_PROOF_MEDIA,
                    headers={"X-Log-Index": str(log_index), "Content-Disposition": f'inline; filename="{what}.proof"',
                             "Link": f'</api/v1/proofs/anchors/{log_index}>; rel="anchors"'})


@router.get("/anchors/{index}", summary="Chain anchors covering a log entry")
def anchors(state: StateDep, _: ReadAccess, index: Annotated[int, Path(ge=0, description="The log index")]) -> dict:
    """The transactions and blocks of the EVM chain whose anchored checkpoint covers log entry
    `index`, each with the RFC 9162 consistency proof from the anchored tree to the log's current
    checkpoint (see `citytwin.anchor.links`). `configured` is false when no anchoring contract is
    set up; `error` names an unreachable chain node (the proof itself stays valid without it)."""
    from citytwin.anchor import anchor_links
    from citytwin.anchor.errors import ChainUnavailable, NoDeployment

    if index >= state.twin.log.size:
        raise ResourceNotFound(f"log entry {index}: the log has {state.twin.log.size} entries")
    answer = {"index": index, "configured": True, "checkpoint": None, "anchors": [], "error": None}
    try:
        with state.write_lock:
            answer.update(anchor_links(index, state.data_dir))
    except NoDeployment:
        answer["configured"] = False
    except ChainUnavailable as e:
        answer["error"] = str(e)
    return answer


@router.get("/observations", response_class=Response, summary="Proof of an observation")
def observation_proof(
    state: StateDep, reader: ReaderDep, _: ReadAccess,
    entity_id: Annotated[str, Query(description="The entity's URN")],
    attribute: Annotated[str, Query(description="e.g. pm25")],
    observed_at: Annotated[str, Query(description="ISO 8601 UTC, e.g. 2014-01-01T00:00:00Z")],
    source: Annotated[str | None, Query(description="Needed when several sources sent that reading")] = None,
) -> Response:
    """The tlog-proof bundle of the reading of (entity_id, attribute, observed_at[, source])."""
    at = parse_time_utc(observed_at, "observed_at")
    try:
        rows = reader.observations(entity_id, attribute, at, at + timedelta(microseconds=1))
    except BadInputError as e:
        raise BadRequestData(str(e)) from None
    if source is not None:
        rows = rows[rows["source"] == source]
    if not len(rows):
        raise ResourceNotFound(f"no {attribute} reading of {entity_id} at {observed_at}"
                               + (f" from {source}" if source else ""))
    if len(rows) > 1:
        sources = ", ".join(sorted(rows["source"]))
        raise BadRequestData(f"{len(rows)} readings match (sources {sources}): give source= to choose one")
    return _bundle(state, int(rows["log_index"].iloc[0]), "observation")


@router.get("/{entity_id}", response_class=Response, summary="Proof of an entity version")
def entity_proof(
    state: StateDep, reader: ReaderDep, _: ReadAccess,
    entity_id: Annotated[str, Path(description="The entity's URN")],
    version: Annotated[int | None, Query(ge=1, description="Default: the latest version")] = None,
) -> Response:
    """The tlog-proof bundle of an entity version (the latest, or `version`)."""
    try:
        history = reader.entity_history(entity_id)
    except NotFoundError:
        raise ResourceNotFound(f"no entity {entity_id} in the twin") from None
    chosen = history[-1] if version is None else next((e for e in history if e.version == version), None)
    if chosen is None:
        raise ResourceNotFound(f"entity {entity_id} has versions 1..{history[-1].version}, not {version}")
    return _bundle(state, chosen.log_index, "entity")
