"""Running the project's own commands in child processes against the test database."""

import os
import subprocess
import sys
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(*, port: int | None = None) -> str:
    """The test database as a DATABASE_URL; `port` reaches PostgreSQL through a relay."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    port = port or int(db["PORT"] or 5432)
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{port}/{db['NAME']}"


def sealing() -> dict[str, str]:
    """The test process's decision key and checkpoint log, for a child that writes records:
    with another key its records would not verify here (and a VAR_DIR of its own would give
    it one)."""
    env = {"DECISION_CHECKPOINT_LOG": settings.DECISION_CHECKPOINT_LOG}
    if settings.DECISION_KEY:
        env["DECISION_KEY"] = settings.DECISION_KEY
    else:
        env["DECISION_KEY_FILE"] = settings.DECISION_KEY_FILE
    return env


def manage(*args: str, database: str | None = None, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database or database_url(), **sealing(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def celery(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A Celery worker or beat of the project, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
        cwd=ROOT,
        env={**env, **sealing()},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def web_server(*, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """The project under gunicorn (gunicorn.conf.py: 2 sync workers), as production runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "BIND": f"127.0.0.1:{port}",
            **sealing(),
            **env,
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def serving(base: str) -> bool:
    """Whether the server at `base` answers its sign-in page. A refused connection or a slow
    first answer (a worker still loading the project on a busy machine) is "not yet"."""
    try:
        return requests.get(f"{base}/admin/login/", timeout=2).status_code == 200
    except requests.RequestException:
        return False
