"""Green bonds: allocation of proceeds to registered projects and a provable impact report.

* A bond is ``urn:ngsi-ld:GreenBond:<id>``: issuer, amount [CNY], issue date and the catalogue
  edition its use of proceeds is judged by. A bond issued before 2025-10-01 keeps the 2021
  catalogue (notice of the 2025 catalogue, point 3: bonds registered before it follow the
  earlier standard); later ones use the 2025 catalogue.
* Each allocation is ``urn:ngsi-ld:BondAllocation:<bond>-<n>``, signed by the issuer: a project
  of :mod:`citytwin.finance.projects` that is eligible under the bond's edition, an amount, and
  the log index of the project version it relied on. Allocations never exceed the bond amount,
  nor a project's investment.
* The impact report attributes to the bond its pro-rata share of each project's impact,
  ``allocated / investment × impact`` (ICMA, *Handbook – Harmonised Framework for Impact
  Reporting*, 2024, pro-rata approach), from the reported impact when there is one, else the
  expected one, and says which. :func:`prove_report` bundles a C2SP tlog-proof for every record
  used; :func:`verify_report` checks them offline and recomputes every figure. Allocations are
  numbered 1..n and a bundle must hold them without gaps; that none was added after the bundle's
  checkpoint is seen in a later report or in the log itself.
"""

from __future__ import annotations

from datetime import date

import orjson

from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.finance import projects
from citytwin.finance.classifier import classify
from citytwin.ledger.note import Verifier
from citytwin.twin import Twin
from citytwin.twin.canonical import canonicalize
from citytwin.twin.signed import check_signed, commit_signed, first_signer_key

__all__ = ["allocate", "impact_report", "issue", "prove_report", "verify_report"]

BOND_TYPE, ALLOCATION_TYPE = "GreenBond", "BondAllocation"
_BOND_CONTEXT = b"citytwin.finance.bond/v1\n"
_ALLOCATION_CONTEXT = b"citytwin.finance.allocation/v1\n"
_PROJECT_CONTEXT = projects.signed_context()
_CUTOVER = "2025-10-01"  # the 2025 catalogue's entry into force


def _bond_id(bond_id: str) -> str:
    return f"urn:ngsi-ld:{BOND_TYPE}:{bond_id}"


def issue(twin: Twin, issuer: str, bond_id: str, *, name: str, amount_cny: float, issued_on: str,
          edition: str | None = None) -> dict:
    """Record a green bond, signed by its issuer; returns its record."""
    try:
        day = date.fromisoformat(issued_on).isoformat()
    except (TypeError, ValueError):
        raise BadInputError(f"issued_on {issued_on!r}: expected a date YYYY-MM-DD") from None
    if isinstance(amount_cny, bool) or not isinstance(amount_cny, int | float) or amount_cny <= 0:
        raise BadInputError(f"amount_cny {amount_cny!r}: expected a positive amount [CNY]")
    if twin.entities(ids=[_bond_id(bond_id)]):
        raise BadInputError(f"bond {bond_id!r} already exists")
    edition = edition or ("2021" if day < _CUTOVER else "2025")
    record = {"bond_id": bond_id, "name": name, "issuer": issuer, "amount_cny": amount_cny, "issued_on": day,
              "edition": edition}
    commit_signed(twin, _bond_id(bond_id), BOND_TYPE, issuer, _BOND_CONTEXT, record)
    return record


def _bond(twin: Twin, bond_id: str):
    found = twin.entities(ids=[_bond_id(bond_id)])
    if not found:
        raise NotFoundError(f"no green bond {bond_id!r}")
    key = first_signer_key(twin, found[0].id)
    return found[0], {**check_signed(found[0].properties, _BOND_CONTEXT, found[0].id, key), "issuer_key": key}


def _allocations(twin: Twin, bond_id: str) -> list:
    prefix = f"urn:ngsi-ld:{ALLOCATION_TYPE}:{bond_id}-"
    found = [e for e in twin.entities(type=ALLOCATION_TYPE) if e.id.startswith(prefix)]
    return sorted(found, key=lambda e: int(e.id.rsplit("-", 1)[1]))


def allocate(twin: Twin, issuer: str, bond_id: str, project_id: str, amount_cny: float) -> dict:
    """Allocate ``amount_cny`` of the bond's proceeds to a project, signed by the issuer."""
    _, bond = _bond(twin, bond_id)
    if issuer != bond["issuer"]:
        raise BadInputError(f"bond {bond_id!r} is issued by {bond['issuer']!r}; {issuer!r} may not allocate it")
    if isinstance(amount_cny, bool) or not isinstance(amount_cny, int | float) or amount_cny <= 0:
        raise BadInputError(f"amount_cny {amount_cny!r}: expected a positive amount [CNY]")
    project = projects.project(twin, project_id)
    verdict = classify(project["activity"], project["attributes"], bond["edition"])
    if not verdict.eligible:
        raise BadInputError(f"project {project_id!r} under the bond's {bond['edition']} catalogue: {verdict.reason_en}")
    existing = [check_signed(e.properties, _ALLOCATION_CONTEXT, e.id, bond["issuer_key"])
                for e in _allocations(twin, bond_id)]
    total = sum(a["amount_cny"] for a in existing) + amount_cny
    if total > bond["amount_cny"]:
        raise BadInputError(f"allocating {amount_cny} CNY brings bond {bond_id!r} to {total} CNY: at most its "
                            f"{bond['amount_cny']} CNY")
    to_project = sum(a["amount_cny"] for a in existing if a["project_id"] == project_id) + amount_cny
    if to_project > project["investment_cny"]:
        raise BadInputError(f"allocating {to_project} CNY to project {project_id!r}: at most its investment "
                            f"{project['investment_cny']} CNY")
    record = {"bond_id": bond_id, "project_id": project_id, "amount_cny": amount_cny,
              "project_log_index": project["log_index"], "category": verdict.to_dict()["category"]}
    commit_signed(twin, f"urn:ngsi-ld:{ALLOCATION_TYPE}:{bond_id}-{len(existing) + 1}", ALLOCATION_TYPE, issuer,
                  _ALLOCATION_CONTEXT, record, jurisdiction=project["jurisdiction"], owner_key=bond["issuer_key"])
    return record


def _report(bond: dict, allocations: list[dict], project_records: dict[str, dict]) -> dict:
    """The impact report from records (pure: used to make and to verify a report)."""
    lines, totals = [], {}
    for allocation in allocations:
        project = project_records[allocation["project_id"]]
        share = allocation["amount_cny"] / project["investment_cny"]
        basis = "reported" if project["reported_impact"] else "expected"
        impact = project[f"{basis}_impact"]
        attributed = {k: v * share for k, v in sorted(impact.items())}
        for key, value in attributed.items():
            totals[key] = totals.get(key, 0.0) + value
        lines.append({"project_id": allocation["project_id"], "amount_cny": allocation["amount_cny"],
                      "share": share, "impact_basis": basis, "impact": attributed,
                      "category": allocation["category"]})
    allocated = sum(a["amount_cny"] for a in allocations)
    return {"bond_id": bond["bond_id"], "edition": bond["edition"], "amount_cny": bond["amount_cny"],
            "allocated_cny": allocated, "unallocated_cny": bond["amount_cny"] - allocated,
            "allocations": lines, "impact_totals": totals}


def impact_report(twin: Twin, bond_id: str) -> dict:
    """Allocation and pro-rata impact of a bond (each signed record checked)."""
    _, bond = _bond(twin, bond_id)
    allocations = [check_signed(e.properties, _ALLOCATION_CONTEXT, e.id, bond["issuer_key"])
                   for e in _allocations(twin, bond_id)]
    records = {a["project_id"]: projects.project(twin, a["project_id"]) for a in allocations}
    return _report(bond, allocations, records)


def prove_report(twin: Twin, bond_id: str) -> dict:
    """The report with a tlog-proof of every record it uses (bond, allocations, project versions)."""
    entity, _ = _bond(twin, bond_id)
    indices = [entity.log_index] + [e.log_index for e in _allocations(twin, bond_id)]
    report = impact_report(twin, bond_id)
    project_indices = sorted({projects.project(twin, line["project_id"])["log_index"]
                              for line in report["allocations"]})
    return {"report": report, "log_verifier_key": twin.verifier.text,
            "proofs": [twin.log.prove(i) for i in indices + project_indices]}


def verify_report(bundle: dict, log_verifier_key: str) -> dict:
    """Verify every proof offline, every signature, and recompute the report; returns it."""
    from citytwin.ledger.proof import parse_proof, verify_proof

    verifier = Verifier.from_text(log_verifier_key.strip())
    bond, bond_key, allocation_docs, records = None, None, [], {}
    for proof in bundle["proofs"]:
        verify_proof(proof, verifier)
        doc = orjson.loads(parse_proof(proof).extra)
        kind = doc.get("type")
        if kind == BOND_TYPE:
            bond, bond_key = check_signed(doc["properties"], _BOND_CONTEXT, doc["id"]), doc["properties"]["signer_key"]
        elif kind == ALLOCATION_TYPE:
            allocation_docs.append(doc)
        elif kind == projects.ENTITY_TYPE:
            record = check_signed(doc["properties"], _PROJECT_CONTEXT, doc["id"])
            records[record["project_id"]] = record
        else:
            raise VerificationError(f"proven entry {doc.get('id')!r} is not a bond, allocation or project")
    if bond is None:
        raise VerificationError("the bundle has no proven bond record")
    allocations = [(int(doc["id"].rsplit("-", 1)[1]), check_signed(doc["properties"], _ALLOCATION_CONTEXT, doc["id"],
                                                                   owner_key=bond_key))
                   for doc in allocation_docs]  # signed with the issuer's key, the one that signed the bond
    ordered = [a for _, a in sorted(allocations, key=lambda pair: pair[0])]
    if [n for n, _ in sorted(allocations, key=lambda pair: pair[0])] != list(range(1, len(ordered) + 1)):
        raise VerificationError("allocations: expected numbers 1..n without gaps")
    if any(a["bond_id"] != bond["bond_id"] for a in ordered):
        raise VerificationError(f"an allocation belongs to another bond than {bond['bond_id']!r}")
    recomputed = _report(bond, ordered, records)
    if canonicalize(recomputed) != canonicalize(bundle["report"]):  # RFC 8785: 8e7 and 80000000 alike
        raise VerificationError(f"report of bond {bond['bond_id']!r}: the figures differ from those recomputed "
                                "from the proven records")
    return recomputed
