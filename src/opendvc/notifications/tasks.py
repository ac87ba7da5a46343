"""Celery tasks: thin wrappers around `services.deliver` and `services.fail_stale_messages`."""

from celery import shared_task

from opendvc.notifications import services
from opendvc.notifications.errors import TemporaryDeliveryError

MAX_RETRIES = 3
# Seconds before each retry: short, because a one-time code is valid for only a few minutes.
RETRY_DELAYS = (5, 20, 60)


@shared_task(bind=True, max_retries=MAX_RETRIES, ignore_result=True)
def deliver_message(self, message_id: int):
    """Deliver one message. On a worker, a temporary failure is retried with backoff and the last retry
    marks the message failed. Run eagerly (CELERY_TASK_ALWAYS_EAGER) there is one attempt only."""
    retries = self.request.retries
    # Eagerly, Celery runs a retry at once, in the web request: a gateway that is down would keep the
    # person waiting for 4 × its timeout. One attempt, then failed; the person asks for a new code.
    final_attempt = bool(self.request.is_eager) or retries >= self.max_retries
    try:
        services.deliver(message_id, final_attempt=final_attempt)
    except TemporaryDeliveryError as exc:
        raise self.retry(exc=exc, countdown=RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]) from exc


@shared_task(ignore_result=True)
def fail_stale_messages_task():
    """Run by Celery beat (every 10 minutes): messages stuck in the queue are marked failed."""
    services.fail_stale_messages()
