"""The admin pages of every app, registered on the regulator's site (found by autodiscovery)."""

from backoffice.admin import (
    agencies,
    assessments,
    compliance,
    fingerprints,
    letters,
    notices,
    registry,
    transparency,
)

__all__ = [
    "agencies",
    "assessments",
    "compliance",
    "fingerprints",
    "letters",
    "notices",
    "registry",
    "transparency",
]
