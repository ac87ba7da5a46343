from celery import shared_task

from opendvc.portal.services import visits


@shared_task
def flush_visits_task() -> int:
    return visits.flush()
