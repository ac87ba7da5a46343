"""USB token and SIM PKI pages: sign-in and registration with a certificate.

USB token: the page carries a fresh challenge; identity/static/identity/token-plugin.js asks the signing
plug-in to sign it and posts the signature here. SIM PKI: the person gives their number, confirms on the
phone, and the waiting page polls (htmx) until the carrier's service answers.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opendvc.accounts.forms import PortalForm, phone_field
from opendvc.accounts.forms_pki import CertificateDetailsForm
from opendvc.accounts.models import AccessMethod
from opendvc.accounts.services import pki
from opendvc.accounts.services.access import sign_in
from opendvc.accounts.views.account import reauthentication_required
from opendvc.accounts.views.common import drop_flow, flow_token, keep_flow, refused, safe_next
from opendvc.core.errors import DomainError

LOGIN_FLOW = "sim_login"
REGISTER_FLOW = "certificate_register"


class SimPhoneForm(PortalForm):
    phone = phone_field(
        help_text=_("Số điện thoại có SIM ký số. Bạn sẽ xác nhận yêu cầu ký trên điện thoại.")
    )


def _audience(request) -> str:
    value = request.GET.get("kind") or request.POST.get("kind") or "citizen"
    return value if value in pki.AUDIENCES else "citizen"


def _token_page(request, *, purpose: str, template: str, context: dict, status=200, problem=""):
    try:
        challenge = pki.issue_challenge(purpose, request)
    except DomainError as exc:
        return render(
            request,
            "accounts/message.html",
            {"title": _("Chưa thể tiếp tục"), "text": exc.message, "tone": "error"},
            status=exc.status,
        )
    context = context | {
        "challenge": challenge,
        "challenge_data": pki.challenge_base64(challenge),
        "plugin_url": settings.TOKEN_PLUGIN_URL,
        "problem": problem,
    }
    return render(request, template, context, status=status)


def _signed(request):
    return (
        request.POST.get("nonce", ""),
        pki.decode_base64(request.POST.get("signature", ""), "signature"),
        pki.decode_base64(request.POST.get("certificate", ""), "certificate")
        if request.POST.get("certificate")
        else None,
    )


@require_http_methods(["GET", "POST"])
def login_token(request):
    context = {"tab": "token", "next": safe_next(request, "")}
    if request.method == "POST":
        try:
            nonce, signature, certificate = _signed(request)
            account = pki.login_with_token(request, nonce=nonce, signature=signature, certificate=certificate)
        except DomainError as exc:
            return _token_page(
                request,
                purpose=pki.LOGIN,
                template="accounts/login_token.html",
                context=context,
                status=400,
                problem=exc.message,
            )
        sign_in(request, account, AccessMethod.USB_TOKEN)
        return redirect(context["next"] or reverse("accounts:profile"))
    return _token_page(request, purpose=pki.LOGIN, template="accounts/login_token.html", context=context)


@require_http_methods(["GET", "POST"])
def register_token(request):
    audience = _audience(request)
    context = {"audience": audience}
    if request.method == "POST":
        try:
            nonce, signature, certificate = _signed(request)
            _flow, token = pki.start_token_registration(
                request, nonce=nonce, signature=signature, certificate=certificate, audience=audience
            )
        except DomainError as exc:
            return _token_page(
                request,
                purpose=pki.REGISTER,
                template="accounts/register_token.html",
                context=context | {"account_exists": exc.code == "account_exists"},
                status=400,
                problem=exc.message,
            )
        keep_flow(request, REGISTER_FLOW, token)
        return redirect("accounts:register_certificate_details")
    return _token_page(
        request, purpose=pki.REGISTER, template="accounts/register_token.html", context=context
    )


def _sim_start(request, *, purpose: str, flow_name: str, wait_url: str, template: str, context: dict):
    form = SimPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _flow, token = pki.start_sim_signature(
                request, phone=form.cleaned_data["phone"], purpose=purpose, audience=_audience(request)
            )
        except DomainError as exc:
            return refused(request, template, context, form, exc)
        keep_flow(request, flow_name, token)
        return redirect(wait_url)
    return render(request, template, context | {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def login_sim(request):
    return _sim_start(
        request,
        purpose=pki.LOGIN,
        flow_name=LOGIN_FLOW,
        wait_url=reverse("accounts:login_sim_wait"),
        template="accounts/login_sim.html",
        context={"tab": "sim"},
    )


@require_http_methods(["GET", "POST"])
def register_sim(request):
    audience = _audience(request)
    return _sim_start(
        request,
        purpose=pki.REGISTER,
        flow_name=REGISTER_FLOW,
        wait_url=reverse("accounts:register_sim_wait"),
        template="accounts/register_sim.html",
        context={"audience": audience},
    )


def _sim_wait(request, *, flow_name: str, restart: str, on_approved):
    """The waiting page; with htmx it is polled and answers with a redirect once the phone answered."""
    token = flow_token(request, flow_name)
    try:
        info = pki.sim_wait_info(token)
        result = pki.poll_sim_signature(request, token)
    except DomainError as exc:
        if request.htmx:
            response = HttpResponse(status=204)
            messages.error(request, exc.message)
            response["HX-Redirect"] = reverse(restart)
            return response
        messages.error(request, exc.message)
        return redirect(restart)
    if result is None:
        template = "accounts/_sim_wait_status.html" if request.htmx else "accounts/sim_wait.html"
        return render(request, template, {"info": info, "poll_url": request.path})
    target = on_approved(request, token, result)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _sim_signed_in(request, token, account):
    drop_flow(request, LOGIN_FLOW)
    sign_in(request, account, AccessMethod.SIM_PKI)
    return reverse("accounts:profile")


@require_http_methods(["GET"])
def login_sim_wait(request):
    return _sim_wait(request, flow_name=LOGIN_FLOW, restart="accounts:login_sim", on_approved=_sim_signed_in)


@require_http_methods(["GET"])
def register_sim_wait(request):
    return _sim_wait(
        request,
        flow_name=REGISTER_FLOW,
        restart="accounts:register_sim",
        on_approved=lambda request, token, flow: reverse("accounts:register_certificate_details"),
    )


@require_http_methods(["GET", "POST"])
def register_details(request):
    token = flow_token(request, REGISTER_FLOW)
    try:
        details = pki.registration_details(token)
    except DomainError:
        messages.warning(request, _("Phiên đăng ký đã hết hạn. Vui lòng ký lại bằng chứng thư số."))
        return redirect("accounts:register")
    business = details["audience"] == "business"
    form = CertificateDetailsForm(request.POST or None, business=business, prefill=details["prefill"])
    context = {"details": details, "business": business}
    if request.method == "POST" and form.is_valid():
        try:
            account = pki.complete_certificate_registration(request, token, **form.cleaned_data)
        except DomainError as exc:
            return refused(request, "accounts/register_details.html", context, form, exc)
        drop_flow(request, REGISTER_FLOW)
        method = AccessMethod.USB_TOKEN if details["kind"] == "usb_token" else AccessMethod.SIM_PKI
        sign_in(request, account, method)
        messages.success(request, _("Đăng ký tài khoản thành công. Tài khoản của bạn có mức xác minh 3."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/register_details.html",
        context | {"form": form},
        status=400 if form.errors else 200,
    )


@reauthentication_required
@require_http_methods(["GET", "POST"])
def add_certificate(request):
    """Account management: sign a challenge with another USB token of the same identity."""
    context = {"nav": "methods", "nav_current": "true"}
    if request.method == "POST":
        try:
            nonce, signature, certificate = _signed(request)
            pki.add_certificate(
                request, request.user, nonce=nonce, signature=signature, certificate=certificate
            )
        except DomainError as exc:
            return _token_page(
                request,
                purpose=pki.ADD_CERTIFICATE,
                template="accounts/account_add_certificate.html",
                context=context,
                status=400,
                problem=exc.message,
            )
        messages.success(request, _("Đã thêm chứng thư số vào tài khoản."))
        return redirect("accounts:authentication_methods")
    return _token_page(
        request,
        purpose=pki.ADD_CERTIFICATE,
        template="accounts/account_add_certificate.html",
        context=context,
    )


urlpatterns = [
    path("dang-nhap/usb-ky-so/", login_token, name="login_token"),
    path("dang-nhap/sim-ky-so/", login_sim, name="login_sim"),
    path("dang-nhap/sim-ky-so/cho-xac-nhan/", login_sim_wait, name="login_sim_wait"),
    path("dang-ky/usb-ky-so/", register_token, name="register_token"),
    path("dang-ky/sim-ky-so/", register_sim, name="register_sim"),
    path("dang-ky/sim-ky-so/cho-xac-nhan/", register_sim_wait, name="register_sim_wait"),
    path("dang-ky/chung-thu-so/thong-tin/", register_details, name="register_certificate_details"),
    path("tai-khoan/phuong-thuc-xac-thuc/them-chung-thu-so/", add_certificate, name="add_certificate"),
]
