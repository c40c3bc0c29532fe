"""MR5's default terms are defined once (compliance/policies/mr5.py): the data migration that
created the policy keeps its own frozen copy, which must say the same."""

import importlib
from decimal import Decimal

from compliance.models import EscalationPolicy
from compliance.policies import mr5
from compliance.policies.services import policy_current_version, policy_default

MIGRATION = importlib.import_module("compliance.migrations.0022_mr5_rung_citations")


def test_the_migrations_copy_is_the_same_ladder():
    assert MIGRATION.MR5_LADDER == mr5.LADDER


def test_every_rung_of_mr5_cites_its_rule():
    assert all(step["legal_basis"].startswith("MR5 Art.") for step in mr5.LADDER)


def test_the_policy_the_migration_made_carries_the_terms(db):
    policy = policy_default()
    assert policy.name == mr5.NAME
    assert policy.terms() == mr5.TERMS
    assert policy_current_version(policy=policy).terms == mr5.TERMS


def test_a_new_policy_starts_from_mr5s_numbers():
    fresh = EscalationPolicy(name="Draft")
    assert fresh.terms() == {**mr5.TERMS, "ladder": []}
    assert fresh.fine_cap_per_item == Decimal(mr5.TERMS["fine_cap_per_item"])
