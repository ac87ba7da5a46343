"""Forgotten password: ID number + phone + captcha → OTP → new password (every session ends)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opendvc.accounts.errors import FlowExpired
from opendvc.accounts.flows import flow_data, get_flow
from opendvc.accounts.forms import NewPasswordForm, OtpForm, PasswordResetForm
from opendvc.accounts.models import FlowPurpose
from opendvc.accounts.services import recovery
from opendvc.accounts.views.common import drop_flow, flow_token, keep_flow, refused
from opendvc.core.errors import DomainError
from opendvc.core.personal_data import mask_phone

FLOW = "reset"


@require_http_methods(["GET", "POST"])
def start(request):
    form = PasswordResetForm(request.POST or None)
    context = {
        "title": _("Quên mật khẩu"),
        "intro": _(
            "Nhập số định danh và số điện thoại nhận OTP của tài khoản. Mã OTP sẽ được gửi đến số "
            "điện thoại đó."
        ),
        "submit_label": _("Tiếp tục"),
        "back_url": reverse("accounts:login"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            _flow, token = recovery.start_password_reset(
                request, id_number=form.cleaned_data["id_number"], phone=form.cleaned_data["phone"]
            )
        except DomainError as exc:
            return refused(
                request, "accounts/simple_form.html", context, PasswordResetForm(_no_captcha(request)), exc
            )
        keep_flow(request, FLOW, token)
        return redirect("accounts:forgot_password_otp")
    return render(
        request, "accounts/simple_form.html", context | {"form": form}, status=400 if form.errors else 200
    )


def _no_captcha(request):
    data = request.POST.copy()
    data.pop("captcha_0", None)
    data.pop("captcha_1", None)
    return data


@require_http_methods(["GET", "POST"])
def otp(request):
    token = flow_token(request, FLOW)
    try:
        flow = get_flow(token, FlowPurpose.RESET_PASSWORD, step="otp")
    except DomainError:
        return redirect("accounts:forgot_password")
    form = OtpForm(request.POST or None)
    context = {
        "title": _("Nhập mã OTP"),
        "phone": mask_phone(flow_data(flow)["phone"]),
    }
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resend":
                recovery.resend_reset_code(request, token)
                messages.success(request, _("Đã gửi lại mã OTP."))
                return redirect("accounts:forgot_password_otp")
            if form.is_valid():
                recovery.confirm_reset_code(token, form.cleaned_data["code"])
                return redirect("accounts:forgot_password_new")
        except FlowExpired:
            return redirect("accounts:forgot_password")
        except DomainError as exc:
            return refused(request, "accounts/otp.html", context, form, exc)
    return render(request, "accounts/otp.html", context | {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def new_password(request):
    token = flow_token(request, FLOW)
    try:
        get_flow(token, FlowPurpose.RESET_PASSWORD, step="password")
    except DomainError:
        return redirect("accounts:forgot_password")
    form = NewPasswordForm(request.POST or None)
    context = {"title": _("Đặt mật khẩu mới"), "submit_label": _("Lưu mật khẩu mới")}
    if request.method == "POST" and form.is_valid():
        try:
            recovery.complete_password_reset(request, token, **form.cleaned_data)
        except DomainError as exc:
            return refused(request, "accounts/simple_form.html", context, form, exc)
        drop_flow(request, FLOW)
        messages.success(
            request,
            _(
                "Đã đặt lại mật khẩu. Mọi phiên đăng nhập cũ đã kết thúc; vui lòng đăng nhập bằng "
                "mật khẩu mới."
            ),
        )
        return redirect("accounts:login")
    return render(
        request, "accounts/simple_form.html", context | {"form": form}, status=400 if form.errors else 200
    )


urlpatterns = [
    path("quen-mat-khau/", start, name="forgot_password"),
    path("quen-mat-khau/otp/", otp, name="forgot_password_otp"),
    path("quen-mat-khau/mat-khau-moi/", new_password, name="forgot_password_new"),
]
