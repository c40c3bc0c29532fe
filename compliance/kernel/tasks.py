"""Waking Celery tasks by name after the transaction commits.

Services queue their work in the database and wake the worker that does it; they never import
the task (it lives in a layer above them), and a broker that is down loses nothing: the work is
in the database and a scheduled run, or the next wake-up, picks it up.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


def wake_after_commit(task: str, *args: Any) -> None:
    def kick() -> None:
        try:
            current_app.signature(task, args=args).delay()
        except Exception:
            log.warning("could not reach the broker; %s waits for its next run", task)

    transaction.on_commit(kick)
