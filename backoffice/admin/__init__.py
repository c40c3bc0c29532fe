"""The admin pages of every app, registered on the regulator's site (found by autodiscovery)."""

from backoffice.admin import (
    agencies,
    compliance,
    fingerprints,
    letters,
    notices,
    registry,
    transparency,
)

__all__ = [
    "agencies",
    "compliance",
    "fingerprints",
    "letters",
    "notices",
    "registry",
    "transparency",
]
