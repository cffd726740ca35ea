"""``/api/v1/dashboard/finance``: the green finance page — projects, credit registry, bonds.

Everything comes from :mod:`citytwin.finance`, replayed or re-checked from the log at each
growth of the log: the carbon-credit registry's state (:func:`citytwin.finance.registry_log.replay`)
summed per status in the manner of Verra and CCER registry reports (issued, active, retired,
cancelled, and the buffer pool's holdings), each green project's current signed version
(:func:`citytwin.finance.projects.project`), and each green bond's allocation and pro-rata
impact (:func:`citytwin.finance.bonds.impact_report`, ICMA Harmonised Framework 2024).
"""

from __future__ import annotations

import threading

from fastapi import APIRouter

from citytwin.api.deps import ReadAccess, StateDep

__all__ = ["router"]

router = APIRouter()
_cache: dict[tuple, dict] = {}
_lock = threading.Lock()


def _registry(twin) -> dict:
    from citytwin.finance.registry import balances
    from citytwin.finance.registry_log import replay

    state = replay(twin).state
    per_account = balances(state)
    accounts = [{"account": a.id, "holder": a.holder, "jurisdiction": a.jurisdiction, "kind": a.kind,
                 **per_account[a.id]} for a in state.accounts.values()]
    totals = {status: sum(row[status] for row in accounts) for status in ("active", "retired", "cancelled")}
    totals["buffer"] = sum(row["active"] for row in accounts if row["kind"] == "buffer")
    totals["issued"] = sum(r.issued_t + r.buffer_t for r in state.reductions.values())
    reductions = [{"reduction": r.id, "jurisdiction": r.jurisdiction, "vintage": r.vintage,
                   "verified_t": r.verified_t, "issued_t": r.issued_t, "buffer_t": r.buffer_t}
                  for r in state.reductions.values()]
    adjustments = [{"act": s, "jurisdiction": j, "vintage": v, "co2e_t": t} for s, j, v, t in state.adjustments]
    return {"acts": state.seq, "totals_t": totals, "accounts": accounts, "reductions": reductions,
            "adjustments": adjustments}


def _projects(twin) -> list[dict]:
    from citytwin.finance import projects

    out = []
    for entity in twin.entities(type=projects.ENTITY_TYPE):
        record = projects.project(twin, entity.id.rsplit(":", 1)[-1])
        category = record["classification"].get("category") or {}
        out.append({key: record[key] for key in ("project_id", "name_zh", "name_en", "jurisdiction", "status",
                                                 "investment_cny", "expected_impact", "reported_impact",
                                                 "version", "log_index")}
                   | {"category": category, "edition": record["edition"]})
    return sorted(out, key=lambda p: p["project_id"])


def _bonds(twin) -> list[dict]:
    from citytwin.finance import bonds

    out = []
    for entity in twin.entities(type="GreenBond"):
        record = entity.properties.get("record", {})
        report = bonds.impact_report(twin, entity.id.rsplit(":", 1)[-1])
        out.append({**report, "name": record.get("name"), "issuer": record.get("issuer"),
                    "issued_on": record.get("issued_on")})
    return sorted(out, key=lambda b: b["bond_id"])


@router.get("/finance", summary="Green projects, credit registry balances and green bonds")
def finance(state: StateDep, _: ReadAccess) -> dict:
    """``registry``: totals [t CO2e] of issued, active, retired, cancelled and buffer credits, and
    per account, reduction and inventory adjustment; ``projects``: each green project's current
    signed version; ``bonds``: each bond's allocation and pro-rata impact. Recomputed only when
    the log has grown."""
    twin = state.twin
    key = (str(twin.config.data_dir), twin.log.size)
    with _lock:
        if key not in _cache:
            with state.write_lock:  # as /api/v1/finance: the registry is replayed from a stable log
                answer = {"registry": _registry(twin), "projects": _projects(twin), "bonds": _bonds(twin)}
            _cache.clear()
            _cache[key] = answer
        return _cache[key]
