"""Public JSON endpoints of the catalogue (no authentication; read only)."""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from opendvc.catalog import selectors
from opendvc.catalog.models import Agency, AgencyLevel, Audience, LifeEvent, Procedure
from opendvc.core.errors import DomainError

router = Router(tags=["catalogue"])

MAX_PAGE_SIZE = 100


@contextmanager
def language(request, lang: str | None):
    """`lang=en|vi` wins over Accept-Language (already applied by LocaleMiddleware)."""
    if lang and lang not in dict(settings.LANGUAGES):
        raise DomainError(
            "Unknown language.",
            code="invalid_parameters",
            fields={"lang": [f"“{lang}” is not one of: vi, en"]},
        )
    with translation.override(lang or translation.get_language()):
        yield


def _check_text(name: str, value: str, max_length: int):
    if "\ufffd" in value:
        raise DomainError(
            "The request is not valid UTF-8.",
            code="invalid_encoding",
            fields={name: ["contains bytes that are not valid UTF-8"]},
        )
    if len(value) > max_length:
        raise DomainError(
            "Search text too long.",
            code="query_too_long",
            fields={name: [f"at most {max_length} characters"]},
        )
    if "\x00" in value:
        raise DomainError("Invalid characters.", code="invalid_parameters", fields={name: ["contains NUL"]})


# --------------------------------------------------------------------------------------------- schemas


class FieldOut(Schema):
    code: str
    name: str


class AgencyKindOut(Schema):
    slug: str
    level: str
    name: str


class ProcedureSummary(Schema):
    code: str
    name: str
    level: str = SchemaField(description="online level: full, partial or none")
    audiences: list[str]
    field: FieldOut
    agencies: list[AgencyKindOut] = SchemaField(description="kinds of agency that perform it")
    url: str

    @staticmethod
    def from_procedure(p: Procedure, request) -> dict:
        return {
            "code": p.code,
            "name": p.name,
            "level": p.online_level,
            "audiences": p.audiences,
            "field": {"code": p.field.code, "name": p.field.name},
            "agencies": [{"slug": k.slug, "level": k.level, "name": k.name} for k in p.agency_kinds.all()],
            "url": request.build_absolute_uri(p.get_absolute_url()),
        }


class ProcedureList(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProcedureSummary]
    corrections: dict[str, str] = SchemaField(description="words of the query read as other words (typos)")
    exhaustive: bool = SchemaField(
        description="false when a search returned its best `count` matches and more procedures may match"
    )


class ProcedureQuery(Schema):
    q: str = ""
    audience: str = ""
    level: str = ""
    agency: str = ""
    field: str = ""
    event: str = ""
    page: int = SchemaField(1, ge=1, le=10_000)
    page_size: int = SchemaField(20, ge=1, le=MAX_PAGE_SIZE)
    lang: str | None = None


class StepOut(Schema):
    position: int
    text: str


class DocumentOut(Schema):
    name: str
    kind: str
    copies: int
    optional: bool
    template_url: str | None


class FeeOut(Schema):
    amount: int | None = SchemaField(description="VND; null when it varies (see description)")
    description: str


class ProcessingTimeOut(Schema):
    amount: int | None
    unit: str
    note: str


class ProcedureDetail(ProcedureSummary):
    description: str
    online_level: str
    agency_levels: list[str]
    channels: list[str]
    steps: list[StepOut]
    documents: list[DocumentOut]
    processing_time: ProcessingTimeOut
    fees: list[FeeOut]
    result: str
    result_kind: str
    conditions: str
    legal_basis: list[str]
    keywords: list[str]
    life_events: list[str]
    published_on: str | None
    effective_on: str | None
    status: str


class AgencyOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    address: str
    phone: str
    email: str
    opening_hours: str
    children: list["AgencyOut"] = []


class LifeEventOut(Schema):
    slug: str
    name: str
    description: str
    audience: str
    url: str


class LifeEventDetail(LifeEventOut):
    procedures: list[ProcedureSummary]


# ------------------------------------------------------------------------------------------- endpoints


@router.get("/procedures", response=ProcedureList, summary="Search and list procedures")
def list_procedures(request, params: Query[ProcedureQuery]):
    """Active procedures; ranked by relevance when `q` is given, else by name. Filters combine."""
    _check_text("q", params.q, settings.SEARCH_MAX_QUERY_LENGTH)
    for name in ("audience", "level", "agency", "field", "event"):
        _check_text(name, getattr(params, name), 64)
    with language(request, params.lang):
        result = selectors.find_procedures(
            query=params.q,
            filters=selectors.ProcedureFilters(
                audience=params.audience,
                level=params.level,
                agency=params.agency,
                field=params.field,
                event=params.event,
            ),
            page=params.page,
            page_size=params.page_size,
        )
        return {
            "count": result.count,
            "page": result.page,
            "page_size": result.page_size,
            "items": [ProcedureSummary.from_procedure(p, request) for p in result.items],
            "corrections": result.corrections,
            "exhaustive": result.exhaustive,
        }


@router.get("/procedures/{code}", response=ProcedureDetail, summary="One procedure with all its details")
def get_procedure(request, code: str, lang: str | None = None):
    _check_text("code", code, 32)
    with language(request, lang):
        p = selectors.get_procedure(code)
        return {
            **ProcedureSummary.from_procedure(p, request),
            "description": p.description,
            "online_level": p.online_level,
            "agency_levels": p.agency_levels,
            "channels": p.channels,
            "steps": [{"position": s.position, "text": s.text} for s in p.steps.all()],
            "documents": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "copies": d.copies,
                    "optional": d.optional,
                    "template_url": request.build_absolute_uri(d.template.url) if d.template else None,
                }
                for d in p.documents.all()
            ],
            "processing_time": {
                "amount": p.processing_time,
                "unit": p.processing_time_unit,
                "note": p.processing_time_note,
            },
            "fees": [{"amount": f.amount, "description": f.description} for f in p.fees.all()],
            "result": p.result,
            "result_kind": p.result_kind,
            "conditions": p.conditions,
            "legal_basis": p.legal_basis_list,
            "keywords": p.keyword_list,
            "life_events": [e.slug for e in p.life_events.all()],
            "published_on": p.published_on.isoformat() if p.published_on else None,
            "effective_on": p.effective_on.isoformat() if p.effective_on else None,
            "status": p.status,
        }


def _agency_out(a: Agency, children: list | None = None) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "level": a.level,
        "kind": a.kind.slug,
        "parent": a.parent.code if a.parent_id else None,
        "address": a.address,
        "phone": a.phone,
        "email": a.email,
        "opening_hours": a.opening_hours,
        "children": children or [],
    }


@router.get("/agencies", response=list[AgencyOut], summary="Agencies, as a tree or filtered")
def list_agencies(request, parent: str = "", level: str = "", tree: bool = True, lang: str | None = None):
    """Without filters: the whole tree (nested `children`). With `parent` or `level`: a flat list."""
    if level and level not in AgencyLevel.values:
        raise DomainError(
            "Unknown filter value.",
            code="invalid_filter",
            fields={"level": [f"“{level}” is not one of: {', '.join(AgencyLevel.values)}"]},
        )
    _check_text("parent", parent, 32)
    if parent and not Agency.objects.filter(code=parent).exists():
        raise DomainError(
            "Unknown filter value.",
            code="invalid_filter",
            fields={"parent": [f"no agency has the code “{parent}”"]},
        )
    with language(request, lang):
        if parent or level or not tree:
            return [_agency_out(a) for a in selectors.agencies(parent=parent, level=level)]
        children = selectors.agency_children()

        def build(a: Agency) -> dict:
            return _agency_out(a, [build(c) for c in children.get(a.pk, [])])

        return [build(a) for a in children.get(None, [])]


@router.get("/agencies/{code}", response=AgencyOut, summary="One agency and its direct sub-agencies")
def get_agency(request, code: str, lang: str | None = None):
    _check_text("code", code, 32)
    with language(request, lang):
        agency = selectors.get_agency(code)
        return _agency_out(agency, [_agency_out(c) for c in selectors.agencies(parent=agency.code)])


@router.get("/fields", response=list[FieldOut], summary="Fields (lĩnh vực)")
def list_fields(request, lang: str | None = None):
    with language(request, lang):
        return [{"code": f.code, "name": f.name} for f in selectors.fields()]


def _event_out(e: LifeEvent, request) -> dict:
    return {
        "slug": e.slug,
        "name": e.name,
        "description": e.description,
        "audience": e.audience,
        "url": request.build_absolute_uri(e.get_absolute_url()),
    }


@router.get("/life-events", response=list[LifeEventOut], summary="Life events of citizens and businesses")
def list_life_events(request, audience: str = "", lang: str | None = None):
    if audience and audience not in Audience.values:
        raise DomainError(
            "Unknown filter value.",
            code="invalid_filter",
            fields={"audience": [f"“{audience}” is not one of: {', '.join(Audience.values)}"]},
        )
    with language(request, lang):
        return [_event_out(e, request) for e in selectors.life_events(audience or None)]


@router.get(
    "/life-events/{slug}", response=LifeEventDetail, summary="A life event and its procedures in order"
)
def get_life_event(request, slug: str, lang: str | None = None):
    _check_text("slug", slug, 100)
    with language(request, lang):
        event = selectors.get_life_event(slug)
        return {
            **_event_out(event, request),
            "procedures": [ProcedureSummary.from_procedure(s.procedure, request) for s in event.steps.all()],
        }
