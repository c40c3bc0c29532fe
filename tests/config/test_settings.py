"""Production settings: refuse the development key, and pass Django's deployment checklist."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_DECISION_KEY = base64.b64encode(b"k" * 32).decode()


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_with_the_development_key_when_debug_is_off():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="regulator.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_deploy_checklist_is_clean_with_debug_off(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DEBUG="0",
        SECRET_KEY="x7$kq!2vR9mZ#pL4wT8nB1cY6hJ3dF0sG5aE-u_oI*Ux7$kq!2vR9mZ",
        ALLOWED_HOSTS="regulator.example",
        DECISION_KEY=PRODUCTION_DECISION_KEY,
        CACHE_URL="redis://127.0.0.1:6379/15",
        # A database the application does not own: the check below is run apart.
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_bad_boolean_fails_loudly():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.postgres
def test_the_server_watches_for_clients_that_vanish(db):
    """Server-side keepalives reach every PostgreSQL session (see settings: a dead sweep must not
    hold the chain head for hours)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW tcp_keepalives_idle")
        assert cursor.fetchone()[0] == "30"


def test_production_needs_the_decision_key_and_a_shared_cache(tmp_path):
    common = {
        "DEBUG": "0",
        "SECRET_KEY": "x7$kq!2vR9mZ#pL4wT8nB1cY6hJ3dF0sG5aE-u_oI*Ux7$kq!2vR9mZ",
        "ALLOWED_HOSTS": "regulator.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    without_key = _manage("check", **common)
    assert "DECISION_KEY or DECISION_KEY_FILE must be set" in without_key.stderr
    per_process = _manage("check", "--deploy", DECISION_KEY=PRODUCTION_DECISION_KEY, **common)
    assert "compliance.E002" in per_process.stderr + per_process.stdout
