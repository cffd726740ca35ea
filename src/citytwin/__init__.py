"""citytwin: the digital infrastructure of a city district.

A digital twin (entities, observations) whose every accepted record is committed to a
C2SP transparency log, and the district's applications on top of it. See DESIGN.md.
"""

from citytwin.errors import BadInputError, CityTwinError, NotFoundError, VerificationError

__all__ = ["BadInputError", "CityTwinError", "NotFoundError", "VerificationError", "__version__"]
__version__ = "0.1.0"
