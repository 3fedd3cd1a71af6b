import os
from pathlib import Path

from celery import Celery

from portal.kombu_patches import guard_restore_unacked

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def make_broker_folders(sender, **kwargs):
    """The file-system transport (no REDIS_URL) keeps messages in folders under VAR_DIR: made here, by the
    first process that sends or runs a task, not as a side effect of reading the settings."""
    if sender.conf.broker_url.startswith("filesystem"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.autodiscover_tasks()
guard_restore_unacked()  # a broker outage must not end the worker (see portal/kombu_patches.py)
