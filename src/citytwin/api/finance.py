"""``/api/v1/finance``: catalogues, classification, the carbon-credit registry, projects and bonds.

Reads need read access; submitting registry acts needs a writer or admin key, and each act must
also carry its principal's Ed25519 signature (the registry checks it against the key the log
registered for that principal, so the API key alone cannot act on anyone's account). Refused
acts are 400 problem details naming the rule; unknown projects, bonds or serials are 404.
"""

from __future__ import annotations

import weakref
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from citytwin.api.deps import ReadAccess, StateDep, WriteAccess

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/finance", tags=["finance"])
_registries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ClassifyIn(BaseModel):
    activity: str = Field(description="Activity id or name, e.g. solar_power or 绿色建筑.")
    attributes: dict = Field(default_factory=dict, description="Declared attributes, e.g. {\"capacity_mw\": 20}.")
    edition: str = Field("2025", description="Catalogue edition: 2021 or 2025.")


class SignedActIn(BaseModel):
    body: dict = Field(description="The act: act, seq, principal and its fields (see citytwin.finance.registry).")
    signature: str = Field(description="Base64 Ed25519 signature over the context line and the RFC 8785 body.")


class ActsIn(BaseModel):
    acts: list[SignedActIn]


class ActsOut(BaseModel):
    log_indices: list[int]


def _registry(state):
    """The registry of the open twin, replayed once and refreshed from the log at each use."""
    from citytwin.finance.registry_log import Registry

    registry = _registries.get(state.twin)
    if registry is None:
        registry = _registries[state.twin] = Registry(state.twin)
    else:
        registry.refresh()
    return registry


@router.get("/catalogues/{edition}", summary="Categories of a green finance catalogue, as a list and a code tree")
def catalogue(edition: str, _: ReadAccess,
              level: Annotated[int | None, Query(description="Only this level (1 = level I).")] = None) -> dict:
    from citytwin.finance import taxonomy

    return {**taxonomy.edition(edition), "coverage": taxonomy.coverage(edition),
            "categories": [c.__dict__ for c in taxonomy.categories(edition, level)],
            "tree": taxonomy.tree(edition) if level is None else None}


@router.get("/catalogues/{edition}/categories/{code}", summary="One catalogue category, its path and its children")
def catalogue_category(edition: str, code: str, _: ReadAccess) -> dict:
    from citytwin.finance import taxonomy

    node = taxonomy.category(edition, code)
    return {"edition": edition, "category": node.__dict__,
            "path": [c.__dict__ for c in taxonomy.path(edition, code)],
            "children": [c.__dict__ for c in taxonomy.children(edition, code)]}


@router.post("/classify", summary="Classify a project's activity, with each criterion checked")
def classify(spec: ClassifyIn, _: ReadAccess) -> dict:
    from citytwin.finance.classifier import classify as run

    return run(spec.activity, spec.attributes, spec.edition).to_dict()


@router.get("/registry/balances", summary="Balances per account, replayed from the log [t CO2e]")
def balances(state: StateDep, _: ReadAccess) -> dict:
    from citytwin.finance.registry import balances as of

    with state.write_lock:
        registry = _registry(state)
        return {"seq": registry.state.seq, "accounts": of(registry.state)}


@router.get("/registry/adjustments", summary="Inventory adjustments of reductions claimed elsewhere")
def adjustments(state: StateDep, _: ReadAccess) -> list[dict]:
    with state.write_lock:
        rows = _registry(state).state.adjustments
    return [{"act": s, "jurisdiction": j, "vintage": v, "co2e_t": t} for s, j, v, t in rows]


@router.post("/registry/acts", summary="Submit signed registry acts (all applied, or none)")
def submit(acts: ActsIn, state: StateDep, _: WriteAccess) -> ActsOut:
    from citytwin.finance.registry import SignedAct

    with state.write_lock:
        indices = _registry(state).submit([SignedAct(a.body, a.signature) for a in acts.acts])
    return ActsOut(log_indices=indices)


@router.get("/registry/retirements/{serial}/proof", summary="Offline proof that a serial was retired")
def retirement_proof(serial: int, state: StateDep, _: ReadAccess) -> dict:
    from citytwin.finance.retirement import prove_retirement

    with state.write_lock:
        return prove_retirement(_registry(state), serial)


@router.get("/projects/{project_id}", summary="Every signed version of a green project")
def project(project_id: str, state: StateDep, _: ReadAccess) -> list[dict]:
    from citytwin.finance import projects

    with state.write_lock:
        return projects.history(state.twin, project_id)


@router.get("/bonds/{bond_id}/report", summary="Allocation and pro-rata impact of a green bond")
def bond_report(bond_id: str, state: StateDep, _: ReadAccess,
                prove: Annotated[bool, Query(description="Include a tlog-proof of every record.")] = False) -> dict:
    from citytwin.finance import bonds

    with state.write_lock:
        return bonds.prove_report(state.twin, bond_id) if prove else bonds.impact_report(state.twin, bond_id)
