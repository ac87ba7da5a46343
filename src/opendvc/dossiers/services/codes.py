"""Dossier codes `<agency electronic code>-YYMMDD-NNNN` (Circular 01/2018/TT-VPCP art. 19).

The only write path of `DossierCodeSequence`. The per-agency, per-day counter row is incremented with one
UPDATE, which holds the row lock until the caller's transaction ends, so concurrent submissions queue on it
and never get the same number. A rolled-back submission gives its numbers back (gap-tolerant: numbers may
be skipped, never repeated). Call these inside the transaction that creates the dossiers.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from opendvc.dossiers.models import DossierCodeSequence


def format_code(agency, day: date, number: int) -> str:
    # Four digits; beyond 9999 the number keeps counting with more digits rather than refusing a dossier.
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def next_codes(agency, day: date, count: int) -> list[str]:
    """`count` consecutive new codes for `agency` on `day` (a batch from an agency system takes many)."""
    if count <= 0:
        return []
    rows = DossierCodeSequence.objects.filter(agency=agency, day=day)
    if not rows.update(last=F("last") + count):
        try:
            with transaction.atomic():
                DossierCodeSequence.objects.create(agency=agency, day=day, last=count)
            return [format_code(agency, day, n) for n in range(1, count + 1)]
        except IntegrityError:
            rows.update(last=F("last") + count)  # a concurrent submission created the row first
    last = rows.values_list("last", flat=True).get()
    return [format_code(agency, day, n) for n in range(last - count + 1, last + 1)]


def next_code(agency, day: date) -> str:
    """The next code for `agency` on `day`."""
    return next_codes(agency, day, 1)[0]


def claim_number(agency, day: date, number: int) -> None:
    """A code an agency system gave itself uses up its number: the portal's later codes that day skip it."""
    if not DossierCodeSequence.objects.filter(agency=agency, day=day, last__lt=number).update(last=number):
        DossierCodeSequence.objects.get_or_create(agency=agency, day=day, defaults={"last": number})
