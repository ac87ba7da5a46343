"""Dossiers as JSON: public status by code, the applicant's own dossiers, and the agency sync API.

- `GET /dossiers/{code}/status`: anyone, no personal data; limited per IP address, and unknown codes
  count extra so that codes cannot be guessed by trying them.
- `GET /me/dossiers`, `GET /me/dossiers/{code}`: the signed-in applicant (bearer token of the accounts
  API); another person's dossier is "not found".
- `POST /sync/dossiers`: an agency's own system, with the agency's API key (`dossiers.apikeys`).
"""

from datetime import datetime
from typing import Annotated, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja import Field as SchemaField
from ninja import Query, Router, Schema
from ninja.security import APIKeyHeader, HttpBearer
from pydantic import WithJsonSchema

from opendvc.accounts.api import bearer
from opendvc.catalog.api import language
from opendvc.core.errors import DomainError, NotFound
from opendvc.core.limits import Limit, RateLimited, enforce, retry_message
from opendvc.core.request_info import client_ip
from opendvc.dossiers import apikeys, selectors
from opendvc.dossiers.models import Delivery, DossierDocument, DossierRating, Status
from opendvc.dossiers.services.sync import MAX_ITEMS, DossierItem, EventItem, sync_batch
from opendvc.dossiers.services.transitions import allowed_actions, event_label

router = Router(tags=["dossiers"])

# Public status lookups per IP address; unknown codes have a smaller allowance of their own, and once it is
# used up every lookup from that address waits, known code or not (else the refusals would tell them apart).
STATUS_RATE = "60/m"
MISS_RATE = "20/10m"
SYNC_RATE = "120/m"  # batches per API key
MAX_PAGE_SIZE = 100
MAX_CODE_LENGTH = 64


# --------------------------------------------------------------------------------------------- schemas


class NamedOut(Schema):
    code: str
    name: str


class StatusOut(Schema):
    code: int = SchemaField(description="1–10, the national dossier statuses")
    label: str


class PublicStatusOut(Schema):
    code: str
    procedure: NamedOut
    agency: NamedOut
    status: StatusOut
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None = SchemaField(description="when processing ended (result ready or closed)")
    late: bool = SchemaField(description="past its due date, finished late, or asked twice for a supplement")
    channel: str = SchemaField(description="online, counter or post")


class DossierSummaryOut(PublicStatusOut):
    needs_action: bool = SchemaField(description="the applicant must supply documents or pay")


class DossierList(Schema):
    count: int
    page: int
    page_size: int
    items: list[DossierSummaryOut]


class MyDossierQuery(Schema):
    status: str = SchemaField("", description="open, action, done, or a status code 1–10")
    q: str = SchemaField("", description="part of the code or of the procedure's name")
    page: int = SchemaField(1, ge=1, le=10_000)
    page_size: int = SchemaField(20, ge=1, le=MAX_PAGE_SIZE)
    lang: str | None = None


class EventOut(Schema):
    at: datetime
    action: str = SchemaField(description="submit, receive, request_supplement, sync, …")
    label: str = SchemaField(description="what happened, in the request's language")
    from_status: StatusOut | None
    status: StatusOut | None
    comment: str


class DocumentOut(Schema):
    id: int
    title: str
    role: str = SchemaField(description="application, supplement, result, letter or receipt")
    role_label: str
    content_type: str
    size: int = SchemaField(description="bytes")
    signed: bool
    added_at: datetime
    download_url: str


class SupplementOut(Schema):
    requested_at: datetime
    items: list[str]
    note: str


class ActionOut(Schema):
    name: str
    label: str


class RatingOut(Schema):
    value: str
    label: str
    comment: str
    at: datetime


class LabelledOut(Schema):
    code: str
    label: str


class DossierDetailOut(DossierSummaryOut):
    processed_at: datetime | None
    returned_at: datetime | None
    delivery: LabelledOut
    timeline: list[EventOut]
    documents: list[DocumentOut]
    supplement: SupplementOut | None = SchemaField(description="the open supplement request, if any")
    actions: list[ActionOut] = SchemaField(description="what the applicant may do now")
    rating: RatingOut | None


SYNC_ITEM_SCHEMA = {"oneOf": [DossierItem.model_json_schema(), EventItem.model_json_schema()]}


class SyncBatchIn(Schema):
    # Each item is checked on its own (a bad one is reported, the others applied), so the body accepts any
    # list here; the OpenAPI schema still shows the two item shapes.
    items: list[Annotated[Any, WithJsonSchema(SYNC_ITEM_SCHEMA)]] = SchemaField(
        description=f"at most {MAX_ITEMS} items, applied in order", json_schema_extra={"maxItems": MAX_ITEMS}
    )


class ItemErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ItemResultOut(Schema):
    index: int
    external_id: str | None = None
    result: str = SchemaField(description="created, updated, unchanged or error")
    code: str | None = SchemaField(None, description="the national dossier code")
    error: ItemErrorOut | None = None


class SyncCountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: int


class SyncReportOut(Schema):
    counts: SyncCountsOut
    items: list[ItemResultOut]


# ---------------------------------------------------------------------------------------------- helpers


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _status(code: int | None) -> dict | None:
    return {"code": int(code), "label": str(Status(code).label)} if code else None


def _check_code(code: str) -> str:
    if len(code) > MAX_CODE_LENGTH or "\x00" in code:
        raise DomainError(
            _("Mã hồ sơ không hợp lệ."),
            code="invalid_parameters",
            fields={"code": [f"at most {MAX_CODE_LENGTH} characters, no control characters"]},
        )
    return code


def _summary(dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "agency": {"code": dossier.agency.code, "name": dossier.agency.name},
        "status": _status(dossier.status),
        "submitted_at": _local(dossier.submitted_at),
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "finished_at": _local(dossier.processed_at or dossier.closed_at),
        "late": dossier.is_late(),
        "channel": dossier.channel,
        "needs_action": dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT),
    }


# ------------------------------------------------------------------------------------------ public status


def _lookup_limits(ip: str) -> tuple[Limit, Limit]:
    return (
        Limit("dossier-status-ip", f"ip:{ip}", STATUS_RATE),
        Limit("dossier-status-miss", f"ip:{ip}", MISS_RATE),
    )


def _usage(request, limit: Limit, *, increment: bool) -> dict | None:
    return get_usage(
        request, group=limit.group, key=lambda group, req: limit.key, rate=limit.rate, increment=increment
    )


@router.get(
    "/dossiers/{code}/status",
    response=PublicStatusOut,
    summary="Public status of a dossier by its code (no personal data)",
)
def dossier_status(request, code: str, lang: str | None = None):
    """What anyone holding the code may know: procedure, agency, status and dates. Limited to 60 lookups a
    minute per IP address; after 20 unknown codes in 10 minutes every lookup waits (429, `Retry-After`)."""
    _check_code(code)
    per_ip, misses = _lookup_limits(client_ip(request) or "unknown")
    usage = _usage(request, misses, increment=False)
    if usage and usage["count"] >= usage["limit"]:
        wait = max(int(usage["time_left"]), 1)
        raise RateLimited(retry_message(wait), retry_after=wait)
    enforce(request, [per_ip])
    with language(request, lang):
        try:
            status = selectors.public_status(code)
        except NotFound:
            _usage(request, misses, increment=True)
            raise NotFound(_("Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã hồ sơ.")) from None
        return {
            "code": status.code,
            "procedure": {"code": status.procedure_code, "name": status.procedure_name},
            "agency": {"code": status.agency_code, "name": status.agency_name},
            "status": {"code": status.status, "label": status.status_label},
            "submitted_at": _local(status.submitted_at),
            "received_at": _local(status.received_at),
            "due_at": _local(status.due_at),
            "finished_at": _local(status.finished_at),
            "late": status.late,
            "channel": status.channel,
        }


# ------------------------------------------------------------------------------------------- my dossiers

STATUS_FILTERS = ("open", "action", "done")


@router.get("/me/dossiers", auth=bearer, response=DossierList, summary="My dossiers, newest first")
def my_dossiers(request, params: Query[MyDossierQuery]):
    """Dossiers filed from this account, and those registered at a desk or synchronised by an agency with
    the account's ID number."""
    status = params.status.strip()
    if status and status not in STATUS_FILTERS and not (status.isdigit() and 1 <= int(status) <= 10):
        raise DomainError(
            _("Giá trị lọc không hợp lệ."),
            code="invalid_filter",
            fields={"status": [f"“{status}” is not one of: {', '.join(STATUS_FILTERS)}, 1–10"]},
        )
    if len(params.q) > 100 or "\x00" in params.q:
        raise DomainError(
            _("Từ khóa tìm kiếm không hợp lệ."), code="invalid_parameters", fields={"q": ["at most 100"]}
        )
    with language(request, params.lang):
        rows = selectors.my_dossiers(request.auth, status=status, query=params.q)
        start = (params.page - 1) * params.page_size
        return {
            "count": rows.count(),
            "page": params.page,
            "page_size": params.page_size,
            "items": [_summary(d) for d in rows[start : start + params.page_size]],
        }


@router.get(
    "/me/dossiers/{code}",
    auth=bearer,
    response=DossierDetailOut,
    summary="One of my dossiers: timeline, documents, what to do next",
)
def my_dossier(request, code: str, lang: str | None = None):
    _check_code(code)
    account = request.auth
    with language(request, lang):
        dossier = selectors.my_dossier(account, code)
        documents = DossierDocument.objects.filter(dossier=dossier).select_related("file")
        supplement = dossier.supplements.filter(answered_at__isnull=True).order_by("-requested_at").first()
        rating = DossierRating.objects.filter(dossier=dossier).first()
        actions = [{"name": a.name, "label": str(a.label)} for a in allowed_actions(dossier, account)]
        if dossier.status == Status.RETURNED and rating is None and dossier.applicant_id == account.pk:
            actions.append({"name": "rate", "label": _("Đánh giá mức độ hài lòng")})
        return {
            **_summary(dossier),
            "processed_at": _local(dossier.processed_at),
            "returned_at": _local(dossier.returned_at),
            "delivery": {
                "code": dossier.delivery,
                "label": str(Delivery(dossier.delivery).label) if dossier.delivery in Delivery.values else "",
            },
            "timeline": [
                {
                    "at": _local(event.at),
                    "action": event.action,
                    "label": event_label(event),
                    "from_status": _status(event.from_status),
                    "status": _status(event.to_status),
                    "comment": event.comment,
                }
                for event in selectors.timeline(dossier, for_applicant=True)
            ],
            "documents": [
                {
                    "id": doc.pk,
                    "title": doc.title,
                    "role": doc.role,
                    "role_label": doc.get_role_display(),
                    "content_type": doc.file.content_type,
                    "size": doc.file.size,
                    "signed": doc.signed,
                    "added_at": _local(doc.added_at),
                    "download_url": request.build_absolute_uri(reverse("dossiers:file", args=[doc.file_id])),
                }
                for doc in documents
            ],
            "supplement": {
                "requested_at": _local(supplement.requested_at),
                "items": list(supplement.items),
                "note": supplement.note,
            }
            if supplement
            else None,
            "actions": actions,
            "rating": {
                "value": rating.value,
                "label": rating.get_value_display(),
                "comment": rating.comment,
                "at": _local(rating.at),
            }
            if rating
            else None,
        }


# ---------------------------------------------------------------------------------------------- sync


def _live_key(raw: str):
    key = apikeys.verify_key(raw)
    if key is None:
        raise DomainError(_("Khóa API không hợp lệ hoặc đã bị thu hồi."), code="invalid_api_key", status=401)
    return key


class SyncKeyBearer(HttpBearer):
    def authenticate(self, request, token):
        return _live_key(token)


class SyncKeyHeader(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        return _live_key(key) if key else None


@router.post(
    "/sync/dossiers",
    auth=[SyncKeyBearer(), SyncKeyHeader()],
    response=SyncReportOut,
    exclude_none=True,
    tags=["sync"],
    summary="Agency systems: push dossiers and status events (idempotent)",
)
def sync_dossiers(request, body: SyncBatchIn):
    """Up to 1,000 items, each a dossier upsert (`"type": "dossier"`) or a status event (`"type": "event"`),
    applied in order and each on its own: one refused item does not stop the others. The answer reports
    every item (`created`, `updated`, `unchanged` or `error` with the usual error object) and the counts.
    Sending the same batch again changes nothing. An agency writes only its own dossiers. At most 120
    batches a minute per key."""
    key = request.auth
    enforce(request, [Limit("sync-batch", f"key:{key.pk}", SYNC_RATE)])
    report = sync_batch(key=key, items=body.items, request=request)
    return {
        "counts": report.counts,
        "items": [
            {
                "index": r.index,
                "external_id": r.external_id,
                "result": r.result,
                "code": r.code,
                "error": r.error,
            }
            for r in report.items
        ],
    }
