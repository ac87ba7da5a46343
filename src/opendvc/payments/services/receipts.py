"""Electronic receipts (biên lai thu phí, lệ phí điện tử; Decree 11/2020/NĐ-CP, Circular 78/2021/TT-BTC).

A receipt is issued in the transaction that settles a paid order, with the next number of the agency's
yearly series (gap-free: a rolled-back payment gives its number back). Its PDF carries a QR code of the
receipt's public verification page and is sealed with the agency's certificate (PAdES, like electronic
results); it is made once, on first use, and kept so its signature verifies for years.
"""

import logging
import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from opendvc.payments.models import Receipt, ReceiptSequence

logger = logging.getLogger(__name__)

# Mẫu số of the receipt form (Circular 78/2021: a fee and charge receipt printed by the collecting body).
TEMPLATE_CODE = "01BLP0-001"


def _next_number(agency, year: int) -> int:
    rows = ReceiptSequence.objects.filter(agency=agency, year=year)
    if not rows.update(last=F("last") + 1):
        ReceiptSequence.objects.get_or_create(agency=agency, year=year, defaults={"last": 0})
        rows.update(last=F("last") + 1)
    return rows.values_list("last", flat=True).get()


def issue(order, charges) -> Receipt:
    """The receipt of a paid order for the charges it paid (call inside the settling transaction)."""
    dossier = order.dossier
    now = timezone.now()
    year = timezone.localdate(now).year
    return Receipt.objects.create(
        order=order,
        agency=dossier.agency,
        series=f"BL{year % 100:02d}E",
        year=year,
        number=_next_number(dossier.agency, year),
        issued_at=now,
        payer_name=dossier.applicant_name,
        amount=sum(c.amount for c in charges),
        lines=[{"description": c.description, "amount": c.amount} for c in charges],
        token=secrets.token_urlsafe(16),
    )


def verification_url(receipt: Receipt) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("payments:receipt_verify", args=[receipt.token])


def render_html(receipt: Receipt) -> str:
    from opendvc.dossiers.letters import day_text, moment_text

    order = receipt.order
    url = verification_url(receipt)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "payments/receipt_pdf.html",
            {
                "title": gettext("Biên lai thu phí, lệ phí"),
                "issued_at": timezone.localtime(receipt.issued_at),
                "receipt": receipt,
                "order": order,
                "dossier": order.dossier,
                "agency": receipt.agency,
                "parent_agency": receipt.agency.parent,
                "template_code": TEMPLATE_CODE,
                "issued_day": day_text(receipt.issued_at),
                "paid_text": moment_text(order.paid_at or order.settled_at or receipt.issued_at),
                "amount_words": amount_in_words(receipt.amount),
                "verify_url": url,
                "qr": segno.make(url, error="m").svg_data_uri(scale=3, border=1),
            },
        )


def pdf_bytes(receipt: Receipt) -> bytes:
    """The receipt's PDF: the kept copy, or a new one sealed with the agency's certificate and kept.

    When the agency has no seal yet the PDF is still given, unsealed and not kept, so that it is sealed
    once a seal is configured."""
    if receipt.file_id:
        with receipt.file.file.open("rb") as handle:
            return handle.read()
    from opendvc.dossiers import letters, signing
    from opendvc.dossiers.models import StoredFile
    from opendvc.dossiers.services.files import store_bytes

    content = letters.html_to_pdf(render_html(receipt))
    try:
        content = signing.sign_pdf(content, agency=receipt.agency, verify_at=verification_url(receipt))
    except signing.SealUnavailable:
        logger.warning("Receipt %s: agency %s has no seal; served unsealed", receipt.pk, receipt.agency_id)
        return content
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.file_id is None:  # another request may have made it meanwhile: keep the first
            stored = store_bytes(
                content,
                name=f"bien-lai-{receipt.display_number}.pdf",
                owner=receipt.order.dossier.applicant,
                origin=StoredFile.Origin.LETTER,
            )
            Receipt.objects.filter(pk=receipt.pk).update(file=stored)
            receipt.file = stored
        else:
            receipt.file = locked.file
            with locked.file.file.open("rb") as handle:
                content = handle.read()
    return content


def filename(receipt: Receipt) -> str:
    return f"bien-lai-{receipt.display_number}.pdf"


_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]


def _three(n: int, full: bool) -> list[str]:
    """Words of 0–999; `full` when a higher group precedes (so 5 is "không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens > 0:
            words.append("lăm")
        elif units == 4 and tens > 1:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """'Một trăm linh năm nghìn đồng' for 105000: receipts state the amount in words."""
    if amount == 0:
        return "Không đồng"
    groups = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            continue
        words += _three(value, full=index < len(groups) - 1)
        if _GROUPS[index]:
            words.append(_GROUPS[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
