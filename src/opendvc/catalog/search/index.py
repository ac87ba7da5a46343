"""Keeps ProcedureSearchEntry (the normalised search keys) in step with the catalogue.

Every write path of the catalogue (import, admin) calls `reindex` after it has saved; the search
vocabulary is then rebuilt lazily on the next query (see vocabulary.py).
"""

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from opendvc.catalog.models import Procedure, ProcedureSearchEntry
from opendvc.core.text import search_key

VERSION_KEY = "catalog:search-version"


def entry_for(procedure: Procedure) -> ProcedureSearchEntry:
    """The search keys of one procedure. Expects documents and agency kinds to be prefetched."""
    names = [procedure.name_vi, procedure.name_en]
    body = [
        procedure.description_vi,
        procedure.description_en,
        procedure.field.name_vi,
        procedure.field.name_en,
        procedure.result_vi,
        procedure.result_en,
        *(document.name_vi for document in procedure.documents.all()),
        *(kind.name_vi for kind in procedure.agency_kinds.all()),
    ]
    return ProcedureSearchEntry(
        procedure_id=procedure.pk,
        active=procedure.is_active,
        name="\n".join(search_key(n) for n in names if n),
        keywords="\n".join(search_key(k) for k in procedure.keyword_list),
        body=" ".join(search_key(b) for b in body if b),
    )


def reindex(procedure_ids: Iterable[int] | None = None, *, batch_size: int = 500) -> int:
    """Rebuild the search entries of the given procedures (all when None). Returns how many."""
    queryset = Procedure.objects.select_related("field").prefetch_related("documents", "agency_kinds")
    if procedure_ids is not None:
        queryset = queryset.filter(pk__in=list(procedure_ids))
    count = 0
    with transaction.atomic():
        batch: list[ProcedureSearchEntry] = []
        for procedure in queryset.iterator(chunk_size=batch_size):
            batch.append(entry_for(procedure))
            if len(batch) >= batch_size:
                count += _replace(batch)
                batch = []
        count += _replace(batch)
        # Bump now for this process and again after commit for the others, which might otherwise have
        # rebuilt their vocabulary from the data as it was before this transaction.
        bump_version()
        transaction.on_commit(bump_version)
    return count


def _replace(entries: list[ProcedureSearchEntry]) -> int:
    if not entries:
        return 0
    ProcedureSearchEntry.objects.filter(pk__in=[e.procedure_id for e in entries]).delete()
    ProcedureSearchEntry.objects.bulk_create(entries)
    return len(entries)


def _fresh_version() -> int:
    # A version never used before, for when the key is missing (a flushed or restarted cache): restarting
    # at 1 would let a process keep a vocabulary it built at an earlier "1".
    return time.time_ns()


def bump_version() -> None:
    """Tell every process that the vocabulary must be rebuilt."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version
