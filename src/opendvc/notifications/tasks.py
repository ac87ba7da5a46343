"""Celery tasks: thin wrappers around `services.deliver`."""

from celery import shared_task

from opendvc.notifications import services
from opendvc.notifications.errors import TemporaryDeliveryError

MAX_RETRIES = 3
# Seconds before each retry: short, because a one-time code is valid for only a few minutes.
RETRY_DELAYS = (5, 20, 60)


@shared_task(bind=True, max_retries=MAX_RETRIES, ignore_result=True)
def deliver_message(self, message_id: int):
    """Deliver one message; a temporary failure is retried with backoff, the last one marks it failed."""
    retries = self.request.retries
    try:
        services.deliver(message_id, final_attempt=retries >= self.max_retries)
    except TemporaryDeliveryError as exc:
        # Returned, not raised (throw=False): a worker schedules the retry all the same, and in eager mode
        # Celery runs the retry at once instead of propagating Retry to the caller (EAGER_PROPAGATES).
        return self.retry(exc=exc, countdown=RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)], throw=False)
    return None
