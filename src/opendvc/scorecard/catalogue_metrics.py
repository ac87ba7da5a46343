"""Counts the catalogue gives each agency (the procedures its kind performs), for the publicity and online
criteria: how many are published on time, published with all their parts, offered online, bear fees, and
bear fees payable online where the agency has a merchant account (itself or an ancestor).

Read from the catalogue as it is now; kept in the cache until a procedure or a merchant account changes.
"""

import hashlib
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Max

from opendvc.catalog.models import Agency, OnlineLevel, Procedure

CACHE_SECONDS = 3600


def _stamp() -> str:
    from opendvc.payments.models import MerchantAccount

    procedures = Procedure.objects.aggregate(latest=Max("updated_at"), n=Count("pk"))
    merchants = MerchantAccount.objects.filter(active=True).aggregate(n=Count("pk"), latest=Max("pk"))
    return f"{procedures['latest']}:{procedures['n']}:{merchants['n']}:{merchants['latest']}"


def _procedure_flags() -> dict[int, list[dict]]:
    """Per agency kind, the flags of each active procedure it performs."""
    procedures = (
        Procedure.objects.active()
        .annotate(n_steps=Count("steps", distinct=True), n_documents=Count("documents", distinct=True))
        .prefetch_related("fees", "agency_kinds")
    )
    by_kind = defaultdict(list)
    for p in procedures:
        fees = list(p.fees.all())
        flags = {
            "published_on_time": p.published_on is not None
            and (p.effective_on is None or p.published_on <= p.effective_on),
            "complete": bool(
                p.n_steps
                and p.n_documents
                and p.processing_time is not None
                and p.result_vi
                and p.legal_basis
                and fees
            ),
            "online": p.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL),
            "fees": any(f.amount != 0 for f in fees),
        }
        for kind in p.agency_kinds.all():
            by_kind[kind.pk].append(flags)
    return by_kind


def _compute() -> dict[int, dict[str, int]]:
    from opendvc.payments.models import MerchantAccount

    by_kind = _procedure_flags()
    merchants = set(MerchantAccount.objects.filter(active=True).values_list("agency_id", flat=True))
    agencies = list(Agency.objects.only("id", "kind_id", "parent_id"))
    parent = {a.pk: a.parent_id for a in agencies}

    def paid_online(agency_id) -> bool:  # the agency's merchant account, or an ancestor's
        seen = set()
        while agency_id is not None and agency_id not in seen:
            if agency_id in merchants:
                return True
            seen.add(agency_id)
            agency_id = parent.get(agency_id)
        return False

    result = {}
    for agency in agencies:
        flags = by_kind.get(agency.kind_id, [])
        takes_online_payment = paid_online(agency.pk)
        result[agency.pk] = {
            "procedures": len(flags),
            "procedures_published_on_time": sum(f["published_on_time"] for f in flags),
            "procedures_complete": sum(f["complete"] for f in flags),
            "procedures_online": sum(f["online"] for f in flags),
            "fee_procedures": sum(f["fees"] for f in flags),
            "fee_procedures_integrated": sum(f["fees"] and f["online"] for f in flags)
            if takes_online_payment
            else 0,
        }
    return result


def by_agency() -> dict[int, dict[str, int]]:
    key = "scorecard:catalogue:" + hashlib.sha256(_stamp().encode()).hexdigest()[:32]
    value = cache.get(key)
    if value is None:
        value = _compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
