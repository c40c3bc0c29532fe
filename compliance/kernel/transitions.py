"""The one way a state changes: lock, check state and actor, transition, save once, record.

Transition methods on models only move the state (django-fsm-2). Permissions are declared on
them: `permission=` names the staff permission, `custom={"actors": {...}}` lets a platform or a
scheduled job take that transition too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import Transition

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import RoleForbidden, TransitionNotAllowed

M = TypeVar("M", bound=models.Model)


# Transitions as people name them (buttons, refusals), translated; a model's transition is
# named in code.
TRANSITION_LABELS = {
    "accept_update": gettext_lazy("Accept update"),
    "acknowledge": gettext_lazy("Acknowledge"),
    "approve": gettext_lazy("Approve"),
    "close": gettext_lazy("Close"),
    "file_application": gettext_lazy("File application"),
    "grant": gettext_lazy("Grant"),
    "issue": gettext_lazy("Issue"),
    "refuse": gettext_lazy("Refuse"),
    "reject": gettext_lazy("Reject"),
    "release": gettext_lazy("Release"),
    "reopen": gettext_lazy("Reopen"),
    "require_update": gettext_lazy("Require update"),
    "uphold": gettext_lazy("Uphold"),
    "warn": gettext_lazy("Warn"),
    "withdraw": gettext_lazy("Withdraw"),
}


def transition_label(name: str) -> str:
    return str(TRANSITION_LABELS.get(name, name.replace("_", " ").capitalize()))


def _state_label(method: Any, state: str) -> str:
    choices = dict(method._django_fsm.field.flatchoices)
    return str(choices.get(state, state)).lower()


def _transition_of(obj: models.Model, name: str) -> tuple[Any, Transition | None, str]:
    method = getattr(obj, name)
    meta = method._django_fsm
    state = meta.field.get_state(obj)
    transition = meta.get_transition(state) if meta.has_transition(state) else None
    return method, transition, state


def actor_may(actor: Actor, obj: models.Model, transition: Transition) -> bool:
    """Staff by the transition's permission; a transition that names none (the sweep's own,
    such as a fine lapsing) is no one's on staff. Platforms and jobs by `custom["actors"]`."""
    if actor.kind == "user":
        assert actor.user is not None
        return (
            actor.user.is_active
            and transition.permission is not None
            and transition.has_perm(obj, actor.user)
        )
    return actor.kind in transition.custom.get("actors", ())


def transitions_available(obj: models.Model, *, field: str, actor: Actor) -> list[Transition]:
    """Transitions allowed from the current state whose conditions hold and the actor may take."""
    available = getattr(obj, f"get_available_{field}_transitions")()
    return [t for t in available if actor_may(actor, obj, t)]


def transition_check(obj: models.Model, *, name: str, actor: Actor) -> None:
    """Raise unless transition `name` is allowed from `obj`'s state, its conditions hold and
    `actor` may take it: what `transition_apply` checks on the locked row, and what a button
    asks before it shows."""
    method, transition, state = _transition_of(obj, name)
    label = type(obj)._meta.verbose_name
    values = {"action": transition_label(name).lower(), "model": label}
    if transition is None:
        raise TransitionNotAllowed(
            _("Cannot %(action)s a %(model)s that is %(state)s.")
            % {**values, "state": _state_label(method, state)},
            current_state=state,
        )
    if not actor_may(actor, obj, transition):
        raise RoleForbidden(f"{actor.label} may not {name.replace('_', ' ')} this {label}.")
    if not method._django_fsm.conditions_met(obj, state):
        raise TransitionNotAllowed(
            _("The conditions to %(action)s this %(model)s are not met.") % values,
            current_state=state,
        )


def transition_apply(
    *,
    obj: M,
    name: str,
    actor: Actor,
    legal_basis: str,
    reason: str = "",
    links: Sequence[models.Model] = (),
    before: Callable[[M], None] | None = None,
    args: Sequence[Any] = (),
) -> M:
    """Run transition `name` on a locked fresh copy of `obj` and return that copy.

    `before(locked)` runs on the locked row before the state moves, for checks and field
    changes that belong to the same save (e.g. issuing a number).
    """
    field_name = getattr(obj, name)._django_fsm.field.name
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        transition_check(locked, name=name, actor=actor)
        method, _unused, state = _transition_of(locked, name)
        if before is not None:
            before(locked)
        method(*args)
        locked.save()
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action(f"{type(obj)._meta.model_name}.{name}"),
            from_state=state,
            to_state=getattr(locked, field_name),
            legal_basis=legal_basis,
            reason=reason,
            links=links,
        )
    return locked
