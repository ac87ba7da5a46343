"""Applicants' pages: start a dossier, fill the e-form step by step (a draft saved as they go), attach the
required documents, choose the agency and how to receive the result, review and submit; "Hồ sơ nháp";
"Hồ sơ của tôi" with supplements, withdrawal and rating.

One question topic per page (GOV.UK pattern), the progress shown, errors listed at the top with links, and
nothing typed is ever lost: "Quay lại", "Lưu nháp" and the autosave keep answers without checking them.
The rules live in `services.submission`, `services.files` and `services.actions`; these views parse, call,
render. Every page works without JavaScript; htmx only adds the autosave and the commune list refresh.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.accounts.models import AccountKind
from opendvc.catalog import selectors as catalog_selectors
from opendvc.core import audit
from opendvc.core.errors import DomainError, NotFound
from opendvc.dossiers import letters, selectors
from opendvc.dossiers.eforms import forms_data
from opendvc.dossiers.eforms import render as eform
from opendvc.dossiers.eforms.addresses import default_address_book
from opendvc.dossiers.eforms.prefill import enforce_locked
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.validation import validate
from opendvc.dossiers.forms import RatingForm, SupplementNoteForm, WithdrawForm
from opendvc.dossiers.models import Delivery, DossierDocument, Status, StoredFile
from opendvc.dossiers.services import actions, submission
from opendvc.dossiers.services import files as file_service
from opendvc.dossiers.services.transitions import ACTIONS, allowed_actions

APPLICANT_KINDS = frozenset({AccountKind.CITIZEN, AccountKind.BUSINESS})
# The pages after the form's own steps. Step keys never hold a dash, so these never clash with them.
FILES, DELIVERY, REVIEW = "giay-to", "noi-nhan", "xem-lai"
STEP = r"(?P<step>[a-z][a-z0-9_]{0,63})"
PER_PAGE = 20


def applicant_required(view):
    """Signed in as a citizen or a business; officials are told to use a personal account."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.kind not in APPLICANT_KINDS:
            return render(request, "dossiers/citizen/not_applicant.html", {}, status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def optional_url(name: str, *args) -> str:
    """The URL of a page another part of the portal provides, or "" while it is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- Drafts: what every page of the wizard shares ----------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str  # a step key of the form, or FILES / DELIVERY / REVIEW
    title: str
    url: str


def _draft(request, draft_id):
    try:
        draft = selectors.my_draft(request.user, draft_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if draft.form_definition is None:
        raise Http404("the draft's form is gone")
    return draft


def _spec(draft):
    return load_definition(draft.form_definition.schema)


def _pages(draft, spec) -> list[Page]:
    pages = [
        Page(step.key, step.title, reverse("dossiers:draft_step", args=[draft.pk, step.key]))
        for step in spec.steps
    ]
    if draft.procedure.documents.exists():
        pages.append(Page(FILES, _("Giấy tờ đính kèm"), reverse("dossiers:draft_files", args=[draft.pk])))
    pages.append(
        Page(
            DELIVERY, _("Nơi giải quyết và nhận kết quả"), reverse("dossiers:draft_delivery", args=[draft.pk])
        )
    )
    pages.append(Page(REVIEW, _("Xem lại và nộp hồ sơ"), reverse("dossiers:draft_review", args=[draft.pk])))
    return pages


def _neighbours(pages: list[Page], key: str) -> tuple[Page | None, Page | None]:
    keys = [p.key for p in pages]
    at = keys.index(key)
    return (pages[at - 1] if at > 0 else None), (pages[at + 1] if at + 1 < len(pages) else None)


def _completed(draft, spec) -> set[str]:
    """The pages whose answers are complete and valid now (marked done in the progress)."""
    attached = submission.attached_slots(draft)
    done = {
        step.key
        for step in spec.steps
        if not validate(spec, draft.data, step=step.key, attachments_present=attached).errors
    }
    if all(str(position) in attached for position in _required_documents(draft, spec)):
        done.add(FILES)
    if draft.agency_id and draft.delivery and (draft.delivery != Delivery.POST or draft.delivery_address):
        done.add(DELIVERY)
    return done


def _progress(pages: list[Page], key: str, completed: set[str]) -> dict:
    at = [p.key for p in pages].index(key)
    items = [
        {
            "page": p,
            "done": p.key in completed,
            "link": i != at and (i < at or p.key in completed),
            "current": i == at,
        }
        for i, p in enumerate(pages)
    ]
    return {"number": at + 1, "total": len(pages), "title": pages[at].title, "items": items}


def _wizard_context(draft, spec, key: str) -> dict:
    pages = _pages(draft, spec)
    previous, following = _neighbours(pages, key)
    return {
        "draft": draft,
        "procedure": draft.procedure,
        "spec": spec,
        "progress": _progress(pages, key, _completed(draft, spec)),
        "previous_page": previous,
        "next_page": following,
        "start_url": reverse("dossiers:start", args=[draft.procedure.code]),
    }


def _summary_links(errors: dict, spec, *, base: str = "") -> list[dict]:
    """Error summary entries for e-form paths: the anchor of each field, on this page or on `base`."""
    return [
        {"href": f"{base}#{anchor}", "message": message}
        for anchor, message in eform.error_summary(errors, spec)
    ]


def _required_documents(draft, spec) -> set[int]:
    """Positions of the documents the form requires for these answers (its visible required file fields)."""
    errors = validate(spec, draft.data, attachments_present=frozenset()).errors
    required = set()
    for key in errors:
        if spec.has_field(key):
            field = spec.field(key)
            if field.type == "file" and field.document is not None:
                required.add(field.document)
    return required


def _file_fields(spec, step_key: str):
    for top in spec.step(step_key).fields:
        for field in top.walk():
            if field.type == "file" and not field.repeat_scope and field.document is not None:
                yield field


def _store_step_files(request, draft, spec, step_key: str) -> dict:
    """Uploads posted with a step that holds file fields go to their document slots; returns errors."""
    errors: dict[str, list[str]] = {}
    for field in _file_fields(spec, step_key):
        for upload in request.FILES.getlist(forms_data.input_name(field.path)):
            try:
                stored = file_service.store_upload(upload, owner=request.user)
                submission.attach_to_draft(draft, slot=field.document, stored=stored)
            except DomainError as exc:
                errors.setdefault(field.path, []).append(exc.message)
    return errors


def _keep_locked(values: dict, draft) -> dict:
    """Registry values cannot be changed by a forged POST, at any depth (the service guards the top level)."""
    return enforce_locked(values, draft.data, draft.locked)


# --- Start ----------------------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def start(request, code: str):
    try:
        procedure = catalog_selectors.get_procedure(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    drafts = [d for d in selectors.my_drafts(request.user) if d.procedure_id == procedure.pk]
    context = {
        "procedure": procedure,
        "documents": list(procedure.documents.all()),
        "drafts": drafts,
        "problem": "",
        "fees": list(procedure.fees.all()),
    }
    try:
        submission.check_online(procedure)
    except DomainError as exc:
        status = 400 if request.method == "POST" else 200
        return render(
            request, "dossiers/citizen/start.html", context | {"problem": exc.message}, status=status
        )
    if request.method == "GET":
        return render(request, "dossiers/citizen/start.html", context)
    try:
        draft = submission.start_draft(applicant=request.user, procedure=procedure)
    except DomainError as exc:
        return render(request, "dossiers/citizen/start.html", context | {"problem": exc.message}, status=400)
    return redirect("dossiers:draft_step", draft.pk, draft.step)


# --- The form's steps -----------------------------------------------------------------------------------


def _render_step(request, draft, spec, step_key, *, errors=None, status=200, data=None):
    errors = errors or {}
    step = spec.step(step_key)
    fields_html = eform.render_step(
        spec,
        step_key,
        draft.data if data is None else data,
        errors,
        origins=draft.origins,
        locked=draft.locked,
        addresses=default_address_book(),
        request=request,
        communes_url=reverse("dossiers:communes"),
        attachments_present=submission.attached_slots(draft),
    )
    file_names = [forms_data.input_name(f.path) for f in _file_fields(spec, step_key)]
    context = _wizard_context(draft, spec, step_key) | {
        "step": step,
        "fields_html": fields_html,
        "error_links": _summary_links(errors, spec),
        "autosave_url": reverse("dossiers:draft_autosave", args=[draft.pk, step_key]),
        "autosave_params": ("not " + ",".join(file_names)) if file_names else "*",
        "has_locked": any(f.path in draft.locked for top in step.fields for f in top.walk()),
    }
    return render(request, "dossiers/citizen/step.html", context, status=status)


@applicant_required
@require_http_methods(["GET", "POST"])
def draft_step(request, draft_id: int, step: str):
    draft = _draft(request, draft_id)
    spec = _spec(draft)
    try:
        spec.step(step)
    except KeyError as exc:
        raise Http404("no such step") from exc
    if request.method == "GET":
        return _render_step(request, draft, spec, step)
    action = request.POST.get("action", "next")
    values = _keep_locked(forms_data.parse_post(spec, step, request.POST), draft)
    upload_errors = _store_step_files(request, draft, spec, step)
    changed = forms_data.apply_action(spec, step, {**draft.data, **values}, action)
    if changed is not None:
        # Add or remove an item, or list the communes of the chosen province: the same step again.
        step_values = {f.key: changed[f.key] for f in spec.step(step).fields if f.key in changed}
        draft, _errors = submission.save_draft_step(draft, step=step, values=step_values)
        return _render_step(
            request, draft, spec, step, errors=upload_errors, status=400 if upload_errors else 200
        )
    draft, errors = submission.save_draft_step(draft, step=step, values=values)
    if upload_errors:
        return _render_step(request, draft, spec, step, errors={**errors, **upload_errors}, status=400)
    pages = _pages(draft, spec)
    previous, following = _neighbours(pages, step)
    if action == "back":
        return redirect(previous.url if previous else reverse("dossiers:start", args=[draft.procedure.code]))
    if action == "save":
        messages.success(
            request, _("Đã lưu hồ sơ nháp. Bạn có thể tiếp tục bất cứ lúc nào trước khi hết hạn.")
        )
        return redirect("dossiers:drafts")
    if errors:
        return _render_step(request, draft, spec, step, errors=errors, status=400)
    return redirect(following.url)


@require_POST
def draft_autosave(request, draft_id: int, step: str):
    """Keep the step's answers as they are typed (no checks), for htmx; answers a short status text."""
    if not request.user.is_authenticated or request.user.kind not in APPLICANT_KINDS:
        # The session ended while the page was open: say so in the status line instead of swapping a
        # sign-in page into it.
        message = _(
            "Chưa lưu được: phiên đăng nhập đã hết. Hãy đăng nhập lại; những gì đã lưu trước đó vẫn còn."
        )
        return HttpResponse(message, status=200 if request.htmx else 403)
    draft = _draft(request, draft_id)
    spec = _spec(draft)
    try:
        spec.step(step)
    except KeyError as exc:
        raise Http404("no such step") from exc
    values = _keep_locked(forms_data.parse_post(spec, step, request.POST), draft)
    submission.save_draft_step(draft, step=step, values=values)
    html = render_to_string("dossiers/citizen/_autosave.html", {"at": timezone.localtime()}, request=request)
    return HttpResponse(html)


@require_GET
def communes(request):
    """The commune select of an address field for the province chosen (htmx, public reference data)."""
    return HttpResponse(eform.render_communes(request.GET, default_address_book(), request=request))


@applicant_required
@require_GET
def draft_resume(request, draft_id: int):
    """Where "Tiếp tục" leads: the step last saved while the form has problems, else the next page."""
    draft = _draft(request, draft_id)
    spec = _spec(draft)
    problems = submission.check_complete(draft)
    if any(spec.has_field(key) for key in problems):
        key = draft.step if draft.step in spec.step_keys else spec.steps[0].key
        return redirect("dossiers:draft_step", draft.pk, key)
    if "agency" in problems or "delivery" in problems:
        return redirect("dossiers:draft_delivery", draft.pk)
    return redirect("dossiers:draft_review", draft.pk)


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
        "error_links": [],
        "declaration_error": [],
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
    }
    return render(request, "dossiers/citizen/submitted.html", context)


# --- My drafts ------------------------------------------------------------------------------------------


@applicant_required
@require_GET
def drafts(request):
    rows = list(selectors.my_drafts(request.user).order_by("-updated_at"))
    return render(request, "dossiers/citizen/drafts.html", {"drafts": rows})


@applicant_required
@require_POST
def draft_delete(request, draft_id: int):
    draft = _draft(request, draft_id)
    name = draft.procedure.name
    audit.record("dossier.draft_deleted", request=request, target=draft, procedure=draft.procedure.code)
    # A draft is the applicant's own scratch copy: deleting it is theirs alone and touches nothing else.
    draft.delete()
    messages.success(request, _("Đã xóa hồ sơ nháp “%(name)s”.") % {"name": name})
    return redirect("dossiers:drafts")


# --- My dossiers ----------------------------------------------------------------------------------------

FILTERS = (
    ("", gettext_lazy("Tất cả")),
    ("open", gettext_lazy("Đang giải quyết")),
    ("action", gettext_lazy("Cần bạn bổ sung, thực hiện")),
    ("done", gettext_lazy("Đã xong")),
)


def _my_dossier(request, code: str):
    try:
        return selectors.my_dossier(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@applicant_required
@require_GET
def mine(request):
    status = request.GET.get("trang_thai", "")
    status = status if status in {key for key, _label in FILTERS} else ""
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.my_dossiers(request.user, status=status, query=query), PER_PAGE).get_page(
        request.GET.get("page")
    )
    tabs = [
        {
            "key": key,
            "label": label,
            "url": reverse("dossiers:mine") + (f"?trang_thai={key}" if key else ""),
            "current": key == status,
        }
        for key, label in FILTERS
    ]
    querystring = urlencode({k: v for k, v in (("trang_thai", status), ("q", query)) if v})
    context = {"page": page, "tabs": tabs, "status": status, "query": query, "querystring": querystring}
    return render(request, "dossiers/citizen/mine.html", context)


EVENT_LABELS = {
    "submit": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "register": gettext_lazy("Tiếp nhận hồ sơ nộp trực tiếp hoặc qua bưu chính"),
    "rate": gettext_lazy("Đánh giá mức độ hài lòng"),
    "sync": gettext_lazy("Cập nhật từ hệ thống của cơ quan"),
}


def event_label(event) -> str:
    action = ACTIONS.get(event.action)
    return str(action.label if action else EVENT_LABELS.get(event.action, event.action))


def _detail_context(request, dossier, **extra) -> dict:
    account = request.user
    events = list(selectors.timeline(dossier, for_applicant=True))
    for event in events:
        event.label = event_label(event)
    documents = list(dossier.documents.select_related("file").order_by("added_at", "id"))
    names = {action.name for action in allowed_actions(dossier, account)}
    open_request = None
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        open_request = dossier.supplements.filter(answered_at__isnull=True).order_by("-requested_at").first()
    issued = [(e, letters.kind_for_event(e)) for e in events]
    letter_links = [
        {
            "event": e,
            "label": letters.letter_title(kind),
            "url": optional_url("dossiers:letter", dossier.code, e.pk),
        }
        for e, kind in issued
        if kind is not None
    ]
    is_owner = dossier.applicant_id == account.pk
    can_rate = is_owner and dossier.status == Status.RETURNED and not hasattr(dossier, "rating")
    store = selectors.document_store(account) if open_request and "supplement" in names else []
    context = {
        "dossier": dossier,
        "late": dossier.is_late(),
        "events": events,
        "application_documents": [
            d
            for d in documents
            if d.role in (DossierDocument.Role.APPLICATION, DossierDocument.Role.SUPPLEMENT)
        ],
        "results": [d for d in documents if d.role == DossierDocument.Role.RESULT],
        "agency_documents": [
            d for d in documents if d.role in (DossierDocument.Role.LETTER, DossierDocument.Role.RECEIPT)
        ],
        "letters": [link for link in letter_links if link["url"]],
        "verify_url": optional_url("dossiers:verify"),
        "open_request": open_request if "supplement" in names else None,
        "supplement_items": [
            {"index": i, "text": text, "errors": []}
            for i, text in enumerate(open_request.items if open_request else [])
        ],
        "store": store,
        "can_withdraw": "withdraw" in names,
        "can_rate": can_rate,
        "supplement_form": SupplementNoteForm(),
        "withdraw_form": WithdrawForm(),
        "rating_form": RatingForm(),
        "problem": "",
    }
    context.update(extra)
    return context


@applicant_required
@require_GET
def mine_detail(request, code: str):
    dossier = _my_dossier(request, code)
    return render(request, "dossiers/citizen/detail.html", _detail_context(request, dossier))


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _refused(request, code, exc: DomainError, **extra):
    """The page again, fresh from the database, with the refusal: 409 for a conflict, else 400/403."""
    dossier = _my_dossier(request, code)
    status = exc.status if exc.status in (403, 409) else 400
    context = _detail_context(request, dossier, problem=exc.message, **extra)
    return render(request, "dossiers/citizen/detail.html", context, status=status)


@applicant_required
@require_POST
def mine_supplement(request, code: str):
    dossier = _my_dossier(request, code)
    context = _detail_context(request, dossier)
    items = context["supplement_items"]
    form = SupplementNoteForm(request.POST)
    form.is_valid()
    by_id = {str(f.pk): f for f in context["store"]}
    files, failed = [], False
    for item in items:
        try:
            for upload in request.FILES.getlist(f"tep-{item['index']}"):
                files.append((None, file_service.store_upload(upload, owner=request.user)))
            chosen = request.POST.get(f"kho-{item['index']}", "")
            if chosen:
                if chosen not in by_id:
                    raise DomainError(_("Không tìm thấy tệp đã chọn trong kho dữ liệu."), code="not_found")
                files.append((None, by_id[chosen]))
        except DomainError as exc:
            item["errors"].append(exc.message)
            failed = True
    if failed:
        problem = _("Có tệp chưa đính kèm được. Vui lòng xem lại các mục được đánh dấu.")
        context.update(problem=problem, supplement_form=form)
        return render(request, "dossiers/citizen/detail.html", context, status=400)
    try:
        actions.submit_supplement(
            dossier,
            actor=request.user,
            version=_version(request),
            files=files,
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as exc:
        return _refused(request, code, exc, supplement_form=form)
    messages.success(request, _("Đã gửi hồ sơ bổ sung. Cơ quan tiếp tục giải quyết hồ sơ của bạn."))
    return redirect("dossiers:mine_detail", dossier.code)


@applicant_required
@require_POST
def mine_withdraw(request, code: str):
    dossier = _my_dossier(request, code)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, dossier, withdraw_form=form, withdraw_open=True)
        return render(request, "dossiers/citizen/detail.html", context, status=400)
    try:
        actions.withdraw_dossier(
            dossier, actor=request.user, version=_version(request), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _refused(request, code, exc, withdraw_form=form, withdraw_open=True)
    messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:mine_detail", dossier.code)


@applicant_required
@require_POST
def mine_rate(request, code: str):
    dossier = _my_dossier(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, dossier, rating_form=form)
        return render(request, "dossiers/citizen/detail.html", context, status=400)
    try:
        actions.rate_dossier(
            dossier,
            actor=request.user,
            value=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        return _refused(request, code, exc, rating_form=form)
    messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    return redirect("dossiers:mine_detail", dossier.code)


urlpatterns = [
    path("ho-so/nop/<str:code>/", start, name="start"),
    path("ho-so/nhap/", drafts, name="drafts"),
    path("ho-so/nhap/<int:draft_id>/", draft_resume, name="draft"),
    path("ho-so/nhap/<int:draft_id>/xoa/", draft_delete, name="draft_delete"),
    path(f"ho-so/nhap/<int:draft_id>/{FILES}/", draft_files, name="draft_files"),
    path(f"ho-so/nhap/<int:draft_id>/{DELIVERY}/", draft_delivery, name="draft_delivery"),
    path(f"ho-so/nhap/<int:draft_id>/{REVIEW}/", draft_review, name="draft_review"),
    re_path(rf"^ho-so/nhap/(?P<draft_id>[0-9]+)/luu/{STEP}/$", draft_autosave, name="draft_autosave"),
    re_path(rf"^ho-so/nhap/(?P<draft_id>[0-9]+)/{STEP}/$", draft_step, name="draft_step"),
    path("ho-so/dia-gioi/xa-phuong/", communes, name="communes"),
    path("ho-so/da-nop/<str:code>/", submitted, name="submitted"),
    path("ho-so/cua-toi/", mine, name="mine"),
    path("ho-so/cua-toi/<str:code>/", mine_detail, name="mine_detail"),
    path("ho-so/cua-toi/<str:code>/bo-sung/", mine_supplement, name="mine_supplement"),
    path("ho-so/cua-toi/<str:code>/rut/", mine_withdraw, name="mine_withdraw"),
    path("ho-so/cua-toi/<str:code>/danh-gia/", mine_rate, name="mine_rate"),
]
