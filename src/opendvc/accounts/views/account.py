"""Account management pages (seed 000 §III; issue 3 §5): identity information, personal information,
authentication methods (phones, certificates, authenticator app) with re-authentication, the access
history, and "sign out everywhere". The rules live in services.account; these views parse, call, render.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opendvc.accounts import selectors
from opendvc.accounts import totp as authenticator
from opendvc.accounts.errors import ReauthenticationRequired
from opendvc.accounts.forms import OtpForm
from opendvc.accounts.forms_account import (
    AddPhoneForm,
    PersonalInfoForm,
    ReauthenticatePasswordForm,
    TotpCodeForm,
)
from opendvc.accounts.models import AccountKind
from opendvc.accounts.services import account as account_service
from opendvc.accounts.services.access import sign_out_everywhere as end_every_session
from opendvc.accounts.views.common import drop_flow, flow_token, keep_flow, refused, safe_next
from opendvc.core.errors import DomainError, NotFound

ADD_PHONE_FLOW = "add_phone"
DEFAULT_PHONE_FLOW = "default_phone"
REAUTH_FLOW = "reauthenticate"


def _to_reauthentication(request):
    # After a POST the person comes back to the page that showed the form (the same URL, read with GET).
    back = request.get_full_path() if request.method == "GET" else request.path
    return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': back})}")


def reauthentication_required(view):
    """Signed in and re-authenticated in the last 5 minutes; else to /tai-khoan/xac-thuc-lai/ and back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if account_service.reauthentication_needed(request):
            return _to_reauthentication(request)
        try:
            return view(request, *args, **kwargs)
        except ReauthenticationRequired:
            return _to_reauthentication(request)

    return login_required(wrapper)


def _status(form) -> int:
    return 400 if form.errors else 200


def _refuse(request, template, context, form, exc, *, restart_url=None):
    """Like views.common.refused, also for a form that was not submitted (a button without fields)."""
    if form is not None and form.is_bound:
        return refused(request, template, context, form, exc, restart_url=restart_url)
    if exc.code == "flow_expired" and restart_url:
        return redirect(restart_url)
    status = exc.status if exc.status in (429, 503) else 400
    return render(request, template, context | {"form": form, "problem": exc.message}, status=status)


# --- Identity and personal information ------------------------------------------------------------------


@login_required
def profile(request):
    info = selectors.identity_information(request.user)
    return render(request, "accounts/profile.html", {"nav": "profile", "info": info, "account": request.user})


def _locked_fields(account):
    """The identity fields people cannot change here, and why."""
    if account.kind == AccountKind.CITIZEN:
        reason = _(
            "Các thông tin này lấy từ Cơ sở dữ liệu quốc gia về dân cư nên không sửa được trên Cổng. Nếu có "
            "sai sót, hãy đề nghị điều chỉnh tại cơ quan công an nơi bạn cư trú; tài khoản sẽ được cập nhật "
            "theo."
        )
    elif account.kind == AccountKind.BUSINESS:
        reason = _(
            "Các thông tin này lấy từ chứng thư số và Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp nên "
            "không sửa được trên Cổng."
        )
    else:
        reason = _("Các thông tin này do quản trị của cơ quan cấp; hãy liên hệ quản trị để điều chỉnh.")
    fields = [(_("Họ và tên"), account.full_name)]
    if account.id_number:
        fields.append((_("Số định danh cá nhân"), account.masked_id_number))
    if account.date_of_birth:
        fields.append((_("Ngày sinh"), account.date_of_birth.strftime("%d/%m/%Y")))
    if account.gender:
        fields.append((_("Giới tính"), account.get_gender_display()))
    if account.tax_code:
        fields.append((_("Mã số thuế"), account.tax_code))
    return {"locked_fields": fields, "locked_reason": reason}


@login_required
@require_http_methods(["GET", "POST"])
def personal_info(request):
    account = request.user
    form = PersonalInfoForm(
        request.POST or None, initial={"address": account.address, "email": account.email}
    )
    context = {"nav": "personal", **_locked_fields(account)}
    if request.method == "POST" and form.is_valid():
        try:
            account_service.update_personal_info(request, account, **form.cleaned_data)
        except DomainError as exc:
            return refused(request, "accounts/account_personal.html", context, form, exc)
        messages.success(request, _("Đã lưu thông tin cá nhân."))
        return redirect("accounts:personal_info")
    return render(request, "accounts/account_personal.html", context | {"form": form}, status=_status(form))


# --- Authentication methods -----------------------------------------------------------------------------


@login_required
def authentication_methods(request):
    methods = selectors.authentication_methods(request.user)
    return render(request, "accounts/account_methods.html", {"nav": "methods", "methods": methods})


def _start_phone(request, *, make_default: bool, template: str, context: dict):
    form = AddPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _flow, token = account_service.start_add_phone(
                request, request.user, phone=form.cleaned_data["phone"], make_default=make_default
            )
        except ReauthenticationRequired:
            raise
        except DomainError as exc:
            return refused(request, template, context, form, exc)
        keep_flow(request, ADD_PHONE_FLOW, token)
        return redirect("accounts:add_phone_otp")
    return render(request, template, context | {"form": form}, status=_status(form))


@reauthentication_required
@require_http_methods(["GET", "POST"])
def add_phone(request):
    context = {
        "nav": "methods",
        "title": _("Thêm số điện thoại"),
        "intro": _(
            "Số điện thoại thêm vào có thể nhận mã OTP khi bạn đăng nhập (“Chọn phương thức xác thực khác”)."
        ),
        "submit_label": _("Gửi mã OTP"),
        "back_url": reverse("accounts:authentication_methods"),
    }
    return _start_phone(request, make_default=False, template="accounts/account_form.html", context=context)


@reauthentication_required
@require_http_methods(["GET", "POST"])
def change_otp_phone(request):
    """“Đổi số điện thoại nhận OTP”: one of the account's other phones, or a new number."""
    methods = selectors.authentication_methods(request.user)
    context = {
        "nav": "methods",
        "others": [phone for phone in methods.phones if not phone.is_default],
        "current": methods.otp_phone,
    }
    return _start_phone(
        request, make_default=True, template="accounts/account_change_otp_phone.html", context=context
    )


def _phone_otp_page(request, *, flow_name, title, masked, resend, confirm, done):
    """The OTP step of adding a phone or changing the OTP phone: confirm, or "Gửi lại OTP"."""
    methods_url = reverse("accounts:authentication_methods")
    form = OtpForm(request.POST if request.POST.get("action") != "resend" else None)
    context = {"nav": "methods", "title": title, "phone": masked, "back_url": methods_url}
    if request.method == "POST":
        token = flow_token(request, flow_name)
        try:
            if request.POST.get("action") == "resend":
                resend(token)
                messages.success(request, _("Đã gửi lại mã OTP."))
                return redirect(request.path)
            if form.is_valid():
                phone = confirm(token, form.cleaned_data["code"])
                drop_flow(request, flow_name)
                return done(phone)
        except DomainError as exc:
            return _refuse(request, "accounts/account_otp.html", context, form, exc, restart_url=methods_url)
    return render(request, "accounts/account_otp.html", context | {"form": form}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def add_phone_otp(request):
    account = request.user
    try:
        pending = account_service.pending_phone(account, token=flow_token(request, ADD_PHONE_FLOW))
    except DomainError:
        messages.warning(request, _("Yêu cầu thêm số điện thoại đã hết hạn. Vui lòng thực hiện lại."))
        return redirect("accounts:authentication_methods")

    def done(phone):
        if phone.is_default:
            messages.success(
                request, _("Đã đổi số điện thoại nhận OTP sang %(phone)s.") % {"phone": phone.masked}
            )
            return redirect("accounts:profile")
        messages.success(
            request, _("Đã thêm số điện thoại %(phone)s vào tài khoản.") % {"phone": phone.masked}
        )
        return redirect("accounts:authentication_methods")

    return _phone_otp_page(
        request,
        flow_name=ADD_PHONE_FLOW,
        title=_("Xác nhận số điện thoại mới"),
        masked=pending["masked"],
        resend=lambda token: account_service.resend_add_phone_code(request, account, token=token),
        confirm=lambda token, code: account_service.confirm_add_phone(
            request, account, token=token, code=code
        ),
        done=done,
    )


def _phone_or_404(account, phone_id):
    phone = selectors.account_phone(account, phone_id)
    if phone is None:
        raise Http404
    return phone


@reauthentication_required
@require_http_methods(["GET", "POST"])
def make_default_phone(request, phone_id):
    phone = _phone_or_404(request.user, phone_id)
    context = {
        "nav": "methods",
        "title": _("Dùng số %(phone)s để nhận OTP") % {"phone": phone.masked},
        "text": _(
            "Mã OTP đăng nhập sẽ được gửi đến số %(phone)s thay cho số hiện tại. Để xác nhận bạn đang giữ số "
            "này, hệ thống gửi một mã OTP đến số đó."
        )
        % {"phone": phone.masked},
        "button_label": _("Gửi mã OTP"),
        "back_url": reverse("accounts:authentication_methods"),
    }
    if request.method == "POST":
        try:
            _flow, token, _phone = account_service.start_set_default_phone(
                request, request.user, phone_id=phone.pk
            )
        except ReauthenticationRequired:
            raise
        except DomainError as exc:
            return render(
                request, "accounts/account_confirm.html", context | {"problem": exc.message}, status=400
            )
        keep_flow(request, DEFAULT_PHONE_FLOW, token)
        return redirect("accounts:default_phone_otp")
    return render(request, "accounts/account_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def default_phone_otp(request):
    account = request.user
    try:
        phone = account_service.pending_default_phone(account, token=flow_token(request, DEFAULT_PHONE_FLOW))
    except DomainError:
        messages.warning(request, _("Yêu cầu đổi số điện thoại nhận OTP đã hết hạn. Vui lòng thực hiện lại."))
        return redirect("accounts:authentication_methods")

    def done(phone):
        messages.success(
            request, _("Đã đổi số điện thoại nhận OTP sang %(phone)s.") % {"phone": phone.masked}
        )
        return redirect("accounts:profile")

    return _phone_otp_page(
        request,
        flow_name=DEFAULT_PHONE_FLOW,
        title=_("Xác nhận số điện thoại nhận OTP"),
        masked=phone.masked,
        resend=lambda token: account_service.resend_set_default_phone_code(request, account, token=token),
        confirm=lambda token, code: account_service.set_default_phone(
            request, account, token=token, code=code
        ),
        done=done,
    )


def _removal_page(request, *, method, context, remove, done_message):
    """GET: what removing means, or why it is not possible now. POST: remove, back to the methods."""
    refusal = account_service.removal_refusal(request.user, method)
    context = {
        "nav": "methods",
        "back_url": reverse("accounts:authentication_methods"),
        "button_label": _("Xóa"),
        "button_class": "button-warning",
        **context,
    }
    if refusal is not None and refusal.code == "choose_new_default_first":
        context["links"] = [
            {"url": reverse("accounts:change_otp_phone"), "label": _("Đổi số điện thoại nhận OTP")}
        ]
    if request.method == "POST":
        try:
            remove()
        except ReauthenticationRequired:
            raise
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            return render(
                request, "accounts/account_confirm.html", context | {"problem": exc.message}, status=400
            )
        messages.success(request, done_message)
        return redirect("accounts:authentication_methods")
    return render(
        request, "accounts/account_confirm.html", context | {"problem": refusal.message if refusal else ""}
    )


@reauthentication_required
@require_http_methods(["GET", "POST"])
def remove_phone(request, phone_id):
    phone = _phone_or_404(request.user, phone_id)
    return _removal_page(
        request,
        method=phone,
        context={
            "title": _("Xóa số điện thoại %(phone)s") % {"phone": phone.masked},
            "text": _("Số này sẽ không nhận mã OTP của tài khoản nữa."),
        },
        remove=lambda: account_service.remove_phone(request, request.user, phone_id=phone.pk),
        done_message=_("Đã xóa số điện thoại %(phone)s.") % {"phone": phone.masked},
    )


@reauthentication_required
@require_http_methods(["GET", "POST"])
def remove_certificate(request, certificate_id):
    row = selectors.account_certificate(request.user, certificate_id)
    if row is None:
        raise Http404
    certificate = row.certificate
    return _removal_page(
        request,
        method=certificate,
        context={
            "title": _("Xóa chứng thư số %(name)s") % {"name": row.common_name},
            "text": _(
                "%(kind)s số hiệu %(serial)s do %(issuer)s cấp sẽ không đăng nhập được vào tài khoản này nữa."
            )
            % {
                "kind": certificate.get_kind_display(),
                "serial": certificate.serial_number,
                "issuer": row.issuer_name,
            },
        },
        remove=lambda: account_service.remove_certificate(
            request, request.user, certificate_id=certificate.pk
        ),
        done_message=_("Đã xóa chứng thư số."),
    )


@reauthentication_required
@require_http_methods(["GET", "POST"])
def totp(request):
    """Add an authenticator app: start (a new secret, shown as QR code and text), then confirm a code."""
    account = request.user
    form = TotpCodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                account_service.start_totp_enrolment(request, account)
                return redirect("accounts:totp")
            if action == "cancel":
                account_service.remove_totp(request, account)
                messages.info(request, _("Đã hủy việc thêm ứng dụng xác thực."))
                return redirect("accounts:authentication_methods")
            if action == "confirm" and form.is_valid():
                account_service.confirm_totp(request, account, code=form.cleaned_data["code"])
                messages.success(request, _("Đã thêm ứng dụng xác thực vào tài khoản."))
                return redirect("accounts:authentication_methods")
        except ReauthenticationRequired:
            raise
        except DomainError as exc:
            return _refuse(request, "accounts/account_totp.html", _totp_context(account), form, exc)
    return render(
        request, "accounts/account_totp.html", _totp_context(account) | {"form": form}, status=_status(form)
    )


def _totp_context(account):
    device = selectors.totp_device(account)
    enrolment = account_service.pending_totp_enrolment(account)
    return {
        "nav": "methods",
        "confirmed": device is not None and device.confirmed_at is not None,
        "enrolment": enrolment,
        "qr": authenticator.qr_svg(enrolment.uri) if enrolment else "",
        "secret_groups": authenticator.grouped(enrolment.secret) if enrolment else "",
    }


@reauthentication_required
@require_http_methods(["GET", "POST"])
def remove_totp(request):
    device = selectors.totp_device(request.user)
    if device is None or device.confirmed_at is None:
        raise Http404
    return _removal_page(
        request,
        method=device,
        context={
            "title": _("Xóa ứng dụng xác thực"),
            "text": _("Mã của ứng dụng xác thực sẽ không dùng được cho tài khoản này nữa."),
        },
        remove=lambda: account_service.remove_totp(request, request.user),
        done_message=_("Đã xóa ứng dụng xác thực."),
    )


# --- Re-authentication ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """Password (or, without one, an OTP to the OTP phone) again before a change of sign-in methods."""
    account = request.user
    target = safe_next(request, reverse("accounts:authentication_methods"))
    uses_password = account_service.reauthentication_uses_password(account)
    otp_phone = account.otp_phone
    context = {
        "nav": "methods",
        "next": target,
        "uses_password": uses_password,
        "phone": otp_phone.masked if otp_phone else "",
        "code_sent": bool(flow_token(request, REAUTH_FLOW)),
    }
    action = request.POST.get("action", "confirm")
    if uses_password:
        form = ReauthenticatePasswordForm(request.POST or None)
    else:
        form = OtpForm(request.POST if action == "confirm" and context["code_sent"] else None)
    if request.method == "POST":
        try:
            if not uses_password and action in ("send", "resend"):
                if action == "resend" and context["code_sent"]:
                    account_service.resend_reauthentication_code(
                        request, account, token=flow_token(request, REAUTH_FLOW)
                    )
                else:
                    _flow, token = account_service.start_reauthentication_code(request, account)
                    keep_flow(request, REAUTH_FLOW, token)
                messages.success(request, _("Đã gửi mã OTP đến số %(phone)s.") % {"phone": context["phone"]})
                return redirect(f"{request.path}?{urlencode({'next': target})}")
            if form.is_bound and form.is_valid():
                if uses_password:
                    account_service.reauthenticate(request, account, password=form.cleaned_data["password"])
                else:
                    account_service.reauthenticate(
                        request,
                        account,
                        code=form.cleaned_data["code"],
                        token=flow_token(request, REAUTH_FLOW),
                    )
                    drop_flow(request, REAUTH_FLOW)
                return redirect(target)
        except DomainError as exc:
            if exc.code == "flow_expired":
                drop_flow(request, REAUTH_FLOW)
                context["code_sent"] = False
                form = OtpForm()
            # A password field never renders what was typed (PasswordInput), so the bound form is safe.
            return _refuse(request, "accounts/account_reauthenticate.html", context, form, exc)
    return render(
        request, "accounts/account_reauthenticate.html", context | {"form": form}, status=_status(form)
    )


# --- Access history and sessions ------------------------------------------------------------------------


@login_required
def access_history(request):
    history = selectors.access_history(request.user, request.GET.get("page") or 1)
    return render(request, "accounts/account_history.html", {"nav": "history", "result": history})


@login_required
@require_POST
def sign_out_everywhere(request):
    end_every_session(request, request.user)
    messages.success(
        request,
        _(
            "Bạn đã đăng xuất khỏi mọi thiết bị. Mọi phiên đăng nhập của tài khoản đã kết thúc; hãy đăng "
            "nhập lại."
        ),
    )
    return redirect("accounts:login")


urlpatterns = [
    path("tai-khoan/", profile, name="profile"),
    path("tai-khoan/thong-tin-ca-nhan/", personal_info, name="personal_info"),
    path("tai-khoan/phuong-thuc-xac-thuc/", authentication_methods, name="authentication_methods"),
    path("tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/", add_phone, name="add_phone"),
    path("tai-khoan/phuong-thuc-xac-thuc/xac-nhan-so-dien-thoai/", add_phone_otp, name="add_phone_otp"),
    path("tai-khoan/doi-so-dien-thoai-nhan-otp/", change_otp_phone, name="change_otp_phone"),
    path("tai-khoan/doi-so-dien-thoai-nhan-otp/xac-nhan/", default_phone_otp, name="default_phone_otp"),
    path(
        "tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/<int:phone_id>/nhan-otp/",
        make_default_phone,
        name="make_default_phone",
    ),
    path(
        "tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/<int:phone_id>/xoa/", remove_phone, name="remove_phone"
    ),
    path(
        "tai-khoan/phuong-thuc-xac-thuc/chung-thu-so/<int:certificate_id>/xoa/",
        remove_certificate,
        name="remove_certificate",
    ),
    path("tai-khoan/phuong-thuc-xac-thuc/ung-dung-xac-thuc/", totp, name="totp"),
    path("tai-khoan/phuong-thuc-xac-thuc/ung-dung-xac-thuc/xoa/", remove_totp, name="remove_totp"),
    path("tai-khoan/xac-thuc-lai/", reauthenticate, name="reauthenticate"),
    path("tai-khoan/lich-su-truy-cap/", access_history, name="access_history"),
    path("tai-khoan/dang-xuat-moi-thiet-bi/", sign_out_everywhere, name="sign_out_everywhere"),
]
