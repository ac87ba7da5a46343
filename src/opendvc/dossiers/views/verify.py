"""Letters of a dossier as PDF (applicant and the agency's officials), and the public verification of
signed results: upload a PDF, or follow the QR code of a stored result."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from opendvc.core.errors import DomainError, NotFound
from opendvc.core.limits import Limit, enforce
from opendvc.core.request_info import client_ip
from opendvc.dossiers import letters, selectors, verification
from opendvc.dossiers.models import DossierDocument, DossierEvent
from opendvc.dossiers.services.files import PDF, InvalidFile, max_file_bytes, read_upload, sniff

logger = logging.getLogger(__name__)

DEFAULT_VERIFY_LIMITS_PER_IP = ("20/h",)
DEFAULT_VERIFY_RESULT_LIMITS_PER_IP = ("120/h",)


# --- letters ------------------------------------------------------------------------------------------


@require_GET
def letter(request, code: str, event_id: int):
    """The letter an event of the dossier issued, as PDF: for the applicant and the agency's officials."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        dossier = (
            selectors.official_dossier(user, code) if user.is_official else selectors.my_dossier(user, code)
        )
    except NotFound:
        raise Http404 from None
    event = DossierEvent.objects.filter(dossier=dossier, pk=event_id).first()
    if event is None or (not user.is_official and not event.public):
        raise Http404
    kind = letters.kind_for_event(event)
    if kind is None:
        raise Http404
    response = HttpResponse(letters.render(dossier, kind, event), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letters.letter_filename(dossier, kind)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- verification -------------------------------------------------------------------------------------


class VerifyForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("Tệp PDF cần xác minh"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": gettext_lazy("Chọn tệp PDF cần xác minh."),
            "empty": gettext_lazy("Tệp đã chọn rỗng."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = _("Tệp kết quả điện tử ở định dạng PDF, tối đa %(mb)d MB.") % {
            "mb": max_file_bytes() // (1024 * 1024)
        }


def _limits(request, group: str, setting: str, default) -> list[Limit]:
    ip = client_ip(request) or "none"
    return [Limit(group, ip, rate) for rate in getattr(settings, setting, default)]


def _read_pdf_upload(upload) -> bytes:
    content = read_upload(upload)
    if sniff(content) != PDF:
        raise InvalidFile(
            _("Tệp đã chọn không phải tệp PDF. Chỉ xác minh được kết quả điện tử ở định dạng PDF.")
        )
    return content


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """Upload a PDF and see whether its signature is valid, who signed it and when."""
    report, status = None, 200
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    if form.is_bound and form.is_valid():
        try:
            enforce(
                request,
                _limits(
                    request, "verify-upload-ip", "DOSSIER_VERIFY_LIMITS_PER_IP", DEFAULT_VERIFY_LIMITS_PER_IP
                ),
            )
            report = verification.verify_pdf(_read_pdf_upload(form.cleaned_data["document"]))
        except DomainError as exc:
            form.add_error("document", exc.message)
            status = 429 if exc.status == 429 else 400
    elif form.is_bound:
        status = 400
    return render(
        request,
        "dossiers/verify.html",
        {"form": form, "report": report},
        status=status,
    )


@never_cache
@require_GET
def verify_result(request, token: str):
    """The verdict on one stored result (from its QR code) with its procedure, agency and dossier code;
    nothing about the applicant."""
    stored = verification.stored_file_for_token(token)
    if stored is None:
        raise Http404
    try:
        enforce(
            request,
            _limits(
                request,
                "verify-result-ip",
                "DOSSIER_VERIFY_RESULT_LIMITS_PER_IP",
                DEFAULT_VERIFY_RESULT_LIMITS_PER_IP,
            ),
        )
    except DomainError as exc:
        return render(request, "dossiers/verify_result.html", {"problem": exc.message}, status=429)
    use = (
        DossierDocument.objects.filter(file=stored, role=DossierDocument.Role.RESULT)
        .select_related("dossier__procedure", "dossier__agency")
        .first()
    )
    try:
        with stored.file.open("rb") as handle:
            content = handle.read()
        report, problem = verification.verify_pdf(content), None
    except DomainError as exc:
        report, problem = None, exc.message
    except OSError:
        logger.exception("Stored result %s cannot be read for verification", stored.pk)
        report, problem = None, _("Hiện chưa đọc được tệp kết quả này. Vui lòng thử lại sau.")
    return render(
        request,
        "dossiers/verify_result.html",
        {"report": report, "problem": problem, "dossier": use.dossier if use else None, "stored": stored},
    )


urlpatterns = [
    path("ho-so/<str:code>/van-ban/<int:event_id>/", letter, name="letter"),
    path("xac-minh-ket-qua/", verify, name="verify"),
    path("xac-minh-ket-qua/<str:token>/", verify_result, name="verify_result"),
]
