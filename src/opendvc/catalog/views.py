"""Public pages of the catalogue. Views parse the request, call selectors, render; nothing else."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendvc.catalog import selectors
from opendvc.catalog.models import AgencyLevel, Audience, OnlineLevel
from opendvc.catalog.services import record_view
from opendvc.core.errors import NotFound

PAGE_SIZE = 20
ONLINE_LEVELS = [OnlineLevel.FULL, OnlineLevel.PARTIAL]


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        return 1


def _clean_query(request) -> tuple[str, str]:
    """The query text and, when it cannot be used as typed, a message saying why."""
    query = request.GET.get("q", "").replace("\x00", "").strip()
    if len(query) > settings.SEARCH_MAX_QUERY_LENGTH:
        return query[: settings.SEARCH_MAX_QUERY_LENGTH], _(
            "Từ khóa quá dài: chỉ %(n)d ký tự đầu được dùng để tìm kiếm."
        ) % {"n": settings.SEARCH_MAX_QUERY_LENGTH}
    return query, ""


@require_GET
def home(request):
    return render(
        request,
        "catalog/home.html",
        {
            "popular": selectors.popular_procedures(),
            "citizen_events": selectors.life_events(Audience.CITIZEN)[:8],
            "business_events": selectors.life_events(Audience.BUSINESS)[:6],
        },
    )


@require_GET
def audience_page(request, audience: str):
    return render(
        request,
        "catalog/audience.html",
        {
            "audience": audience,
            "title": _("Công dân") if audience == Audience.CITIZEN else _("Doanh nghiệp"),
            "events": selectors.life_events(audience),
            "popular": selectors.popular_procedures(audience=audience),
        },
    )


def _agency_outside_options(code: str):
    """The chosen agency when the filter's options (ministries and provinces) do not list it: a department
    or commune chosen on an agency page. Without it the form would drop the filter on the next search."""
    if not code:
        return None
    agency = selectors.get_agency(code)
    return agency if agency.level != AgencyLevel.CENTRAL and agency.parent_id else None


def _procedure_list(request, *, online_only: bool, title: str):
    query, notice = _clean_query(request)
    filters = selectors.ProcedureFilters(
        audience=request.GET.get("audience", ""),
        level=request.GET.get("level", ""),
        agency=request.GET.get("agency", ""),
        field=request.GET.get("field", ""),
        event=request.GET.get("event", ""),
    )
    problems = filters.validate()
    # A stale or hand-edited link with an unknown filter shows the list unfiltered with a message.
    for name in problems:
        setattr(filters, name, "")
    if online_only and filters.level not in ONLINE_LEVELS:
        filters.level = selectors.ANY_ONLINE_LEVEL
    result = selectors.find_procedures(
        query=query, filters=filters, page=_page_number(request), page_size=PAGE_SIZE
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "title": title,
        "query": query,
        "notice": notice,
        "filters": filters,
        "problems": problems,
        "result": result,
        "online_only": online_only,
        "querystring": params.urlencode(),
        "fields": selectors.fields(),
        "provinces": selectors.provinces(),
        "central_agencies": selectors.agencies(level="central"),
        "other_agency": _agency_outside_options(filters.agency),
        "events": selectors.life_events(),
        "audiences": Audience.choices,
        "levels": [c for c in OnlineLevel.choices if not online_only or c[0] in ONLINE_LEVELS],
    }
    partial = request.htmx and request.htmx.target == "results"
    return render(request, "catalog/_results.html" if partial else "catalog/procedure_list.html", context)


@require_GET
def search(request):
    return _procedure_list(request, online_only=False, title=_("Tìm kiếm thủ tục hành chính"))


@require_GET
def online_services(request):
    return _procedure_list(request, online_only=True, title=_("Dịch vụ công trực tuyến"))


@require_GET
def suggest(request):
    query, _notice = _clean_query(request)
    items = (
        selectors.suggest_procedures(query, audience=request.GET.get("audience", ""))
        if len(query) >= 2
        else []
    )
    return render(request, "catalog/_suggestions.html", {"items": items, "query": query})


@require_GET
def procedure_detail(request, code: str):
    try:
        procedure = selectors.get_procedure(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    choice = selectors.agency_choice(
        procedure, province=request.GET.get("province", ""), commune=request.GET.get("commune", "")
    )
    if request.htmx and request.htmx.target == "agency-chooser":
        return render(request, "catalog/_agency_chooser.html", {"procedure": procedure, "choice": choice})
    record_view(procedure)
    return render(request, "catalog/procedure_detail.html", {"procedure": procedure, "choice": choice})


@require_GET
def submit_dossier(request, code: str):
    """Where "Nộp hồ sơ" leads: what to prepare and where; online submission opens with accounts."""
    try:
        procedure = selectors.get_procedure(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    choice = selectors.agency_choice(
        procedure, province=request.GET.get("province", ""), commune=request.GET.get("commune", "")
    )
    context = {"procedure": procedure, "choice": choice, "on_submit_page": True}
    if request.htmx and request.htmx.target == "agency-chooser":
        return render(request, "catalog/_agency_chooser.html", context)
    return render(request, "catalog/submit.html", context)


@require_GET
def life_event_list(request):
    return render(
        request,
        "catalog/life_event_list.html",
        {
            "citizen_events": selectors.life_events(Audience.CITIZEN),
            "business_events": selectors.life_events(Audience.BUSINESS),
        },
    )


@require_GET
def life_event_detail(request, slug: str):
    try:
        event = selectors.get_life_event(slug)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "catalog/life_event_detail.html", {"event": event})


@require_GET
def agency_directory(request):
    children = selectors.agency_children()
    central = [a for a in children.get(None, []) if a.level == "central"]
    provinces = [a for a in children.get(None, []) if a.level == "province"]
    return render(
        request,
        "catalog/agency_directory.html",
        {
            "central": [(a, children.get(a.pk, [])) for a in central],
            "provinces": [
                (
                    p,
                    [c for c in children.get(p.pk, []) if c.level == "province"],
                    [c for c in children.get(p.pk, []) if c.level == "commune"],
                )
                for p in provinces
            ],
        },
    )


@require_GET
def agency_detail(request, code: str):
    try:
        agency = selectors.get_agency(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    procedures = selectors.find_procedures(filters=selectors.ProcedureFilters(agency=code), page_size=10)
    return render(
        request,
        "catalog/agency_detail.html",
        {
            "agency": agency,
            "children": selectors.agencies(parent=code).order_by("name_vi"),
            "procedures": procedures,
        },
    )
