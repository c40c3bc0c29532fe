"""Who acts: a staff user, a platform or a requesting agency (each through its API key), or a
named scheduled job.

Every service takes an `Actor`; the decision record stores it, and transitions check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from compliance.kernel.errors import ActionForbidden, RoleForbidden

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from registry.models import Platform

ActorKind = Literal["user", "platform", "job", "agency"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: User | None = None
    platform: Platform | None = None
    job: str = ""
    agency_id: int | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(kind="user", user=user)

    @classmethod
    def of_platform(cls, platform: Platform) -> Actor:
        return cls(kind="platform", platform=platform)

    @classmethod
    def of_agency(cls, agency_id: int, user: User | None = None) -> Actor:
        """A requesting agency (MR5 Art. 14(1)): through its API key, or one of its staff
        (`user`) in the admin. Either way it holds the agency's powers, none of the staff's."""
        return cls(kind="agency", agency_id=agency_id, user=user)

    @classmethod
    def scheduled_job(cls, name: str) -> Actor:
        return cls(kind="job", job=name)

    @property
    def label(self) -> str:
        if self.kind == "user":
            assert self.user is not None
            return f"user:{self.user.get_username()}"
        if self.kind == "platform":
            assert self.platform is not None
            return f"platform:{self.platform.pk}"
        if self.kind == "agency":
            member = f" user:{self.user.get_username()}" if self.user else ""
            return f"agency:{self.agency_id}{member}"
        return f"job:{self.job}"

    def has_perm(self, perm: str) -> bool:
        """Model permissions belong to staff users only; platforms and jobs act by transition."""
        return self.kind == "user" and self.user is not None and self.user.has_perm(perm)

    def require_perm(self, perm: str) -> None:
        if not self.has_perm(perm):
            raise RoleForbidden(f"{self.label} lacks the permission {perm}")

    def require_for_platform(self, platform_id: int, perm: str) -> None:
        """A platform acts only on what is addressed to it; staff need `perm`."""
        if self.kind == "platform":
            assert self.platform is not None
            if self.platform.pk != platform_id:
                raise ActionForbidden("This is addressed to another platform.")
            return
        self.require_perm(perm)
