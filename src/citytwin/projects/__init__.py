"""The investment program (issue 11, point 5): projects with jurisdiction, category, budget and
milestones, progress reports signed by the project's principal and committed to the log, and
the program's published yearly figures against its 1000 亿元 a year target.

Modules: :mod:`~citytwin.projects.program` (published figures), :mod:`~citytwin.projects.registry`
(signed projects and reports, their verification), :mod:`~citytwin.projects.load` (the named
projects of the reference data).
"""

__all__: list[str] = []
