"""The scorecard as open data: the ranking of a level for a period, and one unit with its criteria, the
numbers behind each rate and its last twelve months. Public, cached per counter version."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from opendvc.catalog.api import language
from opendvc.catalog.models import Agency
from opendvc.core.errors import DomainError
from opendvc.scorecard import compute, periods
from opendvc.scorecard.compute import UnitResult
from opendvc.scorecard.definition import Spec, in_force

router = Router(tags=["scorecard"])
TREND_MONTHS = 12


class DefinitionOut(Schema):
    version: str
    title: str


class PeriodOut(Schema):
    code: str = SchemaField(description="2026-11, 2026-Q4, 2026 or 2026-01-01..2026-03-31")
    label: str
    start: date
    end: date


class GroupScoreOut(Schema):
    code: str
    name: str
    points: float = SchemaField(description="the group's points in the definition")
    score: float
    percent: float | None = SchemaField(description="score over the points of its computable criteria, ×100")


class RankedUnitOut(Schema):
    code: str
    name: str
    rank: int | None
    total: float | None = SchemaField(description="out of 100, over the criteria that could be computed")
    previous_rank: int | None
    previous_total: float | None
    change: float | None = SchemaField(description="total minus the previous period's total")
    groups: list[GroupScoreOut]


class RankingOut(Schema):
    definition: DefinitionOut
    period: PeriodOut
    level: str
    units: list[RankedUnitOut]


class CriterionOut(Schema):
    code: str
    name: str
    points: float
    target: float | None = SchemaField(description="the rate that earns full points (0–1)")
    available: bool
    reason: str = SchemaField(description="why it is N/A, when it is")
    numerator: float | None
    denominator: float | None
    rate: float | None = SchemaField(description="numerator ÷ denominator (0–1)")
    score: float | None


class GroupDetailOut(GroupScoreOut):
    criteria: list[CriterionOut]


class TrendPointOut(Schema):
    period: str
    total: float | None
    groups: dict[str, float | None] = SchemaField(description="group code → percent")


class UnitDetailOut(Schema):
    definition: DefinitionOut
    period: PeriodOut
    code: str
    name: str
    level: str
    rank: int | None = SchemaField(description="in the national ranking of ministries or provinces")
    total: float | None
    previous_total: float | None
    change: float | None
    groups: list[GroupDetailOut]
    numbers: dict[str, float] = SchemaField(description="the counters behind the rates, by term")
    trend: list[TrendPointOut] = SchemaField(description="the last 12 months up to the period's end")


class RankingQuery(Schema):
    period: str | None = SchemaField(None, description="default: the current month")
    level: str = SchemaField("province", description="province, ministry or agency")
    lang: str | None = None


class UnitQuery(Schema):
    period: str | None = SchemaField(None, description="default: the current month")
    lang: str | None = None


def _period(text: str | None) -> periods.Period:
    try:
        return periods.parse(text)
    except periods.InvalidPeriod as error:
        raise DomainError(str(error), code="invalid_parameters", fields={"period": [str(error)]}) from None


def _definition(spec: Spec) -> dict:
    return {"version": spec.version, "title": spec.title}


def _period_out(period: periods.Period) -> dict:
    return {"code": period.code, "label": period.label, "start": period.start, "end": period.end}


def _group(group, *, criteria: bool) -> dict:
    out = {
        "code": group.code,
        "name": group.name,
        "points": group.points,
        "score": round(group.score, 2),
        "percent": group.percent,
    }
    if criteria:
        out["criteria"] = [
            {
                "code": c.criterion.code,
                "name": c.criterion.name,
                "points": c.criterion.points,
                "target": c.criterion.target,
                "available": c.criterion.available,
                "reason": c.criterion.unavailable,
                "numerator": c.numerator,
                "denominator": c.denominator,
                "rate": c.rate,
                "score": c.score,
            }
            for c in group.criteria
        ]
    return out


@router.get(
    "/scorecard",
    response=RankingOut,
    summary="The national ranking for a period",
    url_name="scorecard_ranking",
)
def scorecard_ranking(request, query: Query[RankingQuery]):
    """Provinces, ministries or every agency ranked by total (ties share a rank), each with its five
    groups and its rank and total in the previous period. 400 `invalid_parameters` for a bad period or
    level."""
    with language(request, query.lang):
        if query.level not in ("province", "ministry", "agency"):
            raise DomainError(
                "Unknown level.",
                code="invalid_parameters",
                fields={"level": [f"“{query.level}” is not one of: province, ministry, agency"]},
            )
        period = _period(query.period)
        results = compute.ranking(period, query.level)
        return {
            "definition": _definition(in_force(period.end)),
            "period": _period_out(period),
            "level": query.level,
            "units": [
                {
                    "code": r.unit.code,
                    "name": r.unit.name,
                    "rank": r.rank,
                    "total": r.total,
                    "previous_rank": r.previous_rank,
                    "previous_total": r.previous_total,
                    "change": r.change,
                    "groups": [_group(g, criteria=False) for g in r.groups],
                }
                for r in results
            ],
        }


def _trend_point(result: UnitResult) -> dict:
    return {
        "period": result.period.code,
        "total": result.total,
        "groups": {g.code: g.percent for g in result.groups},
    }


@router.get(
    "/scorecard/{agency_code}",
    response=UnitDetailOut,
    summary="One agency's scores, criteria and months",
    url_name="scorecard_unit",
)
def scorecard_unit(request, agency_code: str, query: Query[UnitQuery]):
    """The agency with everything under it: the total, each group and criterion with its numerator,
    denominator, rate and score (or why it is N/A), and the last twelve months. 404 for an unknown code."""
    with language(request, query.lang):
        period = _period(query.period)
        agency = get_object_or_404(Agency, code=agency_code)
        result = compute.unit_result(agency, period)
        months = periods.recent_months(TREND_MONTHS, until=min(period.end, timezone.localdate()))
        rank, _ranked = compute.place_in_ranking(agency, period)
        return {
            "definition": _definition(in_force(period.end)),
            "period": _period_out(period),
            "code": agency.code,
            "name": agency.name,
            "level": agency.level,
            "rank": rank,
            "total": result.total,
            "previous_total": result.previous_total,
            "change": result.change,
            "groups": [_group(g, criteria=True) for g in result.groups],
            "numbers": result.numbers,
            "trend": [_trend_point(m) for m in compute.trend(agency, months)],
        }
