"""``/api/v1/projects``: the investment program's projects, signed progress reports, yearly totals.

Reads need read access. Writes need a writer or admin API key, and are signed with the Ed25519
key of the principal of that API key (``<data>/keys/principals/<name>.key``, made by
``citytwin carbon principal NAME``): the caller registers projects as their owner and reports
only on projects it owns (400 otherwise). Unknown projects are 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from citytwin.api.deps import ReadAccess, StateDep, WriteAccess

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


class Milestone(BaseModel):
    date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD.")
    text_zh: str
    text_en: str = ""


class ProjectIn(BaseModel):
    project_id: str = Field(description="Letters, digits, '-' or '_'.")
    name_zh: str
    name_en: str = ""
    jurisdiction: str = Field(description="Administrative code, e.g. 110112.")
    category: str = Field(description="transport, education, health, elderly_care, ...")
    budget_yi: float | None = Field(None, description="Budget [亿元]; null when none is published.")
    milestones: list[Milestone] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class ReportIn(BaseModel):
    period: str = Field(description="YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn.")
    progress_pct: float = Field(description="Progress [%], 0–100.")
    spent_yi: float | None = Field(None, description="Spent to date [亿元].")
    milestones_reached: list[str] = Field(default_factory=list)
    note: str = ""


class Committed(BaseModel):
    id: str
    version: int
    log_index: int


@router.get("/totals", summary="Published yearly investment figures against the 1000 亿元 target")
def totals(_: ReadAccess) -> dict:
    from citytwin.projects.program import TARGET_YI, yearly_totals

    return {"target_yi": TARGET_YI, "totals": yearly_totals()}


@router.get("", summary="Projects (signatures checked)")
def list_projects(state: StateDep, _: ReadAccess,
                  jurisdiction: Annotated[str | None, Query(description="Adcode.")] = None,
                  category: Annotated[str | None, Query()] = None) -> list[dict]:
    from citytwin.projects.registry import projects

    with state.write_lock:
        return projects(state.twin, jurisdiction, category)


@router.get("/{project_id}", summary="A project with its progress reports")
def show(project_id: str, state: StateDep, _: ReadAccess) -> dict:
    from citytwin.projects.registry import project, reports

    with state.write_lock:
        return {**project(state.twin, project_id), "reports": reports(state.twin, project_id)}


@router.post("", summary="Register a project, signed by the caller's principal key")
def add(spec: ProjectIn, state: StateDep, caller: WriteAccess) -> Committed:
    from citytwin.projects.registry import register

    fields = spec.model_dump()
    with state.write_lock:
        entity = register(state.twin, caller.name, fields.pop("project_id"), **fields)
    return Committed(id=entity.id, version=entity.version, log_index=entity.log_index)


@router.post("/{project_id}/reports", summary="Commit a progress report, signed by the owner's principal key")
def add_report(project_id: str, spec: ReportIn, state: StateDep, caller: WriteAccess) -> Committed:
    from citytwin.projects.registry import report

    with state.write_lock:
        entity = report(state.twin, caller.name, project_id, spec.period, progress_pct=spec.progress_pct,
                        spent_yi=spec.spent_yi, milestones_reached=spec.milestones_reached, note=spec.note)
    return Committed(id=entity.id, version=entity.version, log_index=entity.log_index)
