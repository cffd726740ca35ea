"""The sub-center's named projects (reference data) as signed investment projects.

Each of the 41 rows of ``data/named_projects.parquet`` becomes project ``scp-NN`` (its row
number, 01–41), registered and signed by the principal who loads them (the office keeping the
program). Fields come from the row and nothing else: ``category`` = ``sector``; milestones from
``status_or_target`` (``"2020: 开工建设; 2025-05: 年内完工"`` → two milestones); ``sources`` from
``sources``; the budget is None, because the sources publish none; ``name_en`` is empty, because
the sources give Chinese names only. Jurisdiction: 110000 (Beijing) for the rows the data marks
"Beijing-wide", else 110112 (Tongzhou), where the sub-center's projects are built.
"""

from __future__ import annotations

from dataclasses import dataclass

from citytwin.errors import BadInputError
from citytwin.projects.program import named_projects
from citytwin.projects.registry import PROJECT_TYPE, project_entity
from citytwin.twin import Twin

__all__ = ["LoadReport", "load_reference", "milestones_of", "reference_project_id"]


def reference_project_id(row_number: int) -> str:
    return f"scp-{row_number:02d}"


def milestones_of(status: str) -> list[dict]:
    """Milestones from a ``status_or_target`` text: ``"YYYY[-MM]: text"`` items joined by ``"; "``."""
    out = []
    for part in str(status).split("; "):
        date, sep, text = part.partition(": ")
        if not sep or not text.strip():
            raise BadInputError(f"status {part!r}: expected 'YYYY[-MM]: text'")
        out.append({"date": date.strip(), "text_zh": text.strip()})
    return out


@dataclass(frozen=True)
class LoadReport:
    registered: int
    already_there: int


def load_reference(twin: Twin, principal: str) -> LoadReport:
    """Register the named projects not yet in the twin, signed by ``principal``: each is checked and
    signed first, then all are committed in one batch (one log append, one checkpoint)."""
    entities, already = [], 0
    for number, row in enumerate(named_projects().to_dict("records"), start=1):
        project_id = reference_project_id(number)
        if twin.entities(ids=[f"urn:ngsi-ld:{PROJECT_TYPE}:{project_id}"]):
            already += 1
            continue
        beijing_wide = "Beijing-wide" in str(row.get("note") or "")
        entities.append(project_entity(
            twin, principal, project_id, name_zh=row["project_zh"], category=row["sector"],
            jurisdiction="110000" if beijing_wide else "110112", budget_yi=None,
            milestones=milestones_of(row["status_or_target"]),
            sources=[s.strip() for s in str(row["sources"]).split(" | ") if s.strip()]))
    if entities:
        result = twin.commit(entities)
        if result.rejected:
            raise BadInputError(f"{len(result.rejected)} reference projects refused; first: "
                                f"{result.rejected[0].reason}")
    return LoadReport(len(entities), already)
