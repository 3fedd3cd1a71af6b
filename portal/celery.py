import os

from celery import Celery

from portal.kombu_patches import guard_restore_unacked

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
guard_restore_unacked()  # a broker outage must not end the worker (see portal/kombu_patches.py)
