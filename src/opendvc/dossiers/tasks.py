"""Periodic work of the dossiers app (Celery beat; thin wrappers around services)."""

from celery import shared_task

from opendvc.dossiers.services import reminders, submission


@shared_task(ignore_result=True)
def remind_due_dossiers_task() -> int:
    """Remind handlers (or desk clerks) of dossiers falling due within the reminder window."""
    return reminders.remind_due_dossiers()


@shared_task(ignore_result=True)
def expire_drafts_task() -> tuple[int, int]:
    """Warn applicants 3 days before a draft expires and delete expired drafts."""
    return submission.expire_drafts()
