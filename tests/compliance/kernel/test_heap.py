"""The sweep's processes keep their start-up heap out of the garbage collector's full passes."""

import gc

from django.core.management import call_command

from compliance.kernel.heap import heap_frozen


def test_a_frozen_block_hands_the_heap_back_to_the_collector_at_its_end():
    assert gc.get_freeze_count() == 0
    with heap_frozen():
        assert gc.get_freeze_count() > 10_000  # Django and the apps, loaded
    assert gc.get_freeze_count() == 0


def test_the_escalate_command_leaves_nothing_frozen(db):
    call_command("escalate", "--dry-run")
    assert gc.get_freeze_count() == 0
