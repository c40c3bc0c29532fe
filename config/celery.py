"""The Celery application; tasks (compliance/tasks.py) are thin and call services."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

from compliance.kernel.heap import heap_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("compliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_broker_folders(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport crashes on a missing folder instead of creating it.
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = (sender.conf.broker_transport_options or {}).get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


@worker_process_init.connect  # each child of a prefork pool
@worker_ready.connect  # the main process, which runs the tasks with the thread or solo pool
def _freeze_start_up_heap(**kwargs: object) -> None:
    heap_freeze()
