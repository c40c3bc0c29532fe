"""The Django project: settings, URLs, WSGI, the Celery app and project-wide middleware."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
