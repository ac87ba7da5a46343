"""Starting a payment: one `PaymentOrder` per attempt, with a reference never used before.

Online: the applicant pays every charge still due on their dossier; the order holds those charges and the
gateway address to send the browser to. At the desk: a clerk of the agency records money received in
cash or by transfer, which settles the charges at once (`settlement.settle_paid`).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts.models import OfficialRole
from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.dossiers.models import CLOSED_STATUSES, Dossier, Status
from opendvc.dossiers.services.actions import NotAllowed
from opendvc.payments.models import (
    ChargeState,
    MerchantAccount,
    Method,
    OrderStatus,
    PaymentOrder,
    Settlement,
)
from opendvc.payments.providers import provider_for

_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone


class NothingDue(DomainError):
    status = 409
    code = "nothing_due"


class NoMerchant(DomainError):
    status = 409
    code = "online_payment_unavailable"


def order_lifetime() -> timedelta:
    return timedelta(seconds=getattr(settings, "PAYMENT_ORDER_LIFETIME", 900))


def new_reference() -> str:
    """'261207K7Q2M9XW': the day and 8 random characters; unique (the database refuses a repeat)."""
    day = timezone.localdate().strftime("%y%m%d")
    return day + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def merchant_for(agency) -> MerchantAccount | None:
    """The agency's active merchant account, or its nearest ancestor's (a ward uses its province's)."""
    seen = set()
    while agency is not None and agency.pk not in seen:
        seen.add(agency.pk)
        merchant = MerchantAccount.objects.filter(agency=agency, active=True).first()
        if merchant is not None:
            return merchant
        agency = agency.parent
    return None


def _create_order(**fields) -> PaymentOrder:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PaymentOrder.objects.create(reference=new_reference(), **fields)
        except IntegrityError:
            continue  # 31^8 references a day: a repeat is rare, and the database says so
    raise DomainError(
        _("Không tạo được giao dịch. Vui lòng thử lại."), code="reference_exhausted", status=503
    )


def is_payer(dossier, account) -> bool:
    """The applicant: the account that filed it, or (a walk-in dossier) the citizen with its ID number."""
    if account is None or not account.is_authenticated:
        return False
    if dossier.applicant_id is not None:
        return dossier.applicant_id == account.pk
    return bool(dossier.applicant_id_digest) and dossier.applicant_id_digest == account.id_number_digest


def _locked_due(dossier):
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    due = list(locked.charges.filter(state=ChargeState.DUE).select_for_update().order_by("id"))
    return locked, due


@transaction.atomic
def start_online_payment(dossier, *, actor, return_url: str, ip: str, locale: str = "vi"):
    """A new order for everything the applicant's dossier owes, and the gateway address to pay it.

    Returns (order, payment_url). Refuses another person's dossier, a closed one, one that owes nothing,
    and an agency with no merchant account."""
    d, due = _locked_due(dossier)
    if not is_payer(d, actor):
        raise NotAllowed(_("Chỉ người nộp hồ sơ mới thanh toán được hồ sơ này."))
    if d.status in CLOSED_STATUSES:
        raise NothingDue(
            _("Hồ sơ đang ở trạng thái “%(status)s”: không còn khoản nào phải nộp.")
            % {"status": d.get_status_display()}
        )
    if not due:
        raise NothingDue(_("Hồ sơ không còn khoản nào phải nộp."))
    merchant = merchant_for(d.agency)
    if merchant is None:
        raise NoMerchant(
            _(
                "%(agency)s chưa nhận thanh toán trực tuyến. Vui lòng nộp phí, lệ phí tại bộ phận một cửa "
                "khi đến nhận kết quả."
            )
            % {"agency": d.agency.name}
        )
    provider = provider_for(merchant)
    total = sum(c.amount for c in due)
    refusal = provider.refusal(total)
    if refusal:
        raise NoMerchant(refusal, code="amount_not_accepted")
    now = timezone.now()
    order = _create_order(
        dossier=d,
        method=Method.ONLINE,
        merchant=merchant,
        provider=merchant.provider,
        amount=total,
        created_by=actor,
        created_at=now,
        expires_at=now + order_lifetime(),
    )
    order.charges.set(due)
    url = provider.payment_url(
        order,
        return_url=return_url,
        ip=ip,
        locale=locale,
        order_info=f"Nop phi le phi ho so {d.code}",
    )
    audit.record(
        "payment.started",
        actor=actor,
        target=order,
        dossier=d.code,
        amount=order.amount,
        provider=order.provider,
    )
    return order, url


@transaction.atomic
def record_counter_payment(dossier, *, actor, note: str = "") -> PaymentOrder:
    """Money for everything due received at the agency's desk: the charges are paid and a receipt issued."""
    from opendvc.payments.services.settlement import settle_paid

    d, due = _locked_due(dossier)
    if not (
        actor is not None
        and actor.is_official
        and actor.agency_id == d.agency_id
        and (actor.has_role(OfficialRole.DESK_CLERK) or actor.has_role(OfficialRole.HANDLER))
    ):
        raise NotAllowed(_("Chỉ cán bộ một cửa hoặc cán bộ xử lý của cơ quan mới ghi nhận thu tại quầy."))
    if d.status in (Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED) or not due:
        raise NothingDue(_("Hồ sơ không còn khoản nào phải nộp."))
    now = timezone.now()
    order = _create_order(
        dossier=d,
        method=Method.COUNTER,
        amount=sum(c.amount for c in due),
        created_by=actor,
        created_at=now,
        paid_at=now,
    )
    order.charges.set(due)
    audit.record("payment.counter", actor=actor, target=order, dossier=d.code, amount=order.amount)
    settle_paid(order, via=Settlement.COUNTER, actor=actor, note=note)
    return order


def pending_orders(dossier):
    return PaymentOrder.objects.filter(dossier=dossier, status=OrderStatus.PENDING, method=Method.ONLINE)
