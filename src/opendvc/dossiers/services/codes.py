"""Dossier codes `<agency electronic code>-YYMMDD-NNNN` (Circular 01/2018/TT-VPCP art. 19)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from opendvc.dossiers.models import DossierCodeSequence


def next_code(agency, day: date) -> str:
    """The next code for `agency` on `day`. Call inside the transaction that creates the dossier.

    The per-agency, per-day counter row is incremented with one UPDATE, which holds the row lock until the
    caller's transaction ends, so concurrent submissions queue on it and never get the same number. A
    rolled-back submission gives its number back (gap-tolerant: numbers may be skipped, never repeated).
    """
    number = _increment(agency, day)
    if number is None:
        try:
            with transaction.atomic():
                DossierCodeSequence.objects.create(agency=agency, day=day, last=0)
        except IntegrityError:
            pass  # a concurrent submission created it first
        number = _increment(agency, day)
    if number > 9999:
        # The code has four digits; beyond that the sequence keeps counting with more digits rather than
        # refusing a citizen's dossier.
        return f"{agency.code}-{day:%y%m%d}-{number}"
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _increment(agency, day: date) -> int | None:
    rows = DossierCodeSequence.objects.filter(agency=agency, day=day)
    if not rows.update(last=F("last") + 1):
        return None
    return rows.values_list("last", flat=True).get()
