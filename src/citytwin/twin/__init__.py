"""citytwin.twin — entities, observations, canonical encoding, the DuckDB store and the `Twin` facade."""

from citytwin.twin.attributes import ATTRIBUTES, Attribute
from citytwin.twin.model import Entity, Observation
from citytwin.twin.queries import VerifyReport
from citytwin.twin.twin import CommitResult, Twin
from citytwin.twin.validate import Rejection

__all__ = ["ATTRIBUTES", "Attribute", "CommitResult", "Entity", "Observation", "Rejection", "Twin", "VerifyReport"]
