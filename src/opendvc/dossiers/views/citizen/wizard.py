"""Starting a dossier and the e-form's steps: one topic per page, progress, autosave, back without loss."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.catalog import selectors as catalog_selectors
from opendvc.core.errors import DomainError, NotFound
from opendvc.dossiers import selectors
from opendvc.dossiers.eforms import forms_data
from opendvc.dossiers.eforms import render as eform
from opendvc.dossiers.eforms.addresses import default_address_book
from opendvc.dossiers.eforms.prefill import enforce_locked
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.validation import validate
from opendvc.dossiers.models import Delivery
from opendvc.dossiers.services import files as file_service
from opendvc.dossiers.services import submission
from opendvc.dossiers.views.citizen.common import APPLICANT_KINDS, DELIVERY, FILES, REVIEW, applicant_required

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
