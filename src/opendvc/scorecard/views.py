"""The public scorecard pages (Decision 766): the national ranking of provinces, ministries or every agency,
an agency's page (its groups and criteria with the numbers behind each rate, its months), and two units
side by side. Every table downloads as CSV or JSON (`?format=csv|json&table=name`, open data).
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendvc.catalog.models import Agency, AgencyLevel
from opendvc.scorecard import charts, compute, periods, tables
from opendvc.scorecard.definition import in_force
from opendvc.scorecard.forms import PeriodForm

LEVELS = ("province", "ministry", "agency")
TREND_MONTHS = 12


def _level_labels() -> dict[str, str]:
    return {
        "province": _("Tỉnh, thành phố"),
        "ministry": _("Bộ, ngành"),
        "agency": _("Tất cả cơ quan"),
    }


def _period_form(request) -> PeriodForm:
    form = PeriodForm(request.GET or None)
    if not request.GET:
        form = PeriodForm({"period": periods.month(form.today).code})
    return form


def _download(request, available: dict, stem: str):
    """The response for `?format=csv|json&table=…` when asked and the table exists, else None."""
    fmt, name = request.GET.get("format"), request.GET.get("table")
    if fmt not in ("csv", "json") or name not in available:
        return None
    table = available[name]
    filename = f"chi-so-phuc-vu-{stem}-{table.name}"
    if fmt == "csv":
        response = HttpResponse("\ufeff" + table.as_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    else:
        response = JsonResponse(table.as_json(), json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    response["Access-Control-Allow-Origin"] = "*"  # open data
    return response


def _agency_url(code: str, period: periods.Period) -> str:
    return f"{reverse('scorecard:agency', args=[code])}?period={period.code}"


def _invalid(request, template: str, context: dict):
    return render(request, template, context, status=400)


@require_GET
def ranking(request):
    level = request.GET.get("level", "province")
    if level not in LEVELS:
        level = "province"
    form = _period_form(request)
    context = {"form": form, "level": level, "levels": _level_labels(), "level_keep": {"level": level}}
    if not form.is_valid():
        return _invalid(request, "scorecard/ranking.html", context)
    period = form.chosen()
    spec = in_force(period.end)
    results = compute.ranking(period, level)
    nation = compute.nation(period)
    nation_before = compute.nation(period.previous())
    level_name = _level_labels()[level]
    ranking_table = tables.ranking(
        results, spec, _("Xếp hạng %(level)s – %(period)s") % {"level": level_name, "period": period.label}
    )
    nation_table = tables.groups(
        nation, _("Cả nước theo nhóm chỉ số – %(period)s") % {"period": period.label}
    )
    for row in ranking_table.rows:
        row["href"] = _agency_url(row["code"], period)
    stem = f"{level}-{period.code}"
    response = _download(request, {"ranking": ranking_table, "groups": nation_table}, stem)
    if response is not None:
        return response
    context.update(
        period=period,
        spec=spec,
        results=results,
        nation=nation,
        ranking_table=ranking_table,
        nation_table=nation_table,
        bars=charts.hbars([(r.unit.name, r.total) for r in results]),
        nation_chart=charts.grouped(
            [g.name for g in nation.groups],
            [
                (period.label, [g.percent for g in nation.groups]),
                (nation_before.period.label, [g.percent for g in nation_before.groups]),
            ],
        ),
        query=f"level={level}&period={period.code}",
    )
    return render(request, "scorecard/ranking.html", context)


def _trend_months(period: periods.Period, today) -> list[periods.Period]:
    return periods.recent_months(TREND_MONTHS, until=min(period.end, today))


@require_GET
def agency(request, code: str):
    unit = get_object_or_404(Agency, code=code)
    form = _period_form(request)
    context = {"form": form, "agency": unit}
    if not form.is_valid():
        return _invalid(request, "scorecard/agency.html", context)
    period = form.chosen()
    spec = in_force(period.end)
    result = compute.unit_result(unit, period)
    nation = compute.nation(period)
    months = compute.trend(unit, _trend_months(period, form.today))
    rank, ranked = compute.place_in_ranking(unit, period)
    names = {"name": unit.name, "period": period.label}
    available = {
        "groups": tables.groups(result, _("%(name)s theo nhóm chỉ số – %(period)s") % names),
        "criteria": tables.criteria(result, _("Các chỉ số của %(name)s – %(period)s") % names),
        "trend": tables.trend(months, spec, _("%(name)s qua từng tháng") % names),
    }
    response = _download(request, available, f"{unit.code}-{period.code}")
    if response is not None:
        return response
    context.update(
        period=period,
        spec=spec,
        result=result,
        rank=rank,
        ranked=ranked,
        ranked_level=_level_labels().get(compute.ranked_level(unit) or "", ""),
        tables=available,
        groups_chart=charts.grouped(
            [g.name for g in result.groups],
            [
                (unit.name, [g.percent for g in result.groups]),
                (_("Cả nước"), [g.percent for g in nation.groups]),
            ],
        ),
        trend_chart=charts.line([(f"{m.period.start:%m/%Y}", m.total) for m in months]),
        query=f"period={period.code}",
    )
    return render(request, "scorecard/agency.html", context)


def _choosable() -> list:
    """The units offered for comparison: ministries and provinces (any agency can be reached by code)."""
    tops = Agency.objects.filter(parent__isnull=True).order_by("name_vi")
    return [
        (_("Bộ, ngành"), [(a.code, a.name) for a in tops if a.level == AgencyLevel.CENTRAL]),
        (_("Tỉnh, thành phố"), [(a.code, a.name) for a in tops if a.level == AgencyLevel.PROVINCE]),
    ]


@require_GET
def compare(request):
    form = _period_form(request)
    codes = [request.GET.get("a", "").strip(), request.GET.get("b", "").strip()]
    found = {a.code: a for a in Agency.objects.filter(code__in=[c for c in codes if c])}
    choices = _choosable()
    listed = {code for _group, options in choices for code, _name in options}
    extra = [(found[c].code, found[c].name) for c in codes if c in found and c not in listed]
    if extra:
        choices.insert(0, (_("Đơn vị đã chọn"), extra))
    problems = {}
    for key, code in zip(("a", "b"), codes, strict=True):
        if code and code not in found:
            problems[key] = _("Không có cơ quan mang mã “%(code)s”.") % {"code": code}
    if codes[0] and codes[0] == codes[1]:
        problems["b"] = _("Chọn hai đơn vị khác nhau để so sánh.")
    context = {
        "form": form,
        "choices": choices,
        "codes": codes,
        "problems": problems,
        "pickers": [("a", _("Đơn vị thứ nhất"), codes[0]), ("b", _("Đơn vị thứ hai"), codes[1])],
    }
    if not form.is_valid() or problems:
        return _invalid(request, "scorecard/compare.html", context)
    period = form.chosen()
    context.update(period=period, query=f"a={codes[0]}&b={codes[1]}&period={period.code}")
    if not all(codes):
        return render(request, "scorecard/compare.html", context)
    first = compute.unit_result(found[codes[0]], period)
    second = compute.unit_result(found[codes[1]], period)
    caption = _("So sánh %(a)s và %(b)s – %(period)s") % {
        "a": first.unit.name,
        "b": second.unit.name,
        "period": period.label,
    }
    table = tables.comparison(first, second, caption)
    response = _download(request, {"comparison": table}, f"so-sanh-{period.code}")
    if response is not None:
        return response
    context.update(
        first=first,
        second=second,
        table=table,
        chart=charts.grouped(
            [g.name for g in first.groups],
            [
                (first.unit.name, [g.percent for g in first.groups]),
                (second.unit.name, [g.percent for g in second.groups]),
            ],
        ),
    )
    return render(request, "scorecard/compare.html", context)
