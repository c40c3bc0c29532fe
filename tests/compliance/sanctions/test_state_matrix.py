"""Every sanction's state machine, state by state: which transitions it offers, and to whom.

Written out by hand, so a transition added to or taken from a state (an access block
approvable again from `rejected`, say) fails here until the table is changed on purpose.
"""

import pytest
from django.db import models

from compliance.kernel.actors import Actor
from compliance.kernel.transitions import actor_may
from compliance.models import (
    AccessBlock,
    Fine,
    NormalizationRequest,
    RegistrationSanction,
    SanctionRelease,
)

# model: {state: {transition: who may take it}}
SUPERVISOR, OFFICER, JOB = "supervisor", "officer", "job"
MATRIX: dict[type[models.Model], dict[str, dict[str, set[str]]]] = {
    Fine: {
        "proposed": {"approve": {SUPERVISOR}, "reject": {SUPERVISOR}},
        "assessed": {
            "confirm_payment": {SUPERVISOR, OFFICER},
            "lapse": {JOB},
            "waive": {SUPERVISOR},
        },
        "overdue": {"confirm_payment": {SUPERVISOR, OFFICER}, "waive": {SUPERVISOR}},
        "paid": {},
        "waived": {},
        "rejected": {},
    },
    AccessBlock: {
        "proposed": {"approve": {SUPERVISOR}, "reject": {SUPERVISOR}},
        "in_force": {"lift": {SUPERVISOR}},
        "lifted": {},
        "rejected": {},
    },
    RegistrationSanction: {
        "proposed": {"approve": {SUPERVISOR}, "reject": {SUPERVISOR}},
        "approved": {},
        "rejected": {},
    },
    NormalizationRequest: {
        "requested": {"grant": {SUPERVISOR}, "refuse": {SUPERVISOR}},
        "granted": {},
        "refused": {},
    },
    SanctionRelease: {
        "proposed": {"approve": {SUPERVISOR}, "reject": {SUPERVISOR}},
        "approved": {},
        "rejected": {},
    },
}
CASES = [(m, s) for m, states in MATRIX.items() for s in states]


def test_the_table_names_every_state_of_every_sanction():
    for model, states in MATRIX.items():
        choices = {value for value, _ in model._meta.get_field("status").choices}
        assert set(states) == choices, model


@pytest.mark.parametrize(("model", "state"), CASES, ids=[f"{m.__name__}-{s}" for m, s in CASES])
def test_transitions_offered_from_each_state_to_each_actor(model, state, officer, supervisor):
    obj = model(status=state)  # in memory: only its state matters here
    actors = {
        SUPERVISOR: Actor.staff(supervisor),
        OFFICER: Actor.staff(officer),
        JOB: Actor.scheduled_job("escalation-sweep"),
    }
    offered = {
        transition.name: {who for who, actor in actors.items() if actor_may(actor, obj, transition)}
        for transition in obj.get_available_status_transitions()
    }
    assert offered == MATRIX[model][state]
