"""How payments follow dossiers (`dossiers.signals`): charges from the timeline, and the two rules that
hold a dossier until its fees are paid.

- A procedure whose fees are paid on submission (`FeeTiming.SUBMISSION`) is received only once they are
  paid (online, or at the desk where the clerk records it).
- A result is returned only when nothing is due any more.
"""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from opendvc.catalog.models import FeeTiming
from opendvc.dossiers.services.actions import IllegalTransition
from opendvc.dossiers.signals import before_action, detail_panels, dossier_event
from opendvc.payments.models import ChargeKind
from opendvc.payments.services import charges


@receiver(dossier_event, dispatch_uid="payments.charges")
def _charges_follow_the_timeline(sender, dossier, event, **kwargs):
    charges.on_dossier_event(dossier, event)


@receiver(before_action, dispatch_uid="payments.hold_until_paid")
def _hold_until_paid(sender, dossier, action, actor, **kwargs):
    if action == "receive" and dossier.procedure.fee_timing == FeeTiming.SUBMISSION:
        due = charges.amount_due(dossier, kind=ChargeKind.FEE)
        if due:
            raise IllegalTransition(
                _(
                    "Hồ sơ chưa nộp phí, lệ phí (%(amount)s đồng). Thủ tục này nộp phí khi nộp hồ sơ: chỉ "
                    "tiếp nhận sau khi người nộp thanh toán trực tuyến, hoặc sau khi thu tại quầy."
                )
                % {"amount": charges.vnd(due)},
                code="payment_due",
            )
    if action == "return":
        due = charges.amount_due(dossier)
        if due:
            raise IllegalTransition(
                _("Hồ sơ còn %(amount)s đồng phí, lệ phí chưa nộp. Thu đủ trước khi trả kết quả.")
                % {"amount": charges.vnd(due)},
                code="payment_due",
            )


@receiver(detail_panels, dispatch_uid="payments.panel")
def _payment_panel(sender, request, dossier, audience, **kwargs):
    from opendvc.payments.panels import dossier_panel

    return dossier_panel(request, dossier, audience)
