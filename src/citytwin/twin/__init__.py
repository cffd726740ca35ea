"""citytwin.twin — entities, observations, canonical encoding, the DuckDB store and the `Twin` facade.

The public names are imported on first use, so that light modules of this package (such as
`citytwin.twin.config`) can be imported without loading pandas and DuckDB.
"""

from importlib import import_module

_EXPORTS = {
    "ATTRIBUTES": "citytwin.twin.attributes",
    "Attribute": "citytwin.twin.attributes",
    "CommitResult": "citytwin.twin.twin",
    "Entity": "citytwin.twin.model",
    "Observation": "citytwin.twin.model",
    "Rejection": "citytwin.twin.validate",
    "Twin": "citytwin.twin.twin",
    "VerifyReport": "citytwin.twin.queries",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'citytwin.twin' has no attribute {name!r}")
