"""The simulated gateway's IPN deliveries on a Celery worker (a countdown for late and retried IPNs)."""

from celery import shared_task


@shared_task(ignore_result=True)
def deliver_ipn_task(notification_id: int) -> None:
    from opendvc.payments.simulator import gateway

    gateway.deliver(notification_id)
