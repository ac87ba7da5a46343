"""Registration pages: choose a method; mobile subscriber; social-insurance number; OTP; password."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opendvc.accounts.errors import FlowExpired
from opendvc.accounts.forms import (
    MobileRegistrationForm,
    NewPasswordForm,
    OtpForm,
    SocialInsuranceRegistrationForm,
)
from opendvc.accounts.models import AccessMethod
from opendvc.accounts.services import registration
from opendvc.accounts.services.access import sign_in
from opendvc.accounts.views.common import drop_flow, flow_token, keep_flow, refused
from opendvc.core.errors import DomainError
from opendvc.core.personal_data import mask_phone

FLOW = "register"


def choice(request):
    return render(request, "accounts/register_choice.html")


def _registration_form(request, *, form_class, title, intro, start):
    form = form_class(request.POST or None)
    context = {"title": title, "intro": intro}
    if request.method == "POST" and form.is_valid():
        try:
            _flow, token = start(request, **form.cleaned_data)
        except DomainError as exc:
            return refused(request, "accounts/register_form.html", context, form, exc)
        keep_flow(request, FLOW, token)
        return redirect("accounts:register_otp")
    return render(
        request, "accounts/register_form.html", context | {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def mobile(request):
    return _registration_form(
        request,
        form_class=MobileRegistrationForm,
        title=_("Đăng ký bằng thuê bao di động"),
        intro=_(
            "Dành cho công dân. Thông tin được đối chiếu với Cơ sở dữ liệu quốc gia về dân cư và "
            "với nhà mạng: "
            "số điện thoại phải là thuê bao đăng ký chính chủ."
        ),
        start=registration.start_mobile_registration,
    )


@require_http_methods(["GET", "POST"])
def social_insurance(request):
    return _registration_form(
        request,
        form_class=SocialInsuranceRegistrationForm,
        title=_("Đăng ký bằng mã số BHXH"),
        intro=_("Dành cho công dân đã có mã số bảo hiểm xã hội và số điện thoại đăng ký với cơ quan BHXH."),
        start=registration.start_social_insurance_registration,
    )


@require_http_methods(["GET", "POST"])
def otp(request):
    token = flow_token(request, FLOW)
    try:
        summary = registration.registration_summary(token)
    except FlowExpired:
        messages.warning(request, _("Phiên đăng ký đã hết hạn. Vui lòng nhập lại thông tin."))
        return redirect("accounts:register")
    if summary["step"] == "password":
        return redirect("accounts:register_password")
    form = OtpForm(request.POST or None)
    context = {"title": _("Xác nhận số điện thoại"), "phone": mask_phone(summary["phone"])}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resend":
                registration.resend_registration_code(request, token)
                messages.success(request, _("Đã gửi lại mã OTP."))
                return redirect("accounts:register_otp")
            if form.is_valid():
                registration.confirm_registration_code(token, form.cleaned_data["code"])
                return redirect("accounts:register_password")
        except DomainError as exc:
            return refused(
                request, "accounts/otp.html", context, form, exc, restart_url=reverse("accounts:register")
            )
    return render(request, "accounts/otp.html", context | {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password(request):
    token = flow_token(request, FLOW)
    try:
        summary = registration.registration_summary(token)
    except FlowExpired:
        return redirect("accounts:register")
    if summary["step"] != "password":
        return redirect("accounts:register_otp")
    form = NewPasswordForm(request.POST or None)
    context = {
        "title": _("Đặt mật khẩu"),
        "intro": _("Xin chào %(name)s. Đặt mật khẩu để hoàn tất đăng ký tài khoản.")
        % {"name": summary["full_name"]},
        "submit_label": _("Đăng ký"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            account = registration.complete_registration(request, token, **form.cleaned_data)
        except DomainError as exc:
            return refused(request, "accounts/simple_form.html", context, form, exc)
        drop_flow(request, FLOW)
        sign_in(request, account, AccessMethod.PASSWORD_OTP)
        messages.success(request, _("Đăng ký tài khoản thành công. Tài khoản của bạn có mức xác minh 2."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/simple_form.html", context | {"form": form}, status=400 if form.errors else 200
    )


urlpatterns = [
    path("dang-ky/", choice, name="register"),
    path("dang-ky/thue-bao-di-dong/", mobile, name="register_mobile"),
    path("dang-ky/bao-hiem-xa-hoi/", social_insurance, name="register_social_insurance"),
    path("dang-ky/xac-nhan-otp/", otp, name="register_otp"),
    path("dang-ky/mat-khau/", password, name="register_password"),
]
