"""Drafts, online submission, and dossiers officials register at the desk or receive by post."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.catalog.models import OnlineLevel
from opendvc.core.errors import DomainError
from opendvc.core.personal_data import lookup_digest, normalize_phone
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.validation import validate
from opendvc.dossiers.models import (
    Channel,
    Delivery,
    Dossier,
    DossierDocument,
    Draft,
    FormDefinition,
    Source,
    Status,
    StoredFile,
)
from opendvc.dossiers.services import deadlines, notices, prefill
from opendvc.dossiers.services.actions import record_event
from opendvc.dossiers.services.codes import next_code


def draft_lifetime() -> timedelta:
    return timedelta(days=getattr(settings, "DRAFT_LIFETIME_DAYS", 30))


def current_form(procedure) -> FormDefinition | None:
    return procedure.form_definitions.order_by("-version").first()


def performing_agencies(procedure) -> list:
    """The agencies an applicant may file `procedure` with (central and every local one)."""
    from opendvc.catalog.models import Agency

    return list(Agency.objects.filter(kind__in=procedure.agency_kinds.all()).order_by("level", "name_vi"))


def check_online(procedure) -> None:
    if not procedure.is_active or procedure.online_level == OnlineLevel.NONE:
        raise DomainError(
            _("Thủ tục này chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp hoặc qua bưu chính."),
            code="not_online",
        )
    if current_form(procedure) is None:
        raise DomainError(_("Thủ tục này chưa có biểu mẫu điện tử."), code="not_online")


@transaction.atomic
def start_draft(*, applicant, procedure) -> Draft:
    """A new draft with every field the portal already knows filled in (declare once)."""
    check_online(procedure)
    form = current_form(procedure)
    spec = load_definition(form.schema)
    data, origins, locked = prefill.prefill_for(
        applicant, procedure, spec, allow_changes=form.allow_registry_changes
    )
    now = timezone.now()
    return Draft.objects.create(
        applicant=applicant,
        procedure=procedure,
        form_definition=form,
        data=data,
        origins=origins,
        locked=sorted(locked),
        step=spec.steps[0].key,
        created_at=now,
        updated_at=now,
        expires_at=now + draft_lifetime(),
        delivery=Delivery.ELECTRONIC if procedure.result_kind != "paper" else Delivery.DESK,
    )


def save_draft_step(draft: Draft, *, step: str, values: dict) -> tuple[Draft, dict]:
    """Keep what the applicant typed for one step (even when invalid) and return the step's errors.

    Values of locked (registry) fields are never taken from the input."""
    spec = load_definition(draft.form_definition.schema)
    values = {k: v for k, v in values.items() if k not in set(draft.locked)}
    data = {**draft.data, **values}
    result = validate(spec, data, step=step, attachments_present=attached_slots(draft))
    now = timezone.now()
    draft.data, draft.step, draft.updated_at = data, step, now
    draft.expires_at, draft.reminded_at = now + draft_lifetime(), None
    draft.save(update_fields=["data", "step", "updated_at", "expires_at", "reminded_at"])
    return draft, result.errors


def attached_slots(draft: Draft) -> frozenset:
    return frozenset(str(slot) for slot, ids in draft.attachments.items() if ids)


def attach_to_draft(draft: Draft, *, slot: int, stored: StoredFile) -> Draft:
    from opendvc.dossiers.services.files import check_dossier_total

    if stored.owner_id != draft.applicant_id:
        raise DomainError(_("Không tìm thấy tệp."), code="not_found", status=404)
    ids = draft.attachments.get(str(slot), [])
    if stored.pk not in ids:
        check_dossier_total([*_draft_files(draft), stored])
        draft.attachments = {**draft.attachments, str(slot): [*ids, stored.pk]}
        draft.updated_at = timezone.now()
        draft.save(update_fields=["attachments", "updated_at"])
    return draft


def detach_from_draft(draft: Draft, *, slot: int, stored_id: int) -> Draft:
    ids = [i for i in draft.attachments.get(str(slot), []) if i != stored_id]
    draft.attachments = {**draft.attachments, str(slot): ids}
    draft.save(update_fields=["attachments"])
    return draft


def _draft_files(draft: Draft) -> list[StoredFile]:
    ids = [i for values in draft.attachments.values() for i in values]
    return list(StoredFile.objects.filter(pk__in=ids, owner_id=draft.applicant_id))


def set_delivery(draft: Draft, *, agency_code: str, delivery: str, address: str) -> tuple[Draft, dict]:
    """Choose the executing agency and how the result is received; returns field errors."""
    errors: dict[str, list[str]] = {}
    agency = next((a for a in performing_agencies(draft.procedure) if a.code == agency_code), None)
    if agency is None:
        errors["agency"] = [_("Chọn cơ quan thực hiện thủ tục.")]
    if delivery not in Delivery.values:
        errors["delivery"] = [_("Chọn hình thức nhận kết quả.")]
    address = (address or "").strip()
    if delivery == Delivery.POST and len(address) < 10:
        errors["delivery_address"] = [
            _("Nhập địa chỉ nhận kết quả qua bưu chính (số nhà, đường, xã/phường, tỉnh).")
        ]
    draft.agency = agency or draft.agency
    draft.delivery = delivery if delivery in Delivery.values else draft.delivery
    draft.delivery_address = address
    draft.updated_at = timezone.now()
    draft.save(update_fields=["agency", "delivery", "delivery_address", "updated_at"])
    return draft, errors


def check_complete(draft: Draft) -> dict[str, list[str]]:
    """Every problem that stops submission, keyed by field (form keys, `agency`, `delivery`, …)."""
    return _checked(draft)[1]


def _checked(draft: Draft):
    """(the e-form's validation result, every problem that stops submission)."""
    spec = load_definition(draft.form_definition.schema)
    result = validate(spec, draft.data, attachments_present=attached_slots(draft))
    errors = dict(result.errors)
    if draft.agency is None:
        errors["agency"] = [_("Chọn cơ quan thực hiện thủ tục.")]
    if not draft.delivery:
        errors["delivery"] = [_("Chọn hình thức nhận kết quả.")]
    return result, errors


@transaction.atomic
def submit_draft(draft: Draft, *, declaration: bool) -> Dossier:
    """One transaction: the dossier, its documents and its first event; on any error nothing is left.

    The draft is consumed. Raises DomainError(code="incomplete") with every problem when it is not ready."""
    draft = (
        Draft.objects.select_for_update(of=("self",))
        .select_related("procedure", "applicant", "agency", "form_definition")
        .get(pk=draft.pk)
    )
    result, errors = _checked(draft)
    if not declaration:
        errors["declaration"] = [_("Xác nhận lời cam đoan trước khi nộp hồ sơ.")]
    if errors:
        raise DomainError(
            _("Hồ sơ chưa đầy đủ. Vui lòng kiểm tra các mục được đánh dấu."), code="incomplete", fields=errors
        )
    check_online(draft.procedure)
    cleaned = result.cleaned
    applicant = draft.applicant
    dossier = _create(
        procedure=draft.procedure,
        agency=draft.agency,
        applicant=applicant,
        applicant_name=applicant.full_name,
        id_number=applicant.id_number or "",
        phone=getattr(applicant.otp_phone, "number", "") or "",
        email=applicant.email or "",
        channel=Channel.ONLINE,
        status=Status.SUBMITTED,
        form=draft.form_definition,
        data=cleaned,
        delivery=draft.delivery,
        delivery_address=draft.delivery_address,
        # The expected due date counted from submission; it is set for good when the desk receives it.
        due_at=deadlines.due_date_for(draft.procedure, timezone.now()),
    )
    stored = {f.pk: f for f in _draft_files(draft)}
    for slot, ids in draft.attachments.items():
        for file_id in ids:
            if file_id in stored:
                _attach(dossier, stored[file_id], slot=int(slot), actor=applicant, since=draft.created_at)
    record_event(dossier, "submit", actor=applicant, channel=Channel.ONLINE)
    draft.delete()
    notices.submitted(dossier)
    return dossier


def _attach(dossier, stored, *, slot, actor, since, role=DossierDocument.Role.APPLICATION):
    DossierDocument.objects.create(
        dossier=dossier,
        role=role,
        slot=slot,
        title=stored.name,
        file=stored,
        added_by=actor,
        reused=stored.created_at < since,
    )


def _create(
    *,
    procedure,
    agency,
    applicant,
    applicant_name,
    id_number,
    phone,
    email,
    channel,
    status,
    form,
    data,
    delivery,
    delivery_address,
    received_at=None,
    source=Source.PORTAL,
    external_id=None,
    code=None,
    submitted_at=None,
    due_at=None,
):
    now = timezone.now()
    day = timezone.localdate(received_at or submitted_at or now)
    return Dossier.objects.create(
        code=code or next_code(agency, day),
        procedure=procedure,
        agency=agency,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_id_number=id_number,
        applicant_id_digest=lookup_digest(id_number, kind="id") if id_number else "",
        applicant_phone=phone,
        applicant_email=email,
        channel=channel,
        source=source,
        external_id=external_id,
        status=status,
        form_definition=form,
        data=data,
        delivery=delivery,
        delivery_address=delivery_address,
        submitted_at=submitted_at or now,
        received_at=received_at,
        due_at=due_at,
        updated_at=now,
    )


@transaction.atomic
def register_dossier(
    *,
    actor,
    procedure,
    channel: str,
    applicant_name: str,
    id_number: str = "",
    phone: str = "",
    email: str = "",
    delivery: str = Delivery.DESK,
    delivery_address: str = "",
    note: str = "",
    files: list[tuple[int | None, StoredFile]] = (),
) -> Dossier:
    """A dossier handed in at the desk or received by post, registered by a desk clerk (status 2).

    It gets a code, a due date and tracking like an online one; if the applicant has an account with the
    same ID number, it appears in their "Hồ sơ của tôi"."""
    from opendvc.accounts.models import OfficialRole
    from opendvc.accounts.services.common import citizen_by_id
    from opendvc.dossiers.services.actions import NotAllowed

    if not (actor.is_official and actor.has_role(OfficialRole.DESK_CLERK) and actor.agency_id):
        raise NotAllowed(_("Chỉ cán bộ một cửa của cơ quan mới tiếp nhận hồ sơ trực tiếp."))
    errors: dict[str, list[str]] = {}
    if channel not in (Channel.COUNTER, Channel.POST):
        errors["channel"] = [_("Chọn kênh tiếp nhận: trực tiếp hoặc bưu chính.")]
    if actor.agency not in performing_agencies(procedure) and procedure.agency_kinds.exists():
        errors["procedure"] = [_("Cơ quan của bạn không thực hiện thủ tục này.")]
    applicant_name = " ".join((applicant_name or "").split())
    if len(applicant_name) < 2:
        errors["applicant_name"] = [_("Nhập họ và tên người nộp hồ sơ.")]
    id_number = "".join(ch for ch in (id_number or "") if ch.isdigit())
    if id_number and len(id_number) != 12:
        errors["id_number"] = [_("Số định danh cá nhân gồm đúng 12 chữ số.")]
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValueError:
            errors["phone"] = [_("Số điện thoại di động không hợp lệ.")]
    if delivery not in Delivery.values:
        errors["delivery"] = [_("Chọn hình thức nhận kết quả.")]
    if delivery == Delivery.POST and len((delivery_address or "").strip()) < 10:
        errors["delivery_address"] = [_("Nhập địa chỉ nhận kết quả qua bưu chính.")]
    if errors:
        raise DomainError(_("Thông tin hồ sơ chưa hợp lệ."), code="invalid_input", fields=errors)
    now = timezone.now()
    applicant = citizen_by_id(id_number) if id_number else None
    dossier = _create(
        procedure=procedure,
        agency=actor.agency,
        applicant=applicant,
        applicant_name=applicant_name,
        id_number=id_number,
        phone=phone,
        email=(email or "").strip(),
        channel=channel,
        status=Status.RECEIVED,
        form=None,
        data={},
        delivery=delivery,
        delivery_address=(delivery_address or "").strip(),
        received_at=now,
        due_at=deadlines.due_date_for(procedure, now),  # received now, nothing paused yet
    )
    for slot, stored in files:
        _attach(dossier, stored, slot=slot, actor=actor, since=now)
    record_event(dossier, "register", actor=actor, comment=(note or "").strip(), channel=channel)
    notices.received(dossier)
    return dossier


def expire_drafts(*, now=None) -> tuple[int, int]:
    """Remind applicants 3 days before a draft expires; delete expired drafts. Returns (reminded, deleted)."""
    now = now or timezone.now()
    reminded = 0
    soon = Draft.objects.filter(expires_at__lte=now + timedelta(days=3), expires_at__gt=now, reminded_at=None)
    for draft in soon.select_related("applicant", "procedure"):
        notices.draft_expiring(draft)
        Draft.objects.filter(pk=draft.pk).update(reminded_at=now)
        reminded += 1
    deleted, _rows = Draft.objects.filter(expires_at__lte=now).delete()
    return reminded, deleted
