"""Declare once: what the portal already knows about the applicant, offered as form answers.

Sources: the account profile; the national population database for accounts verified at level 2 or above
(its values are locked unless the procedure is about changing them); and the applicant's earlier dossiers.
"""

import logging

from opendvc.dossiers.eforms.prefill import prefill
from opendvc.identity.registries import population_registry
from opendvc.identity.registries.base import RegistryUnavailable

logger = logging.getLogger(__name__)

EARLIER_DOSSIERS = 5  # the most recent dossiers whose answers are offered again


def profile_of(account) -> dict:
    phone = account.otp_phone
    return {
        "full_name": account.full_name,
        "id_number": account.id_number or "",
        "date_of_birth": account.date_of_birth.isoformat() if account.date_of_birth else "",
        "gender": account.gender,
        "address": account.address,
        "email": account.email,
        "phone": phone.number if phone is not None else "",
    }


def registry_of(account) -> dict:
    if (account.assurance_level or 0) < 2 or not account.id_number:
        return {}
    try:
        person = population_registry().lookup(account.id_number)
    except RegistryUnavailable:
        logger.warning("Population registry unavailable for prefill")
        return {}
    if person is None:
        return {}
    return {
        "full_name": person.full_name,
        "id_number": person.id_number,
        "date_of_birth": person.date_of_birth.isoformat(),
        "gender": person.gender,
        "address": person.address,
    }


def previous_of(account, procedure) -> dict:
    """Answers from earlier dossiers, the same procedure first, newest first."""
    from opendvc.dossiers.models import Dossier

    merged: dict = {}
    earlier = Dossier.objects.filter(applicant=account).order_by("-submitted_at")
    same = list(earlier.filter(procedure=procedure)[:EARLIER_DOSSIERS])
    other = list(earlier.exclude(procedure=procedure)[:EARLIER_DOSSIERS])
    for dossier in reversed(other + same):  # later (and same-procedure) answers win
        merged.update(dossier.data or {})
    return merged


def prefill_for(account, procedure, spec, *, allow_changes: bool):
    """(data, origins by key, locked keys) for a new draft of `procedure` by `account`."""
    sources = {
        "profile": profile_of(account),
        "registry": registry_of(account),
        "previous": previous_of(account, procedure),
    }
    data, origins, locked = prefill(spec, sources)
    if allow_changes:
        locked = set()
    return data, origins, set(locked)
