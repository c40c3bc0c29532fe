"""`manage.py hashes_import`: the operator's bulk import, all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from compliance.kernel.actions import Action
from compliance.models import DecisionRecord
from fingerprints.models import HashEntry, HashList

pytestmark = pytest.mark.django_db


def test_the_list_is_created_when_missing_and_every_row_added(tmp_path, capsys):
    path = tmp_path / "hashes.csv"
    path.write_text("type,hash\nmd5," + "ab" * 16 + "\npdq," + "0f" * 32 + "\n")
    call_command(
        "hashes_import", str(path), "--list", "CSAM from the hotline", "--category", "csam"
    )
    hash_list = HashList.objects.get(name="CSAM from the hotline")
    assert hash_list.category.code == "csam"
    assert sorted(hash_list.entries.values_list("hash_type", flat=True)) == ["md5", "pdq"]
    assert "2 hashes added to CSAM from the hotline." in capsys.readouterr().out
    records = DecisionRecord.objects.filter(action__in=[Action.HASH_LIST_CREATE, Action.HASH_ADD])
    assert set(records.values_list("actor_label", flat=True)) == {"job:hashes_import"}
    assert records.count() == 3

    path.write_text("md5," + "cd" * 16 + "\n")
    call_command(
        "hashes_import", str(path), "--list", "CSAM from the hotline", "--category", "csam"
    )
    assert hash_list.entries.count() == 3


def test_a_bad_row_imports_nothing_and_names_the_row(tmp_path):
    path = tmp_path / "hashes.csv"
    path.write_text("type,hash\nmd5," + "ab" * 16 + "\nsha1," + "ab" * 20 + "\n")
    with pytest.raises(CommandError, match=r"Nothing imported\. Line 3: unknown hash type .sha1."):
        call_command("hashes_import", str(path), "--list", "New", "--category", "ncii")
    assert not HashList.objects.exists()
    assert not HashEntry.objects.exists()


def test_unknown_category_and_a_list_of_another_category_are_refused(tmp_path):
    path = tmp_path / "hashes.csv"
    path.write_text("md5," + "ab" * 16 + "\n")
    with pytest.raises(CommandError, match="No content category with the code 'nope'"):
        call_command("hashes_import", str(path), "--list", "L", "--category", "nope")
    call_command("hashes_import", str(path), "--list", "L", "--category", "ncii")
    with pytest.raises(CommandError, match="holds ncii, not csam"):
        call_command("hashes_import", str(path), "--list", "L", "--category", "csam")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "hashes_import", str(tmp_path / "missing.csv"), "--list", "L", "--category", "ncii"
        )


def test_an_officer_may_be_named(tmp_path, officer):
    path = tmp_path / "hashes.csv"
    path.write_text("md5," + "ab" * 16 + "\n")
    call_command("hashes_import", str(path), "--list", "L", "--category", "ncii", "--as", "officer")
    assert DecisionRecord.objects.filter(action=Action.HASH_ADD).get().actor_label == "user:officer"
