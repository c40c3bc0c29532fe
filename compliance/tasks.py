"""Celery tasks: thin, each calls a service. Deadlines are never broker messages."""

from celery import shared_task
from django.utils import timezone

from agencies.data_requests import data_requests_sweep
from assessments.services import risk_assessments_sweep
from compliance.delivery.email import notifications_deliver
from compliance.delivery.webhooks import webhooks_deliver
from compliance.documents.render import letters_render
from compliance.kernel.decisions import decision_checkpoint_write
from compliance.sweep.jobs import sweep_all


@shared_task(name="compliance.sweep.writer")
def sweep() -> dict[str, int]:
    """Run by beat every minute (django-celery-beat's schedule, editable in the admin): the
    deadlines of orders, fines and registrations, then of agencies' data-access requests and of
    risk assessments."""
    now = timezone.now()
    return sweep_all(now=now).as_dict() | {
        "data_requests_escalated": data_requests_sweep(now=now),
        "risk_assessments_changed": risk_assessments_sweep(now=now),
    }


@shared_task(name="compliance.deliver_notifications")
def deliver_notifications() -> int:
    return notifications_deliver()


@shared_task(name="compliance.deliver_webhooks")
def deliver_webhooks() -> int:
    return webhooks_deliver()


@shared_task(name="compliance.decisions_checkpoint")
def decisions_checkpoint() -> int | None:
    """Run by beat every five minutes: sign the chain as it stands."""
    checkpoint = decision_checkpoint_write()
    return checkpoint.seq if checkpoint else None


@shared_task(name="compliance.render_letters")
def render_letters() -> int:
    """Woken after a letter is issued; beat's run every minute renders what a lost wake-up left."""
    return letters_render()
