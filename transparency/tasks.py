"""Celery tasks: thin, each calls a service."""

from celery import shared_task

from transparency.services import transparency_refresh_due


@shared_task(name="transparency.refresh")
def refresh() -> int:
    """Run by beat every hour: the current periods' figures and scores, and the ones just
    ended until they are published as final."""
    return sum(r.figures for r in transparency_refresh_due())
