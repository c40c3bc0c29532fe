"""Celery tasks: thin, each calls a service."""

from celery import shared_task
from django.utils import timezone

from fingerprints.services import entry_watch, fingerprint_compute


@shared_task(name="fingerprints.fingerprint_compute")
def compute(evidence_id: int) -> str:
    """Woken after an evidence upload commits: its MD5, PDQ or video frame hashes."""
    return fingerprint_compute(evidence_id=evidence_id).status


@shared_task(name="fingerprints.entries_watch")
def watch() -> int:
    """Run by beat every five minutes: quarantine entries whose match rate spiked."""
    return entry_watch(now=timezone.now())
