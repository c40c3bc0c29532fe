"""Tampering by someone with database access, as an audit tried it: each must be reported.

Every record carries a MAC made with a key the database never holds, and checkpoints of the
chain are signed with a key kept outside it and copied to a log file, so rewriting the table
(even recomputing every hash and moving the chain head) no longer passes `verify_decisions`.
"""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from compliance.kernel import append_only
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import (
    ChainTampered,
    decision_chain_verify,
    decision_checkpoint_latest,
    decision_checkpoint_write,
)
from compliance.kernel.models import record_hash
from compliance.models import DecisionChainHead, DecisionRecord
from registry import services as registry

RECORDS = "compliance_decisionrecord"
CHECKPOINTS = "compliance_decisioncheckpoint"
HEAD = "compliance_decisionchainhead"


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _around_triggers(*statements: tuple[str, list]) -> None:
    """Run statements as an intruder with full database access would: triggers lifted."""
    for table in append_only.TABLES:
        append_only.uninstall(connection, table)
    for sql, params in statements:
        _raw(sql, params)
    for table in append_only.TABLES:
        append_only.install(connection, table)


def _verify_fails(match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("verify_decisions")


@pytest.fixture
def sealed(make_platform, officer):
    """Two platforms' worth of records and a signed checkpoint over them, then more records."""
    make_platform()
    make_platform()
    checkpoint = decision_checkpoint_write()
    make_platform(registered=False)
    return checkpoint


def test_a_checkpoint_is_signed_logged_and_verifies(sealed, settings):
    assert sealed.seq == DecisionRecord.objects.filter(seq__lte=sealed.seq).count() == 6
    [line] = Path(settings.DECISION_CHECKPOINT_LOG).read_text().splitlines()
    assert json.loads(line) == decision_checkpoint_latest() == sealed.as_published()
    report = decision_chain_verify()
    assert report.ok
    assert report.checkpoints == 2  # the table's copy and the log's
    assert decision_checkpoint_write() is not None  # the records after it
    assert decision_checkpoint_write() is None  # nothing new since


def test_records_emptied_and_head_reset_are_caught_by_the_checkpoint(sealed):
    # TRUNCATE on PostgreSQL passes row triggers; on SQLite the same effect needs them lifted.
    if connection.vendor == "postgresql":
        _raw("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending checks, then:
        _raw(f"TRUNCATE {RECORDS}")  # with the triggers in place: they cannot refuse it
        _raw(f"UPDATE {HEAD} SET seq = 0, hash = %s", ["0" * 64])
    else:
        _around_triggers(
            (f"DELETE FROM {RECORDS}", []), (f"UPDATE {HEAD} SET seq = 0, hash = %s", ["0" * 64])
        )
    report = decision_chain_verify()
    assert (report.checked, report.broken_at) == (0, 1)
    assert "checkpoint #6" in report.problem
    _verify_fails(r"records after #0 are missing: checkpoint #6")


def test_checkpoints_emptied_too_are_caught_by_the_log_outside_the_database(sealed):
    _around_triggers(
        (f"DELETE FROM {RECORDS}", []),
        (f"DELETE FROM {CHECKPOINTS}", []),
        (f"UPDATE {HEAD} SET seq = 0, hash = %s", ["0" * 64]),
    )
    report = decision_chain_verify()
    assert report.broken_at == 1
    assert "checkpoints.jsonl line 1" in report.problem


def test_a_cut_tail_with_the_head_moved_back_is_caught(sealed):
    kept = DecisionRecord.objects.get(seq=4)
    _around_triggers(
        (f"DELETE FROM {RECORDS} WHERE seq > %s", [4]),
        (f"UPDATE {HEAD} SET seq = %s, hash = %s", [4, kept.hash]),
    )
    report = decision_chain_verify()
    assert (report.broken_at, report.checked) == (5, 4)
    assert "checkpoint #6" in report.problem


def test_an_edit_with_every_following_hash_recomputed_is_caught(sealed):
    records = list(DecisionRecord.objects.order_by("seq"))
    records[1].reason = "rewritten"
    statements = []
    prev = records[0].hash
    for record in records[1:]:
        record.prev_hash = prev
        record.hash = record_hash(record.content())
        statements.append(
            (
                f"UPDATE {RECORDS} SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [record.reason, record.prev_hash, record.hash, record.seq],
            )
        )
        prev = record.hash
    statements.append((f"UPDATE {HEAD} SET hash = %s", [prev]))
    _around_triggers(*statements)
    report = decision_chain_verify()
    assert (report.broken_at, report.problem) == (
        2,
        "its seal does not match: written without the key",
    )


def test_a_forged_record_with_a_correct_hash_is_caught_and_never_checkpointed(sealed, officer):
    last = DecisionRecord.objects.order_by("-seq").first()
    forged = DecisionRecord.objects.get(seq=last.seq)
    forged.pk, forged.seq, forged.prev_hash = None, last.seq + 1, last.hash
    forged.reason, forged.action = "Fine waived.", "fine.waive"
    forged.hash = record_hash(forged.content())
    forged.mac = "0" * 64
    forged.save()
    DecisionChainHead.objects.filter(pk=1).update(seq=forged.seq, hash=forged.hash)
    report = decision_chain_verify()
    assert (report.broken_at, report.problem) == (
        forged.seq,
        "its seal does not match: written without the key",
    )
    with pytest.raises(ChainTampered, match=f"record #{forged.seq} was written without the key"):
        decision_checkpoint_write()
    with pytest.raises(CommandError, match="Not signed"):
        call_command("decisions_checkpoint")


def test_a_checkpoint_edited_in_the_table_fails_its_signature(sealed):
    other = DecisionRecord.objects.get(seq=3)
    _around_triggers(
        (f"UPDATE {CHECKPOINTS} SET seq = %s, hash = %s", [3, other.hash]),
    )
    report = decision_chain_verify()
    assert "checkpoint #3 in the checkpoint table is not signed by a trusted key" in report.problem


def test_published_copies_are_held_against_the_chain(sealed, tmp_path, settings):
    copy = tmp_path / "kept-by-a-journalist.jsonl"
    copy.write_text(Path(settings.DECISION_CHECKPOINT_LOG).read_text())
    Path(settings.DECISION_CHECKPOINT_LOG).unlink()
    _around_triggers(
        (f"DELETE FROM {RECORDS}", []),
        (f"DELETE FROM {CHECKPOINTS}", []),
        (f"UPDATE {HEAD} SET seq = 0, hash = %s", ["0" * 64]),
    )
    # With every copy it can reach gone, the chain alone cannot tell (the states still can).
    assert decision_chain_verify().ok
    with pytest.raises(CommandError, match=r"kept-by-a-journalist\.jsonl line 1"):
        call_command("verify_decisions", checkpoints=[copy])


def test_a_state_table_edited_around_the_services_is_named(make_order, officer):
    order = make_order()
    platform = order.platform
    _raw("UPDATE notices_removalorder SET status = 'closed' WHERE id = %s", [order.pk])
    _raw("UPDATE registry_platform SET status = 'registered' WHERE id = %s", [platform.pk])
    registry.platform_require_update(
        platform=platform, actor=Actor.of_platform(platform), reason="moved offices"
    )
    with pytest.raises(CommandError) as failure:
        call_command("verify_decisions")
    message = str(failure.value)
    assert f"notices.RemovalOrder {order.pk} is 'closed' but its records end at 'issued'" in message
    assert "registry.Platform" not in message, "a state changed through a service is recorded"


def test_a_fine_edited_to_paid_is_named(victim):
    fine = victim.fines.first()
    _raw("UPDATE compliance_fine SET status = 'paid' WHERE id = %s", [fine.pk])
    with pytest.raises(CommandError, match=f"compliance.Fine {fine.pk} is 'paid'"):
        call_command("verify_decisions")


def test_every_state_matches_after_a_whole_ladder(victim, capsys):
    call_command("verify_decisions")
    assert "every state matches its record" in capsys.readouterr().out


@pytest.mark.postgres
def test_the_deployment_check_says_when_the_role_can_truncate(db):
    from compliance.checks import decision_record_truncatable

    assert decision_record_truncatable(), "the test runs as the tables' owner"
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS compliance_app_test")
        cursor.execute("CREATE ROLE compliance_app_test")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {RECORDS}, {CHECKPOINTS} "
            "TO compliance_app_test"
        )
        cursor.execute("SET ROLE compliance_app_test")
        try:
            assert decision_record_truncatable() == []
            with pytest.raises(Exception, match="permission denied"), transaction.atomic():
                cursor.execute(f"TRUNCATE {RECORDS}")
        finally:
            cursor.execute("RESET ROLE")


def test_the_checkpoint_in_force_is_published_and_carried_by_letters_and_webhooks(
    sealed, client, make_order, settings
):
    from compliance.models import Notification, WebhookDelivery
    from registry.models import WebhookEndpoint

    published = sealed.as_published()
    page = client.get("/verify/checkpoints/")
    assert page.status_code == 200
    assert sealed.hash in page.content.decode()
    key = client.get("/verify/checkpoints.json").json()
    assert key["latest"] == published
    assert key["algorithm"] == "Ed25519"
    lines = client.get("/verify/checkpoints.jsonl").content.decode().splitlines()
    assert [json.loads(line) for line in lines] == [published]

    order = make_order(issued=False)
    WebhookEndpoint.objects.create(
        platform=order.platform, url="https://hooks.example/in", secret="whsec_" + "A" * 44
    )
    from notices import services

    services.order_issue(order=order, actor=Actor.staff(order.created_by))
    letter = Notification.objects.get(event="order.issued")
    assert f"Decision record checkpoint #{sealed.seq}: {sealed.hash}" in letter.body
    assert sealed.signature in letter.body
    assert WebhookDelivery.objects.get().payload["checkpoint"] == published
