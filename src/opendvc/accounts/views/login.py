"""Sign-in pages: ID number + password + captcha, then the OTP (resend, another phone, lost phone)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opendvc.accounts.errors import FlowExpired
from opendvc.accounts.flows import flow_data, get_flow
from opendvc.accounts.forms import ChoosePhoneForm, LoginForm, NewPhoneForm, OtpForm
from opendvc.accounts.middleware import SESSION_EXPIRED
from opendvc.accounts.models import AccessMethod, FlowPurpose
from opendvc.accounts.services import login as login_service
from opendvc.accounts.services import recovery
from opendvc.accounts.services.access import sign_in, sign_out
from opendvc.accounts.views.common import drop_flow, flow_token, keep_flow, refused, safe_next
from opendvc.core.errors import DomainError
from opendvc.core.personal_data import mask_phone

FLOW = "login"
NEXT = "opendvc_login_next"


@require_http_methods(["GET", "POST"])
def password_step(request):
    form = LoginForm(request.POST or None)
    context = {"next": safe_next(request, ""), "session_expired": request.session.pop(SESSION_EXPIRED, False)}
    if request.method == "POST" and form.is_valid():
        try:
            flow, token = login_service.start_password_login(
                request, id_number=form.cleaned_data["id_number"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            return refused(
                request, "accounts/login.html", context, LoginForm(_without_secrets(request.POST)), exc
            )
        keep_flow(request, FLOW, token)
        request.session[NEXT] = context["next"]
        return redirect("accounts:login_authenticator" if flow.step == "totp" else "accounts:login_otp")
    if request.method == "POST":
        form = _rebound_without_secrets(request, form)
    return render(
        request, "accounts/login.html", context | {"form": form}, status=400 if form.errors else 200
    )


def _without_secrets(post):
    """The password and the used-up captcha are never sent back to the browser."""
    data = post.copy()
    for name in ("password", "captcha_0", "captcha_1"):
        data.pop(name, None)
    return data


def _rebound_without_secrets(request, form):
    fresh = LoginForm(_without_secrets(request.POST))
    fresh._errors = form.errors
    return fresh


def _otp_context(token):
    phones, current = login_service.login_phones(token)
    phone = next((p for p in phones if p.pk == current), None)
    links = []
    if len(phones) > 1:
        links.append(
            {"url": reverse("accounts:login_choose_phone"), "label": _("Chọn phương thức xác thực khác")}
        )
    links.append({"url": reverse("accounts:lost_phone"), "label": _("Mất số điện thoại nhận OTP")})
    return {"title": _("Nhập mã OTP"), "phone": phone.masked if phone else "", "other_links": links}


def _finish(request, account, method):
    drop_flow(request, FLOW)
    target = request.session.pop(NEXT, "") or reverse("accounts:profile")
    sign_in(request, account, method)
    return redirect(target)


@require_http_methods(["GET", "POST"])
def otp_step(request):
    token = flow_token(request, FLOW)
    try:
        context = _otp_context(token)
    except DomainError:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resend":
                login_service.send_login_code(request, token)
                messages.success(request, _("Đã gửi lại mã OTP."))
                return redirect("accounts:login_otp")
            if form.is_valid():
                account = login_service.finish_otp_login(request, token, form.cleaned_data["code"])
                return _finish(request, account, AccessMethod.PASSWORD_OTP)
        except DomainError as exc:
            return refused(
                request, "accounts/otp.html", context, form, exc, restart_url=reverse("accounts:login")
            )
    return render(request, "accounts/otp.html", context | {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def authenticator_step(request):
    """A citizen's second factor from an authenticator app, instead of the SMS code."""
    from opendvc.accounts.forms_staff import TotpForm
    from opendvc.accounts.services import officials

    token = flow_token(request, FLOW)
    try:
        flow = get_flow(token, FlowPurpose.LOGIN, step=("otp", "totp"))
        if flow.step == "otp":
            login_service.use_authenticator(token)
    except DomainError:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    context = {
        "title": _("Nhập mã từ ứng dụng xác thực"),
        "intro": _(
            "Mở ứng dụng xác thực trên điện thoại và nhập mã 6 chữ số đang hiển thị cho Cổng Dịch vụ công."
        ),
        "submit_label": _("Xác nhận"),
        "back_url": reverse("accounts:login"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            account = officials.verify_totp(request, token, form.cleaned_data["code"])
        except FlowExpired:
            return redirect("accounts:login")
        except DomainError as exc:
            return refused(request, "accounts/simple_form.html", context, form, exc)
        return _finish(request, account, AccessMethod.PASSWORD_TOTP)
    return render(
        request, "accounts/simple_form.html", context | {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def choose_phone(request):
    token = flow_token(request, FLOW)
    try:
        phones, current = login_service.login_phones(token)
    except DomainError:
        return redirect("accounts:login")
    form = ChoosePhoneForm(request.POST or None, phones=phones, initial={"phone_id": current})
    if request.method == "POST" and form.is_valid():
        try:
            phone = login_service.send_login_code(request, token, phone_id=form.cleaned_data["phone_id"])
        except DomainError as exc:
            return refused(
                request, "accounts/choose_phone.html", {}, form, exc, restart_url=reverse("accounts:login")
            )
        messages.success(request, _("Đã gửi mã OTP đến số %(phone)s.") % {"phone": phone.masked})
        return redirect("accounts:login_otp")
    return render(request, "accounts/choose_phone.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def lost_phone(request):
    """Seed 000 §II.2.2, steps 2–3: enter the new number that will receive OTPs."""
    token = flow_token(request, FLOW)
    try:
        # After the password step; also when coming back to give another number.
        get_flow(token, FlowPurpose.LOGIN, step=("otp", "new_phone"))
    except DomainError:
        messages.info(
            request,
            _("Hãy đăng nhập bằng số định danh và mật khẩu trước, rồi chọn “Mất số điện thoại nhận OTP”."),
        )
        return redirect("accounts:login")
    form = NewPhoneForm(request.POST or None)
    context = {
        "title": _("Mất số điện thoại nhận OTP"),
        "intro": _(
            "Nhập số điện thoại mới để nhận OTP. Hệ thống gửi mã OTP đến số mới và đối chiếu thông "
            "tin định danh "
            "của tài khoản với thông tin thuê bao của nhà mạng."
        ),
        "submit_label": _("Đăng ký"),
        "back_url": reverse("accounts:login_otp"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            recovery.start_otp_phone_change(request, token, new_phone=form.cleaned_data["new_phone"])
        except DomainError as exc:
            return refused(
                request,
                "accounts/simple_form.html",
                context,
                form,
                exc,
                restart_url=reverse("accounts:login"),
            )
        return redirect("accounts:lost_phone_otp")
    return render(
        request, "accounts/simple_form.html", context | {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def lost_phone_otp(request):
    token = flow_token(request, FLOW)
    try:
        flow = get_flow(token, FlowPurpose.LOGIN, step="new_phone")
    except DomainError:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    context = {"title": _("Xác nhận số điện thoại mới"), "phone": mask_phone(flow_data(flow)["new_phone"])}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resend":
                recovery.resend_otp_phone_change_code(request, token)
                messages.success(request, _("Đã gửi lại mã OTP."))
                return redirect("accounts:lost_phone_otp")
            if form.is_valid():
                account = recovery.confirm_otp_phone_change(request, token, form.cleaned_data["code"])
                messages.success(
                    request, _("Đã đổi số điện thoại nhận OTP. Từ nay mã OTP đăng nhập được gửi đến số mới.")
                )
                return _finish(request, account, AccessMethod.PASSWORD_OTP)
        except FlowExpired:
            return redirect("accounts:login")
        except DomainError as exc:
            if exc.code == "subscriber_mismatch":
                return render(
                    request,
                    "accounts/message.html",
                    {
                        "title": _("Không đổi được số điện thoại nhận OTP"),
                        "text": exc.message,
                        "tone": "error",
                        "links": [
                            {"url": reverse("accounts:lost_phone"), "label": _("Nhập số điện thoại khác")},
                            {"url": reverse("catalog:agencies"), "label": _("Tìm quầy giao dịch gần bạn")},
                        ],
                    },
                    status=400,
                )
            return refused(request, "accounts/otp.html", context, form, exc)
    return render(request, "accounts/otp.html", context | {"form": form}, status=400 if form.errors else 200)


@require_POST
def logout(request):
    staff = getattr(request.user, "kind", None) in ("official", "admin")
    sign_out(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("accounts:official_login" if staff else "accounts:login")


urlpatterns = [
    path("dang-nhap/", password_step, name="login"),
    path("dang-nhap/otp/", otp_step, name="login_otp"),
    path("dang-nhap/chon-so-dien-thoai/", choose_phone, name="login_choose_phone"),
    path("dang-nhap/ung-dung-xac-thuc/", authenticator_step, name="login_authenticator"),
    path("dang-nhap/mat-so-dien-thoai/", lost_phone, name="lost_phone"),
    path("dang-nhap/mat-so-dien-thoai/otp/", lost_phone_otp, name="lost_phone_otp"),
    path("dang-xuat/", logout, name="logout"),
]
