"""Keeping the counters: the difference a record's change makes, applied in the change's transaction.

`refresh_dossier` / `refresh_feedback` recompute what one record contributes (`facts`), compare it with
what it contributed before (`Contribution`, locked), and add the difference to the day and month counters
with one upsert each (`INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value`, on SQLite and
PostgreSQL). `rebuild` throws the counters away and recomputes them from every dossier and feedback: the
result must be the same (tested), since both go through the same function.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from itertools import chain

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction

from opendvc.scorecard.facts import (
    Row,
    dossier_contributions,
    feedback_contributions,
    feedback_facts,
    load_dossier_facts,
    load_one_dossier_facts,
)
from opendvc.scorecard.models import Contribution, DayCounter, MonthCounter

VERSION_KEY = "scorecard:version"
Key = tuple[int, str, str, str]  # agency id, ISO day, metric, key


def keyed(rows: Iterable) -> Counter:
    totals: Counter = Counter()
    for agency_id, day, metric, key, value in rows:
        totals[(int(agency_id), day.isoformat() if isinstance(day, date) else day, metric, key)] += value
    return totals


def _upsert(table: str, period: str) -> str:
    """Add to a counter row, creating it if it is new (one statement on SQLite and PostgreSQL alike)."""
    return (
        f"INSERT INTO {table} (agency_id, {period}, metric, key, value) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (agency_id, {period}, metric, key) DO UPDATE SET value = {table}.value + excluded.value"
    )


def _month(day_iso: str) -> str:
    return day_iso[:8] + "01"


def apply(delta: Counter) -> None:
    """Add `delta` ((agency, ISO day, metric, key) -> value) to the day and month counters."""
    days = [(a, d, m, k, v) for (a, d, m, k), v in delta.items() if v]
    if not days:
        return
    months: Counter = Counter()
    for a, d, m, k, v in days:
        months[(a, _month(d), m, k)] += v
    with connection.cursor() as cursor:
        cursor.executemany(_upsert("scorecard_daycounter", "day"), days)
        cursor.executemany(
            _upsert("scorecard_monthcounter", "month"),
            [(a, mo, m, k, v) for (a, mo, m, k), v in months.items() if v],
        )
    transaction.on_commit(bump_version)


def bump_version() -> None:
    """Tell every process that cached scores are stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)


def current_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def _stored(source: str, source_id: int) -> Contribution:
    contribution = Contribution.objects.select_for_update().filter(source=source, source_id=source_id).first()
    if contribution is not None:
        return contribution
    try:
        with transaction.atomic():
            return Contribution.objects.create(source=source, source_id=source_id, rows=[])
    except IntegrityError:  # created by a concurrent change of the same record: wait for it
        return Contribution.objects.select_for_update().get(source=source, source_id=source_id)


@transaction.atomic
def refresh(source: str, source_id: int, compute) -> Counter:
    """Recompute one record's contribution (`compute()` returns its rows) and apply the difference."""
    contribution = _stored(source, source_id)
    new = keyed(compute())
    old = keyed(contribution.rows)
    delta = Counter(new)
    delta.subtract(old)
    apply(delta)
    contribution.rows = [[a, d, m, k, v] for (a, d, m, k), v in sorted(new.items()) if v]
    contribution.save(update_fields=["rows"])
    return delta


def refresh_dossier(dossier_id: int) -> Counter:
    def compute():
        facts = load_one_dossier_facts(dossier_id)
        return dossier_contributions(facts) if facts is not None else []

    return refresh(Contribution.Source.DOSSIER, dossier_id, compute)


def refresh_feedback(feedback_id: int) -> Counter:
    from opendvc.feedback.models import Feedback

    return refresh(
        Contribution.Source.FEEDBACK,
        feedback_id,
        lambda: feedback_contributions(feedback_facts(Feedback.objects.get(pk=feedback_id))),
    )


# --- rebuilding everything


def _all_dossier_rows(batch: int):
    from opendvc.dossiers.models import Dossier

    ids = Dossier.objects.filter(received_at__isnull=False).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        chunk = list(ids.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        facts = load_dossier_facts(chunk)
        for dossier_id in chunk:
            yield Contribution.Source.DOSSIER, dossier_id, dossier_contributions(facts[dossier_id])
        last = chunk[-1]


def _all_feedback_rows():
    from opendvc.feedback.models import Feedback

    for feedback in Feedback.objects.order_by("pk").iterator(chunk_size=2000):
        yield Contribution.Source.FEEDBACK, feedback.pk, feedback_contributions(feedback_facts(feedback))


@transaction.atomic
def rebuild(*, batch: int = 2000) -> dict[str, int]:
    """Recompute every counter from the dossiers and feedback as they are now. Returns counts."""
    DayCounter.objects.all().delete()
    MonthCounter.objects.all().delete()
    Contribution.objects.all().delete()
    totals: Counter = Counter()
    contributions = []
    sources = 0
    for source, source_id, rows in chain(_all_dossier_rows(batch), _all_feedback_rows()):
        values = keyed(rows)
        totals.update(values)
        sources += 1
        contributions.append(
            Contribution(
                source=source,
                source_id=source_id,
                rows=[[a, d, m, k, v] for (a, d, m, k), v in sorted(values.items()) if v],
            )
        )
        if len(contributions) >= batch:
            Contribution.objects.bulk_create(contributions)
            contributions = []
    Contribution.objects.bulk_create(contributions)
    write_totals(totals)
    transaction.on_commit(bump_version)
    return {"records": sources, "counters": sum(1 for v in totals.values() if v)}


def write_totals(totals: Counter, *, batch: int = 5000) -> None:
    """Insert counters from totals ((agency, ISO day, metric, key) -> value) into empty tables."""
    months: Counter = Counter()
    days = []
    for (a, d, m, k), v in totals.items():
        if v:
            days.append(DayCounter(agency_id=a, day=d, metric=m, key=k, value=v))
            months[(a, _month(d), m, k)] += v
    DayCounter.objects.bulk_create(days, batch_size=batch)
    MonthCounter.objects.bulk_create(
        [
            MonthCounter(agency_id=a, month=mo, metric=m, key=k, value=v)
            for (a, mo, m, k), v in months.items()
            if v
        ],
        batch_size=batch,
    )


def snapshot() -> dict[str, dict]:
    """Every non-zero counter, for comparing the real-time counters with a rebuild."""
    return {
        "days": {
            (c.agency_id, c.day.isoformat(), c.metric, c.key): c.value
            for c in DayCounter.objects.exclude(value=0)
        },
        "months": {
            (c.agency_id, c.month.isoformat(), c.metric, c.key): c.value
            for c in MonthCounter.objects.exclude(value=0)
        },
    }


__all__ = ["Row", "apply", "rebuild", "refresh_dossier", "refresh_feedback", "snapshot"]
