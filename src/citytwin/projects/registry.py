"""Projects of the investment program and their progress reports, signed and on the log.

A project is the twin entity ``urn:ngsi-ld:InvestmentProject:<id>`` whose ``record`` holds the
name (zh, en), category, budget [亿元] (None when no budget is published), milestones (``date``,
``text_zh``), sources and owner; a progress report is ``urn:ngsi-ld:ProjectProgressReport:
<id>.<period>`` (one per project and period, never changed) whose ``record`` holds the period,
progress [%], spending to date [亿元], milestones reached, a note, and the log index of the
project version it reports on. Both are signed by the project's owner with the signed-record
scheme of :mod:`citytwin.twin.signed` (Ed25519 over a context line and the RFC 8785 record;
principal keys under ``<data>/keys/principals/``, made by ``citytwin carbon principal``).

:func:`verify` checks every version of every project and report: its signature, that the owner
signed it, that the stored row equals its log entry, and that the stored row is included in the
log's signed checkpoint (RFC 9162 inclusion proof, C2SP tlog-proof). "The owner signed it" means
the owner's key: the verifier key that signed the project's first version, which the log pins;
a key merely carrying the owner's name does not pass. It raises
:class:`VerificationError` naming every record that fails.
"""

from __future__ import annotations

import math
import re

from citytwin.errors import BadInputError, CityTwinError, VerificationError
from citytwin.ledger.proof import verify_proof
from citytwin.twin import Entity, Twin
from citytwin.twin.signed import check_signed, commit_signed, first_signer_key, signed_entity, signed_version

__all__ = [
    "CATEGORIES", "PROJECT_TYPE", "REPORT_TYPE", "project", "project_entity", "projects", "register", "report",
    "reports", "verify",
]

PROJECT_TYPE = "InvestmentProject"
REPORT_TYPE = "ProjectProgressReport"
#: Categories of the sub-center's named projects (the ``sector`` of the reference data).
CATEGORIES = ("transport", "education", "health", "elderly_care", "urban_renewal", "culture", "sports",
              "green_water", "water_supply", "energy", "industry")
_PROJECT_CONTEXT = b"citytwin.projects.project/v1\n"
_REPORT_CONTEXT = b"citytwin.projects.report/v1\n"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$")
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?(-\d{2})?$")


def _project_id(project_id: str) -> str:
    if not isinstance(project_id, str) or not _ID.match(project_id):
        raise BadInputError(f"project id {project_id!r}: expected letters, digits, '-' or '_' (at most 64)")
    return f"urn:ngsi-ld:{PROJECT_TYPE}:{project_id}"


def _amount(value, what: str, allow_none: bool = True) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise BadInputError(f"{what} {value!r}: expected an amount ≥ 0 [亿元]")
    return float(value)


def _milestones(items) -> list[dict]:
    out = []
    for i, item in enumerate(items or []):
        if not isinstance(item, dict) or not _DATE.match(str(item.get("date", ""))) or not item.get("text_zh"):
            raise BadInputError(f"milestone {i} {item!r}: expected {{date: YYYY[-MM[-DD]], text_zh: ...}}")
        out.append({"date": str(item["date"]), "text_zh": str(item["text_zh"]),
                    **({"text_en": str(item["text_en"])} if item.get("text_en") else {})})
    return out


def project_entity(twin: Twin, principal: str, project_id: str, *, name_zh: str, jurisdiction: str, category: str,
                   budget_yi: float | None = None, milestones: list[dict] | None = None, name_en: str = "",
                   sources: list[str] | None = None) -> Entity:
    """A new project (version 1) checked and signed by ``principal``, who becomes its owner; not
    yet committed (:func:`register` commits one, the reference load many at once)."""
    entity_id = _project_id(project_id)
    if twin.entities(ids=[entity_id]):
        raise BadInputError(f"project {project_id!r} already exists")
    if category not in CATEGORIES:
        raise BadInputError(f"category {category!r}: expected one of {', '.join(CATEGORIES)}")
    if not str(name_zh).strip():
        raise BadInputError(f"project {project_id!r}: name_zh is empty")
    if not re.fullmatch(r"\d{6}", str(jurisdiction)):
        raise BadInputError(f"jurisdiction {jurisdiction!r}: expected a 6-digit administrative code")
    record = {"project_id": project_id, "name_zh": name_zh, "name_en": name_en, "category": category,
              "budget_yi": _amount(budget_yi, "budget_yi"), "milestones": _milestones(milestones),
              "sources": list(sources or []), "owner": principal}
    return signed_entity(twin, entity_id, PROJECT_TYPE, principal, _PROJECT_CONTEXT, record,
                         jurisdiction=str(jurisdiction))


def register(twin: Twin, principal: str, project_id: str, **fields) -> Entity:
    """Register a project (version 1), signed by ``principal``, who becomes its owner; the fields
    are those of :func:`project_entity`."""
    entity = project_entity(twin, principal, project_id, **fields)
    result = twin.commit([entity])
    if result.rejected or not result.accepted:
        raise BadInputError(f"{entity.id} refused: {result.rejected[0].reason if result.rejected else 'unchanged'}")
    return twin.entity(entity.id)


def project(twin: Twin, project_id: str) -> dict:
    """The current record of a project after its signature verified, with version and log index."""
    return signed_version(twin, _project_id(project_id), _PROJECT_CONTEXT, f"investment project {project_id!r}")


def projects(twin: Twin, jurisdiction: str | None = None, category: str | None = None) -> list[dict]:
    """Every project (current versions, signed with the key of their first version), optionally of
    one jurisdiction or category."""
    out = []
    for entity in twin.entities(type=PROJECT_TYPE, jurisdiction=jurisdiction):
        record = check_signed(entity.properties, _PROJECT_CONTEXT, entity.id, first_signer_key(twin, entity.id))
        if category is None or record["category"] == category:
            out.append({**record, "jurisdiction": entity.jurisdiction, "version": entity.version,
                        "log_index": entity.log_index})
    return sorted(out, key=lambda r: r["project_id"])


def report(twin: Twin, principal: str, project_id: str, period: str, *, progress_pct: float,
           spent_yi: float | None = None, milestones_reached: list[str] | None = None, note: str = "") -> Entity:
    """Commit the progress report of ``project_id`` for ``period`` (YYYY, YYYY-MM, YYYY-Qn or
    YYYY-Hn), signed by the project's owner. A period is reported once."""
    current = project(twin, project_id)
    if principal != current["owner"]:
        raise BadInputError(f"project {project_id!r} is owned by {current['owner']!r}; "
                            f"{principal!r} may not report on it")
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise BadInputError(f"period {period!r}: expected YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn")
    if isinstance(progress_pct, bool) or not isinstance(progress_pct, int | float) or not 0 <= progress_pct <= 100:
        raise BadInputError(f"progress_pct {progress_pct!r}: expected a percentage between 0 and 100")
    entity_id = f"urn:ngsi-ld:{REPORT_TYPE}:{project_id}.{period}"
    if twin.entities(ids=[entity_id]):
        raise BadInputError(f"project {project_id!r} already has a report for {period}: reports are not changed")
    record = {"project_id": project_id, "period": period, "progress_pct": float(progress_pct),
              "spent_yi": _amount(spent_yi, "spent_yi"), "milestones_reached": list(milestones_reached or []),
              "note": note, "project_log_index": current["log_index"], "owner": principal}
    return commit_signed(twin, entity_id, REPORT_TYPE, principal, _REPORT_CONTEXT, record,
                         jurisdiction=current["jurisdiction"], owner_key=current["owner_key"])


def _report_owner_key(twin: Twin, entity: Entity) -> str:
    """The key that signed the first version of the project a report names; `VerificationError`
    when it names no registered project."""
    project_id = (entity.properties.get("record") or {}).get("project_id")
    key = None
    if isinstance(project_id, str) and _ID.match(project_id):
        key = first_signer_key(twin, _project_id(project_id))
    if key is None:
        raise VerificationError(f"{entity.id}: no registered project {project_id!r} owns it")
    return key


def reports(twin: Twin, project_id: str | None = None) -> list[dict]:
    """Progress reports (signed with the key of their project's first version), of one project or
    all, by project then period."""
    pattern = None if project_id is None else f"urn:ngsi-ld:{REPORT_TYPE}:{re.escape(project_id)}\\..*"
    out = []
    for entity in twin.entities(type=REPORT_TYPE, id_pattern=pattern):
        record = check_signed(entity.properties, _REPORT_CONTEXT, entity.id, _report_owner_key(twin, entity))
        out.append({**record, "id": entity.id, "log_index": entity.log_index})
    return sorted(out, key=lambda r: (r["project_id"], r["period"]))


def _check(twin: Twin, entity: Entity, context: bytes, owner: tuple[str, str] | None) -> None:
    """One version: signed with the owner's key (``owner`` = name and key of the project's first
    version), stored as logged, included in the signed checkpoint."""
    what = f"{entity.id} version {entity.version} (log index {entity.log_index})"
    if owner is None:
        raise VerificationError(f"{what}: no registered project owns it")
    record = check_signed(entity.properties, context, what, owner_key=owner[1])
    if entity.properties.get("signer") != owner[0] or record.get("owner") != owner[0]:
        raise VerificationError(f"{what}: signed by {entity.properties.get('signer')!r}, "
                                f"expected the owner {owner[0]!r}")
    index = entity.log_index
    stored = dict(twin.iter_stored_entries(index, index + 1)).get(index)
    logged = next(twin.log.entries(index, index + 1))
    if stored != logged:
        raise VerificationError(f"{what}: the stored row differs from its log entry")
    verify_proof(twin.log.prove(index, include_entry=False), twin.verifier, entry=stored)


def verify(twin: Twin) -> dict:
    """Check every version of every project and report (see the module docstring); a summary, or
    :class:`VerificationError` naming each record that fails."""
    failures, owners, checked = [], {}, 0
    for entity_type, context in ((PROJECT_TYPE, _PROJECT_CONTEXT), (REPORT_TYPE, _REPORT_CONTEXT)):
        for current in twin.entities(type=entity_type):
            history = twin.entity_history(current.id)
            if entity_type == PROJECT_TYPE:
                first = history[0].properties
                owner = (first.get("signer"), first.get("signer_key"))
                owners[str(first.get("record", {}).get("project_id"))] = owner
            else:
                owner = owners.get(str(history[0].properties.get("record", {}).get("project_id")))
            for version in history:
                try:
                    _check(twin, version, context, owner)
                except CityTwinError as e:
                    failures.append(str(e))
                checked += 1
    if failures:
        raise VerificationError(f"{len(failures)} investment-program records fail: " + "; ".join(failures))
    return {"ok": True, "records_checked": checked, "log_size": twin.log.size}
