"""Green finance (issue 9): China's green finance catalogues and a classifier, a green project
registry, a carbon-credit registry with no double counting, and green bonds — every record signed
and committed to the transparency log. See ``README.md`` in this package.

Modules: :mod:`~citytwin.finance.taxonomy`, :mod:`~citytwin.finance.classifier`,
:mod:`~citytwin.finance.projects`, :mod:`~citytwin.finance.bonds`, :mod:`~citytwin.finance.registry`
(pure state machine), :mod:`~citytwin.finance.registry_log` (on the log),
:mod:`~citytwin.finance.retirement` (offline proofs).
"""

__all__: list[str] = []
