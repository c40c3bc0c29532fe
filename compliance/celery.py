"""The Celery application; tasks are thin and call services."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

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


@worker_process_init.connect  # each child of the prefork pool
@worker_ready.connect  # the main process, which runs the tasks itself with the solo pool
def _freeze_start_up_heap(**kwargs: object) -> None:
    from compliance.heap import heap_freeze

    heap_freeze()
