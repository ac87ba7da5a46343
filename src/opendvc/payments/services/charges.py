"""What a dossier owes (`Charge`): the one write path of charges, driven by the dossier's timeline.

- Filed (online `submit`, or `register` at the desk): one charge per payable line of the procedure's fees
  that applies to the dossier's answers and channel (`dossiers.services.fees`).
- `request_payment` (status 6): a charge of the amount the official stated, with the reason.
- `confirm_payment` by an official (paid outside the portal, e.g. at the tax office): the open
  obligations are marked paid elsewhere.
- Refused, withdrawn or stopped: what is still due is cancelled (nothing more is owed).

Dossiers of agency systems (sync API) are paid in those systems and get no charges here.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from opendvc.dossiers.models import Source
from opendvc.dossiers.services.fees import dossier_fee_lines
from opendvc.payments.models import Charge, ChargeKind, ChargeState

FILED = ("submit", "register")
CLOSED = ("refuse", "withdraw", "stop")


def vnd(amount: int) -> str:
    """'1.500.000' (Vietnamese thousands separator)."""
    return f"{int(amount):,}".replace(",", ".")


def _line_text(line) -> str:
    if line.units is None:
        return line.description_vi
    return _("%(text)s (%(units)d × %(unit)s đồng)") % {
        "text": line.description_vi,
        "units": line.units,
        "unit": vnd(line.unit_amount),
    }


@transaction.atomic
def on_dossier_event(dossier, event) -> None:
    """Keep the dossier's charges in step with what just happened to it (see the module docstring)."""
    if dossier.source != Source.PORTAL:
        return
    now = timezone.now()
    if event.action in FILED:
        with override("vi"):  # charges are records in Vietnamese, like the catalogue's fees
            lines = [line for line in dossier_fee_lines(dossier) if line.payable]
            Charge.objects.bulk_create(
                [
                    Charge(
                        dossier=dossier,
                        kind=ChargeKind.FEE,
                        description=_line_text(line),
                        amount=line.amount,
                        fee_position=line.position,
                        created_at=now,
                    )
                    for line in lines
                ]
            )
    elif event.action == "request_payment":
        Charge.objects.create(
            dossier=dossier,
            kind=ChargeKind.OBLIGATION,
            description=event.comment,
            amount=int(event.details["amount"]),
            event=event,
            created_at=now,
        )
    elif event.action == "confirm_payment" and event.actor_id is not None:
        Charge.objects.filter(dossier=dossier, kind=ChargeKind.OBLIGATION, state=ChargeState.DUE).update(
            state=ChargeState.PAID_ELSEWHERE, settled_at=now
        )
    elif event.action in CLOSED:
        Charge.objects.filter(dossier=dossier, state=ChargeState.DUE).update(
            state=ChargeState.CANCELLED, settled_at=now
        )


def due_charges(dossier, *, kind: str | None = None):
    charges = Charge.objects.filter(dossier=dossier, state=ChargeState.DUE)
    return charges.filter(kind=kind) if kind else charges


def amount_due(dossier, *, kind: str | None = None) -> int:
    return sum(due_charges(dossier, kind=kind).values_list("amount", flat=True))
