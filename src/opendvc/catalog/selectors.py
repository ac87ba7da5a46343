"""Reads of the catalogue for pages and the API."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet

from opendvc.catalog.models import (
    Agency,
    AgencyLevel,
    Audience,
    Field,
    LifeEvent,
    OnlineLevel,
    Procedure,
)
from opendvc.catalog.search import search_procedures
from opendvc.core.errors import DomainError, NotFound

ANY_ONLINE_LEVEL = "online"  # full or partial: the "online services" list
LEVEL_FILTERS = [*OnlineLevel.values, ANY_ONLINE_LEVEL]


@dataclass
class ProcedureFilters:
    """What a list of procedures can be narrowed by; values are codes as they appear in URLs."""

    audience: str = ""
    level: str = ""
    agency: str = ""
    field: str = ""
    event: str = ""

    def validate(self) -> dict[str, list[str]]:
        """Unknown values, by parameter name (an empty dict when all are known)."""
        problems: dict[str, list[str]] = {}
        if self.audience and self.audience not in Audience.values:
            problems["audience"] = [f"“{self.audience}” is not one of: {', '.join(Audience.values)}"]
        if self.level and self.level not in LEVEL_FILTERS:
            problems["level"] = [f"“{self.level}” is not one of: {', '.join(LEVEL_FILTERS)}"]
        if self.agency and not Agency.objects.filter(code=self.agency).exists():
            problems["agency"] = [f"no agency has the code “{self.agency}”"]
        if self.field and not Field.objects.filter(code=self.field).exists():
            problems["field"] = [f"no field has the code “{self.field}”"]
        if self.event and not LifeEvent.objects.filter(slug=self.event).exists():
            problems["event"] = [f"no life event is called “{self.event}”"]
        return problems

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.audience == Audience.CITIZEN:
            queryset = queryset.filter(for_citizens=True)
        elif self.audience == Audience.BUSINESS:
            queryset = queryset.filter(for_businesses=True)
        if self.level == ANY_ONLINE_LEVEL:
            queryset = queryset.filter(online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL])
        elif self.level:
            queryset = queryset.filter(online_level=self.level)
        if self.agency:
            queryset = queryset.filter(agency_kinds__agencies__code=self.agency)
        if self.field:
            queryset = queryset.filter(field__code=self.field)
        if self.event:
            queryset = queryset.filter(life_events__slug=self.event)
        return queryset

    @property
    def active(self) -> bool:
        return any((self.audience, self.level, self.agency, self.field, self.event))


# What a list item shows (catalog/_procedure_item.html, the API summary): long texts stay unread.
LIST_COLUMNS = [
    "code",
    "name_vi",
    "name_en",
    "online_level",
    "for_citizens",
    "for_businesses",
    "status",
    "field__code",
    "field__name_vi",
    "field__name_en",
]


def procedure_list_queryset() -> QuerySet:
    return (
        Procedure.objects.active()
        .select_related("field")
        .only(*LIST_COLUMNS)
        .prefetch_related("agency_kinds")
    )


@dataclass
class ProcedurePage:
    items: list[Procedure]
    count: int
    page: int
    page_size: int
    pages: int
    corrections: dict[str, str]
    exhaustive: bool = True  # False: a search found its best `count` of possibly more matches


def find_procedures(
    *, query: str = "", filters: ProcedureFilters | None = None, page: int = 1, page_size: int = 20
) -> ProcedurePage:
    """Active procedures, filtered, ranked by relevance when there is a query, else by name."""
    filters = filters or ProcedureFilters()
    problems = filters.validate()
    if problems:
        raise DomainError("Unknown filter value.", code="invalid_filter", fields=problems)
    scope = filters.apply(Procedure.objects.active()).distinct()
    corrections = {}
    exhaustive = True
    if query.strip():
        result = search_procedures(query, scope=scope if filters.active else None)
        corrections = result.corrections
        exhaustive = result.exhaustive
        count = len(result.ids)
        pages = max(1, -(-count // page_size))
        page_ids = result.ids[(page - 1) * page_size : page * page_size]
        by_id = procedure_list_queryset().in_bulk(page_ids)
        items = [by_id[i] for i in page_ids if i in by_id]
    else:
        paginator = Paginator(
            procedure_list_queryset().filter(pk__in=scope.values("pk")).order_by("name_vi", "code"), page_size
        )
        count, pages = paginator.count, paginator.num_pages
        items = list(paginator.get_page(page).object_list) if page <= pages else []
    return ProcedurePage(
        items=items,
        count=count,
        page=page,
        page_size=page_size,
        pages=pages,
        corrections=corrections,
        exhaustive=exhaustive,
    )


def suggest_procedures(query: str, *, audience: str = "", limit: int = 6) -> list[Procedure]:
    """Procedures for the suggestion list under the search box, while the user is still typing."""
    known = audience in Audience.values
    scope = ProcedureFilters(audience=audience).apply(Procedure.objects.all()) if known else None
    ids = search_procedures(query, scope=scope, suggest=True).ids[:limit]
    by_id = Procedure.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def get_procedure(code: str) -> Procedure:
    procedure = (
        Procedure.objects.select_related("field")
        .prefetch_related("steps", "documents", "fees", "agency_kinds", "life_events")
        .filter(code=code)
        .first()
    )
    if procedure is None:
        raise NotFound(f"No procedure has the code “{code}”.")
    return procedure


def popular_procedures(limit: int = 8, *, audience: str = "") -> list[Procedure]:
    queryset = ProcedureFilters(audience=audience).apply(procedure_list_queryset())
    return list(queryset.order_by("-popularity", "code")[:limit])


def life_events(audience: str | None = None) -> QuerySet:
    events = LifeEvent.objects.all()
    if audience:
        events = events.filter(audience=audience)
    return events


def get_life_event(slug: str) -> LifeEvent:
    event = (
        LifeEvent.objects.prefetch_related(
            Prefetch(
                "steps__procedure",
                queryset=Procedure.objects.select_related("field").prefetch_related("agency_kinds"),
            )
        )
        .filter(slug=slug)
        .first()
    )
    if event is None:
        raise NotFound(f"No life event is called “{slug}”.")
    return event


def fields() -> QuerySet:
    return Field.objects.all()


# --------------------------------------------------------------------------------------------- agencies


def get_agency(code: str) -> Agency:
    agency = Agency.objects.select_related("kind", "parent", "province").filter(code=code).first()
    if agency is None:
        raise NotFound(f"No agency has the code “{code}”.")
    return agency


def agencies(*, parent: str = "", level: str = "") -> QuerySet:
    queryset = Agency.objects.select_related("kind", "parent")
    if parent:
        queryset = queryset.filter(parent__code=parent)
    if level:
        queryset = queryset.filter(level=level)
    return queryset


def agency_children(queryset: QuerySet | None = None) -> dict[int | None, list[Agency]]:
    """Agencies by the id of their parent (None for the roots), each list ordered by name: the tree in
    one query."""
    children: dict[int | None, list[Agency]] = {}
    for agency in (queryset if queryset is not None else agencies()).order_by("name_vi"):
        children.setdefault(agency.parent_id, []).append(agency)
    return children


def provinces() -> QuerySet:
    return Agency.objects.filter(level=AgencyLevel.PROVINCE, parent__isnull=True).order_by("name_vi")


@dataclass
class AgencyChoice:
    """What the "Cơ quan thực hiện" chooser shows for one procedure."""

    central: list[Agency]
    provinces: list[Agency]  # provinces where some agency performs it
    province: Agency | None  # the chosen province
    communes: list[Agency]  # in the chosen province, when the procedure is done at commune level
    commune: Agency | None  # the chosen commune
    performing: list[Agency]  # the agencies that perform it for the choice made so far

    @property
    def complete(self) -> bool:
        """A province is chosen, and a commune too when the procedure is done at commune level."""
        return bool(self.province and self.performing and (self.commune or not self.communes))


def agency_choice(procedure: Procedure, *, province: str = "", commune: str = "") -> AgencyChoice:
    kinds = list(procedure.agency_kinds.all())
    performing = list(Agency.objects.filter(kind__in=kinds).select_related("kind", "province", "commune"))
    central = [a for a in performing if a.level == AgencyLevel.CENTRAL]
    province_ids = {a.province_id or a.pk for a in performing if a.level != AgencyLevel.CENTRAL}
    province_list = list(Agency.objects.filter(pk__in=province_ids).order_by("name_vi"))
    chosen = next((p for p in province_list if p.code == province), None)
    if chosen is None:
        return AgencyChoice(central, province_list, None, [], None, central)
    local = [a for a in performing if (a.province_id or a.pk) == chosen.pk]
    provincial = [a for a in local if a.level == AgencyLevel.PROVINCE]
    commune_ids = {a.commune_id for a in local if a.level == AgencyLevel.COMMUNE}
    communes = list(Agency.objects.filter(pk__in=commune_ids).order_by("name_vi"))
    chosen_commune = next((c for c in communes if c.code == commune), None)
    in_commune = [a for a in local if chosen_commune and a.commune_id == chosen_commune.pk]
    return AgencyChoice(central, province_list, chosen, communes, chosen_commune, provincial + in_commune)
