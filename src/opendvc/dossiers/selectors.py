"""Reads, aware of who asks: the public sees status only; applicants their own; officials their agency's."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opendvc.core.errors import NotFound
from opendvc.core.personal_data import lookup_digest
from opendvc.dossiers.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Dossier,
    DossierDocument,
    DossierEvent,
    Draft,
    Status,
    StoredFile,
)


@dataclass(frozen=True)
class PublicStatus:
    """What anyone may know about a dossier from its code: no personal data."""

    code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    status: int
    status_label: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    late: bool
    channel: str


def public_status(code: str) -> PublicStatus:
    """Raises NotFound for an unknown code."""
    code = search_text(code).upper()
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .only(
            "code",
            "status",
            "submitted_at",
            "received_at",
            "due_at",
            "processed_at",
            "closed_at",
            "returned_at",
            "paused_since",
            "marked_late",
            "channel",
            "procedure__code",
            "procedure__name_vi",
            "procedure__name_en",
            "agency__code",
            "agency__name_vi",
            "agency__name_en",
        )
        .filter(code=code)
        .order_by()[:1]  # the code is unique: no ORDER BY on the hot path of the public lookup
    )
    dossier = next(iter(dossier), None)
    if dossier is None:
        raise NotFound("unknown dossier code")
    return PublicStatus(
        code=dossier.code,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        agency_code=dossier.agency.code,
        agency_name=dossier.agency.name,
        status=dossier.status,
        status_label=dossier.get_status_display(),
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.processed_at or dossier.closed_at,
        late=dossier.is_late(),
        channel=dossier.channel,
    )


# --- Applicants -------------------------------------------------------------------------------------------


def my_dossiers_q(account) -> Q:
    """The applicant's dossiers: filed from the account, or registered at a desk with their ID number."""
    q = Q(applicant=account)
    if account.id_number:
        q |= Q(applicant__isnull=True, applicant_id_digest=lookup_digest(account.id_number, kind="id"))
    return q


def search_text(value: str) -> str:
    """A search box's text as the database may compare it: no NUL (PostgreSQL refuses it), 100 characters."""
    return (value or "").replace("\x00", "").strip()[:100]


def my_dossiers(account, *, status: str = "", query: str = "") -> QuerySet:
    query = search_text(query)
    rows = Dossier.objects.filter(my_dossiers_q(account)).select_related("procedure", "agency")
    if status == "open":
        rows = rows.exclude(status__in=[*CLOSED_STATUSES, Status.PROCESSED])
    elif status == "action":
        rows = rows.filter(status__in=[Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT])
    elif status == "done":
        rows = rows.filter(status__in=[*CLOSED_STATUSES, Status.PROCESSED])
    elif status.isdigit():
        rows = rows.filter(status=int(status))
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(procedure__name_vi__icontains=query))
    return rows.order_by("-submitted_at", "-id")


def my_dossier(account, code: str) -> Dossier:
    dossier = (
        Dossier.objects.filter(my_dossiers_q(account), code=search_text(code).upper())
        .select_related("procedure", "agency", "applicant", "handler")
        .first()
    )
    if dossier is None:
        raise NotFound("no such dossier for this applicant")
    return dossier


def my_drafts(account) -> QuerySet:
    return Draft.objects.filter(applicant=account, expires_at__gt=timezone.now()).select_related("procedure")


def my_draft(account, draft_id) -> Draft:
    draft = my_drafts(account).select_related("form_definition", "agency").filter(pk=draft_id).first()
    if draft is None:
        raise NotFound("no such draft")
    return draft


def document_store(account) -> list[StoredFile]:
    """Reusable files: earlier uploads and electronic results, newest first, one per content."""
    seen, files = set(), []
    origins = (StoredFile.Origin.UPLOAD, StoredFile.Origin.RESULT)
    for stored in StoredFile.objects.filter(owner=account, origin__in=origins).order_by("-created_at", "-id")[
        :200
    ]:
        if stored.sha256 not in seen:
            seen.add(stored.sha256)
            files.append(stored)
    return files


def timeline(dossier, *, for_applicant: bool) -> QuerySet:
    events = DossierEvent.objects.filter(dossier=dossier).order_by("at", "id")
    return events.filter(public=True) if for_applicant else events


# --- Officials --------------------------------------------------------------------------------------------


def agency_dossiers(official) -> QuerySet:
    """Every dossier an official may see: their own agency's, nothing else."""
    if not official.is_official or not official.agency_id:
        return Dossier.objects.none()
    return Dossier.objects.filter(agency_id=official.agency_id)


def official_dossier(official, code: str) -> Dossier:
    dossier = (
        agency_dossiers(official)
        .select_related("procedure", "agency", "applicant", "handler", "form_definition")
        .filter(code=search_text(code).upper())
        .first()
    )
    if dossier is None:
        raise NotFound("no such dossier in this agency")
    return dossier


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    procedure: str = ""
    channel: str = ""
    due_within: int | None = None
    overdue: bool = False
    mine: bool = False
    query: str = ""


def inbox(official, filters: InboxFilters) -> QuerySet:
    """The official's agency's dossiers matching `filters`, the most urgent first."""
    now = timezone.now()
    rows = agency_dossiers(official).select_related("procedure", "handler")
    if filters.status == "open":
        rows = rows.filter(status__in=[Status.SUBMITTED, *OPEN_STATUSES, Status.PROCESSED])
    elif filters.status.isdigit():
        rows = rows.filter(status=int(filters.status))
    if filters.procedure:
        rows = rows.filter(procedure__code=filters.procedure)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.due_within is not None:
        rows = rows.filter(
            status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=now + timedelta(days=filters.due_within)
        )
    if filters.overdue:
        rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if filters.mine:
        rows = rows.filter(handler=official, status__in=OPEN_STATUSES)
    query = search_text(filters.query)
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(applicant_name__icontains=query))
    return rows.order_by("due_at", "submitted_at", "id")


def inbox_counts(official) -> dict[str, int]:
    """Counts for the inbox tabs: by status, overdue, due within 2 days, assigned to me."""
    now = timezone.now()
    rows = agency_dossiers(official)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    open_rows = rows.filter(status__in=OPEN_STATUSES)
    return {
        "by_status": by_status,
        "new": by_status.get(Status.SUBMITTED, 0),
        "overdue": open_rows.filter(due_at__lt=now).count(),
        "due_soon": open_rows.filter(due_at__gte=now, due_at__lte=now + timedelta(days=2)).count(),
        "mine": open_rows.filter(handler=official).count(),
    }


# --- Files ------------------------------------------------------------------------------------------------


def can_read_file(account, stored: StoredFile) -> bool:
    """The owner; officials of an agency whose dossier uses the file; nobody else."""
    if account is None or not account.is_authenticated:
        return False
    if stored.owner_id == account.pk:
        return True
    uses = DossierDocument.objects.filter(file=stored)
    if (
        account.is_official
        and account.agency_id
        and uses.filter(dossier__agency_id=account.agency_id).exists()
    ):
        return True
    return uses.filter(dossier__in=Dossier.objects.filter(my_dossiers_q(account))).exists()


def readable_file(account, file_id) -> StoredFile:
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None or not can_read_file(account, stored):
        raise NotFound("no such file")
    return stored
