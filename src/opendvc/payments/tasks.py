"""Background work of payments (Celery; thin wrappers around services)."""

from celery import shared_task


@shared_task(ignore_result=True)
def make_receipt_pdf_task(receipt_id: int) -> None:
    """Make and keep the sealed PDF of a new receipt, so that its first download is instant."""
    from opendvc.payments.models import Receipt
    from opendvc.payments.services import receipts

    receipt = (
        Receipt.objects.select_related("order__dossier__applicant", "agency").filter(pk=receipt_id).first()
    )
    if receipt is not None and receipt.file_id is None:
        receipts.pdf_bytes(receipt)


@shared_task(ignore_result=True)
def reconcile_payments_task() -> dict:
    """Celery beat (every 5 minutes): ask the gateways about orders still pending."""
    from opendvc.payments.services import settlement

    return settlement.reconcile()


@shared_task(ignore_result=True)
def daily_reports_task() -> int:
    """Celery beat (each night): yesterday's reconciliation report of every agency with payments."""
    from opendvc.payments.services import reports

    return reports.make_daily_reports()
