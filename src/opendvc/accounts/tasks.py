"""Periodic housekeeping of the accounts app (Celery beat; thin wrappers around services)."""

from celery import shared_task

from opendvc.accounts.flows import purge_expired_flows
from opendvc.accounts.services.access import purge_access_history


@shared_task
def purge_access_history_task() -> int:
    """The access history keeps 90 days."""
    return purge_access_history()


@shared_task
def purge_expired_flows_task() -> int:
    """Finished or abandoned registrations and sign-ins (and their one-time codes) a day after expiry."""
    return purge_expired_flows()
