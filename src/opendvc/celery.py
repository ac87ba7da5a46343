"""Celery application. Tasks are thin wrappers around services (see docs/architecture.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendvc.settings")

app = Celery("opendvc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
