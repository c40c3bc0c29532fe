"""The decision record: appended in the caller's transaction, hash-chained, append-only."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.kernel import append_only
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import (
    Decision,
    decision_chain_verify,
    decision_record_append,
    decisions_append,
)
from compliance.kernel.models import GENESIS_HASH, AppendOnlyError
from compliance.kernel.selectors import decision_history
from compliance.models import DecisionChainHead, DecisionRecord
from registry import services as registry

TABLE = "compliance_decisionrecord"


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_transition_appends_one_linked_record(make_platform, officer):
    platform = make_platform(registered=False)
    before = DecisionRecord.objects.count()

    registry.platform_file_application(platform=platform, actor=Actor.staff(officer))

    assert DecisionRecord.objects.count() == before + 1
    record = DecisionRecord.objects.last()
    assert (record.action, record.from_state, record.to_state) == (
        "platform.file_application",
        "unregistered",
        "pending",
    )
    assert record.actor_user == officer
    assert record.actor_label == "user:officer"
    assert record.subject == platform
    assert record.legal_basis.startswith("MR5 Art.")
    previous = DecisionRecord.objects.get(seq=record.seq - 1)
    assert record.prev_hash == previous.hash
    assert record.hash == record.compute_hash()
    assert list(decision_history(subject=platform))[-1] == record


def test_first_record_links_to_genesis_and_head_follows(make_platform):
    make_platform(registered=False)
    first = DecisionRecord.objects.get(seq=1)
    assert first.prev_hash == GENESIS_HASH
    head = DecisionChainHead.objects.get()
    last = DecisionRecord.objects.last()
    assert (head.seq, head.hash) == (last.seq, last.hash)


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused(make_platform, officer):
    platform = make_platform(registered=False)
    count = DecisionRecord.objects.count()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        decision_record_append(actor=Actor.staff(officer), subject=platform, action="x")
    assert DecisionRecord.objects.count() == count


def test_record_rolls_back_with_the_change_it_records(make_platform, officer):
    platform = make_platform(registered=False)
    count = DecisionRecord.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():  # noqa: PT012
        registry.platform_file_application(platform=platform, actor=Actor.staff(officer))
        raise ZeroDivisionError
    assert DecisionRecord.objects.count() == count
    platform.refresh_from_db()
    assert platform.status == "unregistered"


def test_orm_refuses_to_change_or_delete(make_platform):
    make_platform()
    record = DecisionRecord.objects.first()
    record.reason = "edited"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET reason = 'edited' WHERE seq = 1",
        f"DELETE FROM {TABLE} WHERE seq = 1",
    ],
)
def test_database_refuses_update_and_delete(make_platform, statement):
    make_platform()
    original = DecisionRecord.objects.get(seq=1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw(statement)
    assert DecisionRecord.objects.get(seq=1).reason == original.reason


def test_queryset_update_and_delete_are_refused_by_the_database(make_platform):
    make_platform()
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRecord.objects.filter(seq=1).update(reason="edited")
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRecord.objects.filter(seq=1)._raw_delete(DecisionRecord.objects.db)
    assert DecisionRecord.objects.filter(seq=1).exists()


@pytest.mark.parametrize("table", append_only.TABLES)
def test_triggers_exist_after_all_migrations(db, table):
    assert append_only.installed(connection, table)


def _tamper(sql: str, params: list) -> None:
    """Edit a row around the ORM and the trigger, as someone with database access could."""
    append_only.uninstall(connection, TABLE)
    _raw(sql, params)
    append_only.install(connection, TABLE)


def test_verify_passes_on_an_intact_chain(make_platform, capsys):
    make_platform()
    make_platform()
    assert decision_chain_verify().ok
    call_command("verify_decisions")
    assert "intact: 6 records" in capsys.readouterr().out


def test_verify_names_the_first_edited_record(make_platform):
    make_platform()
    make_platform()
    _tamper(f"UPDATE {TABLE} SET reason = %s WHERE seq = %s", ["quietly edited", 2])

    report = decision_chain_verify()
    assert (report.broken_at, report.problem) == (2, "content does not match its hash")
    with pytest.raises(CommandError, match=r"Chain broken at record #2: content does not match"):
        call_command("verify_decisions")


def test_verify_detects_a_rehashed_edit_by_its_seal(make_platform):
    make_platform()
    record = DecisionRecord.objects.get(seq=2)
    record.reason = "edited and re-hashed"
    _tamper(
        f"UPDATE {TABLE} SET reason = %s, hash = %s WHERE seq = 2",
        [record.reason, record.compute_hash()],
    )
    report = decision_chain_verify()
    # Before records were sealed this was caught one record later, by the broken link.
    assert (report.broken_at, report.problem) == (
        2,
        "its seal does not match: written without the key",
    )


def test_verify_detects_a_deleted_record_and_a_cut_tail(make_platform):
    make_platform()
    _tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [2])
    assert decision_chain_verify().broken_at == 3

    _tamper(f"DELETE FROM {TABLE} WHERE seq >= %s", [2])
    report = decision_chain_verify()
    assert (report.broken_at, report.problem) == (2, "records after #1 are missing")


# Any text PostgreSQL can store: no NUL (the forms and the API refuse it first), no lone
# surrogates (not UTF-8); states fit their 32-character columns.
characters = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")
text = st.text(characters, max_size=60)
state = st.text(characters, max_size=32)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=text, job=text, action=text, states=st.tuples(state, state), basis=text, reason=text)
def test_any_content_is_appended_with_the_hash_verify_recomputes(
    make_platform, name, job, action, states, basis, reason
):
    """decisions_append writes each record's canonical JSON by hand, for speed: it must be
    byte for byte what DecisionRecord.compute_hash() encodes, for any text in any field."""
    platform = make_platform()
    platform.name = name  # its repr, in the record and in its link
    with transaction.atomic():
        decisions_append(
            decisions=[
                Decision(
                    actor=Actor.scheduled_job(job),
                    subject=platform,
                    action=action,
                    from_state=states[0],
                    to_state=states[1],
                    legal_basis=basis,
                    reason=reason,
                    links=[platform],
                )
            ]
        )
    record = DecisionRecord.objects.order_by("-seq").first()
    assert record.reason == reason
    assert record.links == [{"type": "registry.platform", "id": platform.pk, "repr": name[:200]}]
    assert record.compute_hash() == record.hash


CONTENT_FIELDS = [
    ("actor_label", "user:someone-else"),
    ("object_repr", "another object"),
    ("action", "fine.waive"),
    ("from_state", "issued"),
    ("to_state", "closed"),
    ("legal_basis", "MR5 Art. 99 (no such article)"),
    ("reason", "another reason"),
    ("links", [{"type": "registry.platform", "id": 999, "repr": "x"}]),
]


@pytest.mark.parametrize(("name", "value"), CONTENT_FIELDS)
def test_every_field_a_record_states_is_covered_by_its_hash(make_platform, name, value):
    """Bug caught: a field dropped from both hash paths (the fast one the sweep writes with and
    the one verify recomputes) still verifies, and that field can then be edited unseen."""
    make_platform()
    record = DecisionRecord.objects.get(seq=2)
    setattr(record, name, value)
    assert record.compute_hash() != record.hash, f"{name} is not covered by the hash"


def test_the_fast_path_covers_the_legal_basis_too(make_platform):
    """The sweep's hand-written encoding: records differing only in their legal basis get
    different hashes, and each verifies."""
    platform = make_platform()
    actor = Actor.scheduled_job("escalation-sweep")
    hashes = []
    for basis in ("MR5 Art. 15(11)", "MR5 Art. 15(12)"):
        with transaction.atomic():
            decisions_append(
                decisions=[Decision(actor=actor, subject=platform, action="x", legal_basis=basis)]
            )
            sid = transaction.savepoint()
            record = DecisionRecord.objects.order_by("-seq").first()
            hashes.append(record.hash)
            assert record.compute_hash() == record.hash
            transaction.savepoint_rollback(sid)
    edited = DecisionRecord.objects.order_by("-seq").first()
    edited.legal_basis = "MR5 Art. 15(11)"
    assert edited.compute_hash() != edited.hash
