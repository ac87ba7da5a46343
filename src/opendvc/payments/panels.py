"""The "Phí, lệ phí" section of a dossier's page, for the applicant and for officials of its agency."""

from django.template.loader import render_to_string

from opendvc.accounts.models import OfficialRole
from opendvc.dossiers.models import CLOSED_STATUSES
from opendvc.payments import selectors
from opendvc.payments.services.orders import is_payer


def dossier_panel(request, dossier, audience: str) -> str:
    info = selectors.dossier_payments(dossier)
    if not (info.charges or info.orders or info.to_be_stated):
        return ""
    account = request.user
    context = {"dossier": dossier, "info": info}
    if audience == "applicant":
        context["can_pay"] = (
            info.owes and is_payer(dossier, account) and dossier.status not in CLOSED_STATUSES
        )
        return render_to_string("payments/_dossier_panel.html", context, request=request)
    context["can_collect"] = info.owes and (
        account.has_role(OfficialRole.DESK_CLERK) or account.has_role(OfficialRole.HANDLER)
    )
    return render_to_string("payments/_backoffice_panel.html", context, request=request)
