"""The Indonesian catalogue is complete: every string marked for translation in the code and
templates is in it, translated (not fuzzy), with the same placeholders, and compiled.

The strings are gathered afresh (`makemessages`, with the Makefile's flags) from a copy of the
sources, so a string added without running `make messages` fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
SOURCES = [
    "config",
    "compliance",
    "registry",
    "notices",
    "fingerprints",
    "transparency",
    "agencies",
    "assessments",
    "portal",
    "backoffice",
    "public",
    "locale",
]


def _flags() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return makefile.split("MESSAGES_FLAGS := ", 1)[1].splitlines()[0].split()


@pytest.fixture(scope="module")
def committed() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_every_marked_string_is_in_the_catalogue(tmp_path, committed):
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *_flags()],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    gathered = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    marked = {(e.msgctxt, e.msgid) for e in gathered if not e.obsolete}
    kept = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
    assert marked - kept == set(), "marked but not in the catalogue: run `make messages`"
    assert kept - marked == set(), "in the catalogue but no longer marked: run `make messages`"


def test_every_string_is_translated(committed):
    assert committed.untranslated_entries() == []
    assert committed.fuzzy_entries() == []
    assert [e.msgid for e in committed if e.obsolete] == []


def test_translations_keep_the_placeholders(committed):
    for entry in committed:
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for text in translations:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )


def test_the_compiled_catalogue_is_current(committed):
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    assert {(e.msgid, e.msgstr) for e in compiled if e.msgid} == {
        (e.msgid, e.msgstr) for e in committed if not e.msgid_plural
    } | {(e.msgid, e.msgstr) for e in compiled if e.msgid_plural}
    assert {e.msgid for e in compiled if e.msgid} == {e.msgid for e in committed}


def test_django_serves_the_translation():
    with translation.override("id"):
        assert translation.gettext("Letters that could not be rendered") == (
            "Surat yang tidak dapat dibuat"
        )


# Which language a request gets.


@pytest.mark.django_db
def test_staff_pages_default_to_indonesian(settings):
    settings.STAFF_LANGUAGE_CODE = "id"
    response = Client().get("/admin/login/")
    assert response["Content-Language"] == "id"
    assert "Penegakan kepatuhan platform" in response.content.decode()


@pytest.mark.django_db
def test_the_switch_chooses_english_for_staff_pages(settings):
    settings.STAFF_LANGUAGE_CODE = "id"
    client = Client()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert switched.status_code == 302
    response = client.get("/admin/login/")
    assert response["Content-Language"] == "en"
    assert "Platform compliance enforcement" in response.content.decode()


@pytest.mark.django_db
def test_public_pages_follow_the_browser():
    assert Client().get("/verify/")["Content-Language"] == "en"
    indonesian = Client(headers={"accept-language": "id-ID,id;q=0.9"}).get("/verify/")
    assert indonesian["Content-Language"] == "id"
    assert "Periksa keaslian surat" in indonesian.content.decode()


@pytest.mark.django_db
def test_the_api_answers_in_english_whatever_is_asked():
    response = Client(headers={"accept-language": "id"}).get("/api/v1/orders/")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"


def test_refusals_are_in_the_users_language(make_platform, officer):
    from compliance.kernel.actors import Actor
    from compliance.kernel.errors import TransitionNotAllowed
    from registry import services as registry

    platform = make_platform()  # registered
    with translation.override("id"), pytest.raises(TransitionNotAllowed) as refused:
        registry.platform_approve(platform=platform, actor=Actor.staff(officer))
    assert str(refused.value) == "Tidak dapat setujui platform yang berstatus terdaftar."
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        registry.platform_approve(platform=platform, actor=Actor.staff(officer))
    assert str(refused.value) == "Cannot approve a platform that is registered."
