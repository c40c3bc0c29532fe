"""Domain errors raised by services; the admin and the API turn them into messages and statuses."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was changed."""


class TransitionNotAllowed(DomainError):
    """The transition is not allowed from the object's current state (API: 409)."""

    def __init__(self, message: str, *, current_state: str) -> None:
        super().__init__(message)
        self.current_state = current_state


class ActionForbidden(PermissionDenied, DomainError):
    """The actor may not perform this action (API: 403)."""


class RoleForbidden(ActionForbidden):
    """The actor's role lacks the permission the action needs (the message names it, for logs
    and the API; the admin says it in plain words)."""


class FourEyesViolation(ActionForbidden):
    """A proposal must be approved by someone other than its proposer."""


def require_reason(reason: str) -> None:
    """Decisions that burden someone state why; refuse an empty reason before anything changes."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required for this decision.")})
