"""Scores for any period and level, from the counters and the catalogue (never from the dossiers).

A *unit* is an agency with everything under it: a ward is itself; a province's People's Committee is the
whole province; a ministry is itself and its departments; the nation is every agency. Rates add up the
counters of the unit's agencies first and divide once (not an average of rates). Scores per criterion as
`definition` says; a group's score is the sum of its criteria's; the total is the score over the points
of the criteria that could be computed, out of 100, so that N/A criteria neither reward nor punish.

Queries: for a period of whole months the month counters answer (at most 12 rows per agency and metric a
year); a month covered in part reads its days, or the whole month less the days outside the period,
whichever is fewer; `@end` terms add everything up to the end of the period. The work does not grow with
the number of dossiers, only with agencies, months and metrics.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import BigIntegerField, Case, F, Sum, When
from django.utils import timezone
from django.utils.translation import get_language

from opendvc.catalog.models import Agency, AgencyLevel
from opendvc.scorecard import catalogue_metrics
from opendvc.scorecard.counters import current_version
from opendvc.scorecard.definition import Criterion, Spec, Term, in_force
from opendvc.scorecard.models import DayCounter, MonthCounter
from opendvc.scorecard.periods import Period, Reading

LEVELS = ("ministry", "province", "agency", "nation")


@dataclass
class Unit:
    agency_id: int | None  # None: the nation
    code: str
    name: str
    level: str
    members: frozenset[int]


@dataclass
class CriterionResult:
    criterion: Criterion
    numerator: float | None = None
    denominator: float | None = None
    rate: float | None = None
    score: float | None = None  # None: N/A

    @property
    def available(self) -> bool:
        return self.score is not None


@dataclass
class GroupResult:
    code: str
    name: str
    points: float  # the group's points in the definition
    criteria: list[CriterionResult]

    @property
    def score(self) -> float:
        return sum(c.score for c in self.criteria if c.score is not None)

    @property
    def available_points(self) -> float:
        return sum(c.criterion.points for c in self.criteria if c.score is not None)

    @property
    def percent(self) -> float | None:
        points = self.available_points
        return round(100 * self.score / points, 2) if points else None


@dataclass
class UnitResult:
    unit: Unit
    period: Period
    version: str
    groups: list[GroupResult]
    rank: int | None = None
    previous_total: float | None = None
    previous_rank: int | None = None
    numbers: dict = field(default_factory=dict)  # term -> value, the numbers behind the rates

    @property
    def score(self) -> float:
        return round(sum(g.score for g in self.groups), 2)

    @property
    def available_points(self) -> float:
        return sum(g.available_points for g in self.groups)

    @property
    def total(self) -> float | None:
        """Out of 100, over the criteria that could be computed."""
        points = self.available_points
        return round(100 * sum(g.score for g in self.groups) / points, 2) if points else None

    @property
    def change(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)


# --- units


def _tree():
    agencies = list(Agency.objects.only("id", "code", "name_vi", "name_en", "level", "parent_id"))
    children = defaultdict(list)
    for agency in agencies:
        if agency.parent_id:
            children[agency.parent_id].append(agency.pk)
    return agencies, children


def _subtree(root: int, children) -> frozenset[int]:
    seen, stack = set(), [root]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(children.get(current, ()))
    return frozenset(seen)


def units(level: str) -> list[Unit]:
    """The units ranked at `level`: "ministry" (central agencies without a parent), "province" (the
    provinces' People's Committees), "agency" (every agency) or "nation" (one unit)."""
    agencies, children = _tree()
    if level == "nation":
        return [Unit(None, "VN", "", "nation", frozenset(a.pk for a in agencies))]
    if level == "ministry":
        roots = [a for a in agencies if a.level == AgencyLevel.CENTRAL and not a.parent_id]
    elif level == "province":
        roots = [a for a in agencies if a.level == AgencyLevel.PROVINCE and not a.parent_id]
    else:
        roots = agencies
    return [Unit(a.pk, a.code, a.name, a.level, _subtree(a.pk, children)) for a in roots]


def unit_of(agency: Agency) -> Unit:
    _agencies, children = _tree()
    return Unit(agency.pk, agency.code, agency.name, agency.level, _subtree(agency.pk, children))


# --- counters


def _reads(plan: Reading, *, before: date | None = None) -> list:
    """Querysets whose `signed` sums make up the plan (with `before`, also every month before it): the
    months in one query, the days in another (`day IN (…)`, an index-only scan on (metric, day)), the
    days of `less_days` counted negative."""
    parts = []
    if before is not None:  # the plan is of `before`'s month: read whole, or not at all
        last = before if plan.months else before - timedelta(days=1)
        parts.append(MonthCounter.objects.filter(month__lte=last).annotate(signed=F("value")))
    elif plan.months:
        parts.append(MonthCounter.objects.filter(month__in=plan.months).annotate(signed=F("value")))
    added, less = _dates(plan.days), _dates(plan.less_days)
    if added or less:
        signed = F("value")
        if less:
            signed = Case(
                When(day__in=less, then=-F("value")), default=F("value"), output_field=BigIntegerField()
            )
        parts.append(DayCounter.objects.filter(day__in=added + less).annotate(signed=signed))
    return parts


def _dates(ranges) -> list[date]:
    return [low + timedelta(days=n) for low, high in ranges for n in range((high - low).days + 1)]


def _add(parts, metrics, agency_ids) -> dict:
    totals: dict = defaultdict(int)
    for rows in parts:
        for key, value in _grouped(rows.filter(metric__in=metrics), agency_ids).items():
            totals[key] += value
    return dict(totals)


def _sums(metrics, period: Period, agency_ids) -> dict:
    """{(agency, metric): value} summed over the period (`Period.reading`: month counters, and at most
    half a month of day counters at each edge, whatever its length)."""
    if not metrics:
        return {}
    return _add(_reads(period.reading()), metrics, agency_ids)


def _to_end(metrics, end: date, agency_ids) -> dict:
    """{(agency, metric): value} summed from the beginning up to `end` (whole months, then the end's
    month read the cheaper way, as in a period)."""
    if not metrics:
        return {}
    first = end.replace(day=1)
    plan = Reading()
    plan.add_month_part(first, first, end)
    return _add(_reads(plan, before=first), metrics, agency_ids)


def _grouped(rows, agency_ids) -> dict:
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    return {
        (r["agency_id"], r["metric"]): r["total"]
        for r in rows.values("agency_id", "metric").order_by().annotate(total=Sum("signed"))
    }


def _distinct_keys(metrics, period: Period, agency_ids) -> dict:
    """{(agency, metric): set of keys with a positive total in the period}."""
    if not metrics:
        return {}
    totals: dict = defaultdict(int)
    for rows in _reads(period.reading()):
        rows = rows.filter(metric__in=metrics).exclude(key="")
        if agency_ids is not None:
            rows = rows.filter(agency_id__in=agency_ids)
        for r in rows.values("agency_id", "metric", "key").order_by().annotate(total=Sum("signed")):
            totals[(r["agency_id"], r["metric"], r["key"])] += r["total"]
    return _positive_keys(totals)


def _positive_keys(totals: dict) -> dict:
    """{(agency, metric): keys} from {(agency, metric, key): total}, keeping keys whose total is positive."""
    keys = defaultdict(set)
    for (agency_id, metric, key), total in totals.items():
        if total > 0:
            keys[(agency_id, metric)].add(key)
    return keys


# --- scores


def _value(term: Term, members, sums, ends, distinct, catalog) -> float:
    if term.kind == "sum":
        return sum(sums.get((a, term.metric), 0) for a in members)
    if term.kind == "end":
        return sum(ends.get((a, term.metric), 0) for a in members)
    if term.kind == "distinct":
        return len(set().union(*(distinct.get((a, term.metric), set()) for a in members)))
    return sum(catalog.get(a, {}).get(term.metric, 0) for a in members)


def _criterion(criterion: Criterion, values: dict[Term, float]) -> CriterionResult:
    if not criterion.available:
        return CriterionResult(criterion)
    numerator = sum(t.sign * values[t] for t in criterion.numerator)
    denominator = sum(t.sign * values[t] for t in criterion.denominator)
    if denominator <= 0:
        return CriterionResult(criterion, numerator, denominator)
    rate = max(0.0, min(numerator / denominator, 1.0))
    target = criterion.target or 1.0
    score = criterion.points if rate >= target else rate * criterion.points / target
    return CriterionResult(criterion, numerator, denominator, round(rate, 4), round(score, 2))


def _metrics(terms, kind: str) -> set[str]:
    return {t.metric for t in terms if t.kind == kind}


def _ids(unit_list: list[Unit]) -> list[int] | None:
    wanted = set().union(*(u.members for u in unit_list)) if unit_list else set()
    return None if len(wanted) > 500 else list(wanted)  # a national ranking reads every row anyway


def evaluate(spec: Spec, unit_list: list[Unit], period: Period) -> list[UnitResult]:
    """The results of these units for the period (not ranked)."""
    terms = spec.terms()
    agency_ids = _ids(unit_list)
    sums = _sums(_metrics(terms, "sum"), period, agency_ids)
    # A period not over yet is measured now: dossiers that will be late later are not late yet.
    end = min(period.end, timezone.localdate())
    ends = _to_end(_metrics(terms, "end"), end, agency_ids)
    distinct = _distinct_keys(_metrics(terms, "distinct"), period, agency_ids)
    catalog = catalogue_metrics.by_agency() if any(t.kind == "catalog" for t in terms) else {}
    return _results(spec, unit_list, period, sums, ends, distinct, catalog)


def _results(spec, unit_list, period, sums, ends, distinct, catalog) -> list[UnitResult]:
    terms = spec.terms()
    results = []
    for unit in unit_list:
        values = {t: _value(t, unit.members, sums, ends, distinct, catalog) for t in terms}
        groups = [
            GroupResult(g.code, g.name, g.points, [_criterion(c, values) for c in g.criteria])
            for g in spec.groups
        ]
        numbers = {_term_name(t): values[t] for t in terms}
        results.append(UnitResult(unit, period, spec.version, groups, numbers=numbers))
    return results


def _by_month(metrics, first: date, last: date, agency_ids, *, keys: bool = False) -> dict:
    """{month: {(agency, metric[, key]): value}} from the month counters of months first..last."""
    out: dict = defaultdict(dict)
    if not metrics:
        return out
    rows = MonthCounter.objects.filter(metric__in=metrics, month__gte=first, month__lte=last)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    fields = ["month", "agency_id", "metric"] + (["key"] if keys else [])
    for r in rows.values(*fields).order_by().annotate(total=Sum("value")):
        out[r["month"]][tuple(r[f] for f in fields[1:])] = r["total"]
    return out


def evaluate_months(spec: Spec, unit: Unit, months: list[Period]) -> list[UnitResult]:
    """`evaluate` for consecutive months in a few queries: one for the months' sums, one for the running
    totals up to each month's end, one for the distinct keys (and the days of a month not over yet)."""
    terms, agency_ids, today = spec.terms(), _ids([unit]), timezone.localdate()
    first, last = months[0].start, months[-1].start
    sums = _by_month(_metrics(terms, "sum"), first, last, agency_ids)
    running_rows = _by_month(_metrics(terms, "end"), date(1, 1, 1), last, agency_ids)
    distinct_rows = _by_month(_metrics(terms, "distinct"), first, last, agency_ids, keys=True)
    catalog = catalogue_metrics.by_agency() if any(t.kind == "catalog" for t in terms) else {}
    running: dict = defaultdict(int)
    pending = sorted(running_rows)
    results = []
    for m in months:
        while pending and pending[0] <= m.start:
            for key, value in running_rows[pending.pop(0)].items():
                running[key] += value
        # A month not over is measured up to today (a dossier due later is not late yet).
        ends = dict(running) if m.end <= today else _to_end(_metrics(terms, "end"), today, agency_ids)
        distinct = _positive_keys(distinct_rows.get(m.start, {}))
        results += _results(spec, [unit], m, sums.get(m.start, {}), ends, distinct, catalog)
    return results


def _term_name(term: Term) -> str:
    return {"sum": term.metric, "end": f"{term.metric}@end", "distinct": f"distinct:{term.metric}"}.get(
        term.kind, f"catalog:{term.metric}"
    )


def _rank(results: list[UnitResult]) -> None:
    ordered = sorted(results, key=lambda r: (-(r.total if r.total is not None else -1), r.unit.name))
    rank, previous = 0, object()
    for position, result in enumerate(ordered, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        result.rank = rank if result.total is not None else None
    results[:] = ordered


def _cached(key: str, compute):
    """The value for the counters as they are, or (SCORECARD_MAX_STALENESS) one computed a little earlier."""
    key = f"scorecard:{get_language() or 'vi'}:{key}"
    version, now = current_version(), time.time()
    stored = cache.get(key)
    if stored is not None:
        stored_version, computed_at, value = stored
        if stored_version == version or now - computed_at < settings.SCORECARD_MAX_STALENESS:
            return value
    value = compute()
    cache.set(key, (version, now, value), settings.SCORECARD_CACHE_SECONDS)
    return value


def ranking(period: Period, level: str, *, use_cache: bool = True) -> list[UnitResult]:
    """Every unit of `level`, ranked by total for the period, with the previous period's total and rank."""

    def compute():
        spec = in_force(period.end)
        unit_list = units(level)
        current = evaluate(spec, unit_list, period)
        previous = evaluate(spec, unit_list, period.previous())
        _rank(current)
        _rank(previous)
        before = {r.unit.code: r for r in previous}
        for result in current:
            earlier = before.get(result.unit.code)
            if earlier is not None:
                result.previous_total, result.previous_rank = earlier.total, earlier.rank
        return current

    return _cached(f"ranking:{level}:{period.code}", compute) if use_cache else compute()


def unit_result(agency: Agency, period: Period, *, use_cache: bool = True) -> UnitResult:
    def compute():
        spec = in_force(period.end)
        unit = unit_of(agency)
        result = evaluate(spec, [unit], period)[0]
        result.previous_total = evaluate(spec, [unit], period.previous())[0].total
        return result

    return _cached(f"unit:{agency.pk}:{period.code}", compute) if use_cache else compute()


def trend(agency: Agency | None, months: list[Period], *, use_cache: bool = True) -> list[UnitResult]:
    """The unit's result month by month (the nation's when `agency` is None)."""

    def compute():
        unit = unit_of(agency) if agency is not None else units("nation")[0]
        specs = [in_force(m.end) for m in months]
        if len({spec.version for spec in specs}) == 1:
            return evaluate_months(specs[0], unit, months)
        return [evaluate(spec, [unit], m)[0] for spec, m in zip(specs, months, strict=True)]

    code = agency.pk if agency is not None else "VN"
    return _cached(f"trend:{code}:{months[0].code}:{months[-1].code}", compute) if use_cache else compute()


def nation(period: Period, *, use_cache: bool = True) -> UnitResult:
    def compute():
        return evaluate(in_force(period.end), units("nation"), period)[0]

    return _cached(f"nation:{period.code}", compute) if use_cache else compute()


def ranked_level(agency: Agency) -> str | None:
    """The national ranking an agency takes part in: ministries and provinces (the top of their tree)."""
    if agency.parent_id is not None:
        return None
    return {AgencyLevel.CENTRAL: "ministry", AgencyLevel.PROVINCE: "province"}.get(agency.level)


def place_in_ranking(agency: Agency, period: Period) -> tuple[int | None, int]:
    """(rank, number of units ranked) in the agency's national ranking; (None, 0) outside one."""
    level = ranked_level(agency)
    if level is None:
        return None, 0
    results = ranking(period, level)
    rank = next((r.rank for r in results if r.unit.agency_id == agency.pk), None)
    return rank, len(results)
