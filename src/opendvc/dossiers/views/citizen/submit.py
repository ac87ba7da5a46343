"""The wizard's last pages: documents (upload or reuse), agency and delivery, review and submit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from opendvc.catalog import selectors as catalog_selectors
from opendvc.core.errors import DomainError
from opendvc.dossiers import selectors
from opendvc.dossiers.eforms import render as eform
from opendvc.dossiers.eforms.addresses import default_address_book
from opendvc.dossiers.eforms.validation import validate
from opendvc.dossiers.models import Channel, Delivery, StoredFile
from opendvc.dossiers.services import fees, submission
from opendvc.dossiers.services import files as file_service
from opendvc.dossiers.signals import panels_for
from opendvc.dossiers.views.citizen.common import DELIVERY, FILES, REVIEW, applicant_required, optional_url
from opendvc.dossiers.views.citizen.mine import _my_dossier
from opendvc.dossiers.views.citizen.wizard import (
    _draft,
    _neighbours,
    _pages,
    _required_documents,
    _spec,
    _summary_links,
    _wizard_context,
)

# --- Attachments ----------------------------------------------------------------------------------------


def file_row(stored) -> dict:
    """A stored file as the pages list it: name, size, type and the permission-checked download link."""
    kind = file_service.EXTENSIONS.get(stored.content_type, "").lstrip(".").upper()
    return {"file": stored, "type": kind, "url": reverse("dossiers:file", args=[stored.pk])}


def _attached_files(draft) -> dict:
    """The draft's attached files by id (only the applicant's own: a draft never points elsewhere)."""
    ids = [i for values in draft.attachments.values() for i in values]
    return {f.pk: f for f in StoredFile.objects.filter(pk__in=ids, owner_id=draft.applicant_id)}


def _slots(draft, spec, store) -> list[dict]:
    required = _required_documents(draft, spec)
    by_id = _attached_files(draft)
    slots = []
    for document in draft.procedure.documents.all():
        ids = draft.attachments.get(str(document.position), [])
        attached = [by_id[i] for i in ids if i in by_id]
        slots.append(
            {
                "document": document,
                "position": document.position,
                "required": document.position in required,
                "files": [file_row(f) for f in attached],
                "reusable": [file_row(f) for f in store if f.pk not in ids],
                "errors": [],
            }
        )
    return slots


def _attach_pending(request, draft, store, slots) -> bool:
    """Attach every file chosen or uploaded on the page; errors go on their slot. True if all went well."""
    ok = True
    by_id = {str(f.pk): f for f in store}
    for slot in slots:
        position = slot["position"]
        chosen = request.POST.get(f"kho-{position}", "")
        try:
            for upload in request.FILES.getlist(f"tep-{position}"):
                stored = file_service.store_upload(upload, owner=request.user)
                submission.attach_to_draft(draft, slot=position, stored=stored)
            if chosen:
                if chosen not in by_id:
                    raise DomainError(_("Không tìm thấy tệp đã chọn trong kho dữ liệu."), code="not_found")
                submission.attach_to_draft(draft, slot=position, stored=by_id[chosen])
        except DomainError as exc:
            slot["errors"].append(exc.message)
            ok = False
    return ok


@applicant_required
@require_http_methods(["GET", "POST"])
def draft_files(request, draft_id: int):
    draft = _draft(request, draft_id)
    spec = _spec(draft)
    if not draft.procedure.documents.exists():
        return redirect("dossiers:draft_delivery", draft.pk)
    store = selectors.document_store(request.user)
    slots = _slots(draft, spec, store)
    status, missing = 200, []
    if request.method == "POST":
        action = request.POST.get("action", "next")
        verb, _sep, rest = action.partition(":")
        if verb == "remove":
            position, _sep, file_id = rest.partition(":")
            if position.isdigit() and file_id.isdigit():
                submission.detach_from_draft(draft, slot=int(position), stored_id=int(file_id))
            return redirect("dossiers:draft_files", draft.pk)
        ok = _attach_pending(request, draft, store, slots)
        if not ok:
            status = 400
        elif verb == "attach":
            return redirect(f"{reverse('dossiers:draft_files', args=[draft.pk])}#slot-{rest}")
        else:
            previous, following = _neighbours(_pages(draft, spec), FILES)
            if verb == "back":
                return redirect(previous.url)
            if verb == "save":
                messages.success(request, _("Đã lưu hồ sơ nháp."))
                return redirect("dossiers:drafts")
            attached = submission.attached_slots(draft)
            missing = [s for s in slots if s["required"] and str(s["position"]) not in attached]
            if not missing:
                return redirect(following.url)
            for slot in missing:
                slot["errors"].append(_("Đính kèm “%(name)s”.") % {"name": slot["document"].name})
            status = 400
        # Show what is attached now (some uploads may have gone through), with the errors kept per slot.
        errors = {s["position"]: s["errors"] for s in slots}
        slots = _slots(draft, spec, selectors.document_store(request.user))
        for slot in slots:
            slot["errors"] = errors.get(slot["position"], [])
    context = _wizard_context(draft, spec, FILES) | {
        "slots": slots,
        "error_links": [
            {"href": f"#slot-{s['position']}", "message": message} for s in slots for message in s["errors"]
        ],
        "max_mb": file_service.max_file_bytes() // (1024 * 1024),
        "allowed": file_service.ALLOWED_TEXT,
    }
    return render(request, "dossiers/citizen/files.html", context, status=status)


# --- Agency and delivery --------------------------------------------------------------------------------


def _agency_choice(draft, province: str, commune: str):
    if not province and draft.agency is not None:
        agency = draft.agency
        province = agency.province.code if agency.province_id else agency.code
        commune = agency.commune.code if agency.commune_id else ""
    return catalog_selectors.agency_choice(draft.procedure, province=province, commune=commune)


DELIVERY_HINTS = {
    Delivery.DESK: gettext_lazy(
        "Đến bộ phận một cửa của cơ quan giải quyết để nhận bản giấy, mang theo giấy tờ tùy thân."
    ),
    Delivery.POST: gettext_lazy(
        "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ bạn ghi dưới đây; có thể mất phí."
    ),
    Delivery.ELECTRONIC: gettext_lazy(
        "Tải kết quả có chữ ký số của cơ quan trong “Hồ sơ của tôi”; kết quả được lưu vào kho dữ liệu."
    ),
}


@applicant_required
@require_http_methods(["GET", "POST"])
def draft_delivery(request, draft_id: int):
    draft = _draft(request, draft_id)
    spec = _spec(draft)
    params = request.POST if request.method == "POST" else request.GET
    choice = _agency_choice(draft, params.get("province", ""), params.get("commune", ""))
    allowed = {a.code for a in submission.performing_agencies(draft.procedure)}
    agencies = [a for a in (choice.performing if choice.province else choice.central) if a.code in allowed]
    chosen_agency = params.get("agency") or (draft.agency.code if draft.agency else "")
    if len(agencies) == 1 and chosen_agency not in allowed:
        chosen_agency = agencies[0].code
    paper_only = draft.procedure.result_kind == "paper"
    context = _wizard_context(draft, spec, DELIVERY) | {
        "choice": choice,
        "agencies": agencies,
        "chosen_agency": chosen_agency,
        "delivery_options": [
            {"value": value, "label": label, "hint": DELIVERY_HINTS[value], "id": f"delivery-{value}"}
            for value, label in Delivery.choices
            if not (paper_only and value == Delivery.ELECTRONIC)
        ],
        "delivery": params.get("delivery", draft.delivery) if request.method == "POST" else draft.delivery,
        "delivery_address": params.get("delivery_address", draft.delivery_address),
        "errors": {},
        "error_links": [],
    }
    if request.htmx and request.htmx.target == "agency-choice":
        return render(request, "dossiers/citizen/_agency_choice.html", context)
    if request.method == "GET":
        return render(request, "dossiers/citizen/delivery.html", context)
    action = request.POST.get("action", "next")
    if action == "choose":  # no JavaScript: the province or commune changed, show its agencies
        return render(request, "dossiers/citizen/delivery.html", context)
    draft, errors = submission.set_delivery(
        draft,
        agency_code=request.POST.get("agency", ""),
        delivery=request.POST.get("delivery", ""),
        address=request.POST.get("delivery_address", ""),
    )
    previous, following = _neighbours(_pages(draft, spec), DELIVERY)
    if action == "back":
        return redirect(previous.url)
    if action == "save":
        messages.success(request, _("Đã lưu hồ sơ nháp."))
        return redirect("dossiers:drafts")
    if errors:
        context.update(errors=errors, error_links=_delivery_links(errors))
        return render(request, "dossiers/citizen/delivery.html", context, status=400)
    return redirect(following.url)


def _delivery_links(errors: dict, base: str = "") -> list[dict]:
    anchors = {
        "agency": "agency",
        "delivery": "delivery",
        "delivery_address": "delivery-address",
    }
    return [
        {"href": f"{base}#{anchors.get(name, name)}", "message": message}
        for name, texts in errors.items()
        for message in texts
    ]


# --- Review and submit ----------------------------------------------------------------------------------


def _review_links(draft, spec, errors: dict) -> list[dict]:
    """Each problem links to the page and field where it can be put right."""
    links = []
    delivery_url = reverse("dossiers:draft_delivery", args=[draft.pk])
    for key, texts in errors.items():
        if key == "declaration":
            links += [{"href": "#declaration", "message": text} for text in texts]
        elif key in ("agency", "delivery", "delivery_address"):
            links += _delivery_links({key: texts}, base=delivery_url)
        else:
            try:
                step_key = spec.step_of(key).key
            except KeyError:
                step_key = spec.steps[0].key
            base = reverse("dossiers:draft_step", args=[draft.pk, step_key])
            links += _summary_links({key: texts}, spec, base=base)
    return links


def _review_context(request, draft, spec) -> dict:
    placeholder = "stepkeyplaceholder"
    change_url = reverse("dossiers:draft_step", args=[draft.pk, placeholder]).replace(placeholder, "{step}")
    store = _attached_files(draft)
    attached = []
    for document in draft.procedure.documents.all():
        files = [store[i] for i in draft.attachments.get(str(document.position), []) if i in store]
        if files:
            attached.append({"document": document, "files": [file_row(f) for f in files]})
    return _wizard_context(draft, spec, REVIEW) | {
        "summary_html": eform.render_summary(
            spec, draft.data, default_address_book(), change_url=change_url, request=request
        ),
        "attached": attached,
        "has_documents": draft.procedure.documents.exists(),
        "files_url": reverse("dossiers:draft_files", args=[draft.pk]),
        "delivery_url": reverse("dossiers:draft_delivery", args=[draft.pk]),
        "delivery_label": Delivery(draft.delivery).label if draft.delivery in Delivery.values else "",
        "fee_lines": _fee_lines(draft, spec),
        "error_links": [],
        "declaration_error": [],
    }


def _fee_lines(draft, spec) -> dict:
    """What the dossier will owe for the answers given so far, and when it is paid."""
    cleaned = validate(spec, draft.data).cleaned
    lines = fees.fee_lines(draft.procedure, spec=spec, data=cleaned, channel=Channel.ONLINE)
    return {
        "lines": lines,
        "total": fees.total(lines),
        "stated_later": any(line.amount is None for line in lines),
    }


@applicant_required
@require_http_methods(["GET", "POST"])
def draft_review(request, draft_id: int):
    draft = _draft(request, draft_id)
    spec = _spec(draft)
    if request.method == "GET":
        return render(request, "dossiers/citizen/review.html", _review_context(request, draft, spec))
    declaration = request.POST.get("declaration") == "yes"
    try:
        dossier = submission.submit_draft(draft, declaration=declaration)
    except DomainError as exc:
        draft = _draft(request, draft_id)
        context = _review_context(request, draft, spec) | {
            "problem": exc.message,
            "error_links": _review_links(draft, spec, exc.fields),
            "declaration_error": exc.fields.get("declaration", []),
            "declared": declaration,
        }
        return render(
            request, "dossiers/citizen/review.html", context, status=400 if exc.status < 500 else 503
        )
    return redirect("dossiers:submitted", dossier.code)


@applicant_required
@require_GET
def submitted(request, code: str):
    dossier = _my_dossier(request, code)
    event = selectors.timeline(dossier, for_applicant=True).filter(action="submit").first()
    context = {
        "dossier": dossier,
        "receipt_url": optional_url("dossiers:letter", dossier.code, event.pk) if event else "",
        "track_url": reverse("dossiers:track") + f"?ma={dossier.code}",
        "extra_sections": panels_for(request, dossier, "applicant"),
    }
    return render(request, "dossiers/citizen/submitted.html", context)
