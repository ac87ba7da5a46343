"""Officials' pages: sign-in (username + password + captcha → authenticator code, or a recovery code;
enrolment of the authenticator at the first sign-in), the officials' home, new recovery codes, and the
agency admin's list of officials with "reset the authenticator".

Citizens are refused these pages with a 403 page that says why; anonymous visitors go to the officials'
sign-in page.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from opendvc.accounts import totp
from opendvc.accounts.errors import FlowExpired, Forbidden
from opendvc.accounts.forms import OfficialLoginForm, PortalForm
from opendvc.accounts.forms_staff import RecoveryCodeForm, TotpForm
from opendvc.accounts.models import AccessMethod, Account, AccountKind, OfficialRole
from opendvc.accounts.services import login as login_service
from opendvc.accounts.services import officials
from opendvc.accounts.services.access import sign_in
from opendvc.accounts.views.common import drop_flow, flow_token, keep_flow, refused, safe_next
from opendvc.core.errors import DomainError

FLOW = "official"
NEXT = "opendvc_official_next"
STAFF_KINDS = (AccountKind.OFFICIAL, AccountKind.ADMIN)


# --- Shared by the officials' and Vietnam Post pages -------------------------------------------------------


def forbidden(request, message: str):
    return render(request, "accounts/official_forbidden.html", {"text": message}, status=403)


def official_required(view):
    """Signed in as an official or admin; a citizen or business gets a 403 page that says why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:official_login"))
        if request.user.kind not in STAFF_KINDS:
            return forbidden(
                request,
                _(
                    "Trang này dành cho cán bộ, công chức và nhân viên Bưu điện Việt Nam. Tài khoản bạn đang "
                    "đăng nhập là tài khoản %(kind)s nên không dùng được trang này."
                )
                % {"kind": request.user.get_kind_display().lower()},
            )
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            return forbidden(request, exc.message)

    return wrapper


def rebound(form_class, request, *, secrets=(), errors=None):
    """The form again with what was typed, minus secrets (password, captcha, codes), and with `errors`
    — ready for the service's errors to be added without validating it again."""
    data = request.POST.copy()
    for name in secrets:
        data.pop(name, None)
    form = form_class(data)
    form._errors = errors if errors is not None else ErrorDict()
    form.cleaned_data = {}
    return form


def _status(form) -> int:
    return 400 if form.errors else 200


# --- Sign-in -------------------------------------------------------------------------------------------


LOGIN_SECRETS = ("password", "captcha_0", "captcha_1")


@require_http_methods(["GET", "POST"])
def login(request):
    if request.user.is_authenticated and request.user.kind in STAFF_KINDS and request.method == "GET":
        return redirect(safe_next(request, reverse("accounts:official_home")))
    form = OfficialLoginForm(request.POST or None)
    context = {"next": safe_next(request, "")}
    if request.method == "POST" and form.is_valid():
        try:
            flow, token = login_service.start_password_login(
                request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            fresh = rebound(OfficialLoginForm, request, secrets=LOGIN_SECRETS)
            return refused(request, "accounts/official_login.html", context, fresh, exc)
        keep_flow(request, FLOW, token)
        request.session[NEXT] = context["next"]
        return redirect(_step_url(flow.step))
    if request.method == "POST":
        form = rebound(OfficialLoginForm, request, secrets=LOGIN_SECRETS, errors=form.errors)
    return render(request, "accounts/official_login.html", context | {"form": form}, status=_status(form))


def _step_url(step: str) -> str:
    return reverse(
        {
            officials.STEP_TOTP: "accounts:official_second_factor",
            officials.STEP_ENROLL: "accounts:official_enroll",
            officials.STEP_RECOVERY_CODES: "accounts:official_recovery_codes",
        }[step]
    )


def _current_step(request) -> str | None:
    try:
        return officials.second_factor_step(flow_token(request, FLOW))
    except DomainError:
        return None


def _restart(request, message: str | None = None):
    drop_flow(request, FLOW)
    messages.warning(request, message or _("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."))
    return redirect("accounts:official_login")


def _signed_in(request, account: Account, method: str):
    drop_flow(request, FLOW)
    target = request.session.pop(NEXT, "") or reverse("accounts:official_home")
    sign_in(request, account, method)
    return redirect(target)


def _second_factor_page(request, *, form_class, template, verify, method):
    step = _current_step(request)
    if step is None:
        return _restart(request)
    if step != officials.STEP_TOTP:
        return redirect(_step_url(step))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = verify(request, flow_token(request, FLOW), form.cleaned_data["code"])
        except FlowExpired:
            return _restart(request)
        except DomainError as exc:
            if exc.code == "totp_attempts_exceeded":
                return _restart(request, exc.message)
            return refused(request, template, {}, rebound(form_class, request, secrets=("code",)), exc)
        return _after_second_factor(request, account, method)
    return render(request, template, {"form": form}, status=_status(form))


def _after_second_factor(request, account, method):
    if method == AccessMethod.RECOVERY_CODE:
        left = officials.recovery_codes_left(account)
        if left < officials.RECOVERY_CODES_LOW:
            messages.warning(
                request,
                _(
                    "Bạn chỉ còn %(n)d mã khôi phục chưa dùng. Hãy tạo bộ mã khôi phục mới; nếu bạn mất "
                    "ứng dụng xác thực, hãy đề nghị quản trị cơ quan đặt lại để thiết lập ứng dụng mới."
                )
                % {"n": left},
            )
    return _signed_in(request, account, method)


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request):
    return _second_factor_page(
        request,
        form_class=TotpForm,
        template="accounts/official_second_factor.html",
        verify=officials.verify_totp,
        method=AccessMethod.PASSWORD_TOTP,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_login(request):
    return _second_factor_page(
        request,
        form_class=RecoveryCodeForm,
        template="accounts/official_recovery_login.html",
        verify=officials.verify_recovery_code,
        method=AccessMethod.RECOVERY_CODE,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def enroll(request):
    step = _current_step(request)
    if step is None:
        return _restart(request)
    if step != officials.STEP_ENROLL:
        return redirect(_step_url(step))
    token = flow_token(request, FLOW)
    setup = officials.enrollment(token)
    context = {"setup": setup, "qr": totp.qr_svg(setup.provisioning_uri), "issuer": totp.ISSUER}
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            officials.confirm_enrollment(request, token, form.cleaned_data["code"])
        except FlowExpired:
            return _restart(request)
        except DomainError as exc:
            if exc.code == "totp_attempts_exceeded":
                return _restart(request, exc.message)
            fresh = rebound(TotpForm, request, secrets=("code",))
            return refused(request, "accounts/official_enroll.html", context, fresh, exc)
        return redirect("accounts:official_recovery_codes")
    return render(request, "accounts/official_enroll.html", context | {"form": form}, status=_status(form))


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """Shown once, right after enrolment: the official saves or prints them, then continues."""
    step = _current_step(request)
    if step is None:
        return _restart(request)
    if step != officials.STEP_RECOVERY_CODES:
        return redirect(_step_url(step))
    token = flow_token(request, FLOW)
    if request.method == "POST":
        try:
            account = officials.finish_enrollment(request, token)
        except DomainError:
            return _restart(request)
        messages.success(
            request,
            _("Đã thiết lập ứng dụng xác thực. Từ nay bạn đăng nhập bằng mật khẩu và mã trên ứng dụng."),
        )
        return _signed_in(request, account, AccessMethod.PASSWORD_TOTP)
    context = {"codes": officials.pending_recovery_codes(token), "continue_form": True}
    return render(request, "accounts/official_recovery_codes.html", context)


# --- Signed-in officials ---------------------------------------------------------------------------------


def _role_links(account: Account) -> list[dict]:
    links = []
    if account.is_official and account.agency_id:
        # By URL name only: accounts does not import the dossiers app.
        links.append({"url": reverse("dossiers:inbox"), "label": _("Hồ sơ của cơ quan (bộ phận một cửa)")})
        if account.has_role(OfficialRole.DESK_CLERK):
            links.append(
                {
                    "url": reverse("dossiers:register"),
                    "label": _("Tiếp nhận hồ sơ nộp trực tiếp, qua bưu chính"),
                }
            )
        links.append({"url": reverse("feedback:inbox"), "label": _("Phản ánh, kiến nghị gửi cơ quan")})
        links.append(
            {"url": reverse("payments:backoffice"), "label": _("Thanh toán phí, lệ phí của cơ quan")}
        )
    if account.has_role(OfficialRole.POST_CLERK):
        links.append(
            {
                "url": reverse("accounts:post_register"),
                "label": _("Đăng ký tài khoản cho công dân tại Bưu điện"),
            }
        )
    if account.has_role(OfficialRole.AGENCY_ADMIN):
        links.append(
            {
                "url": reverse("accounts:official_agency_staff"),
                "label": _("Cán bộ của cơ quan và ứng dụng xác thực"),
            }
        )
    if account.is_staff:
        links.append({"url": reverse("admin:index"), "label": _("Trang quản trị hệ thống")})
    return links


@official_required
def home(request):
    account = request.user
    roles = [OfficialRole(role).label for role in account.roles or [] if role in OfficialRole.values]
    context = {
        "account": account,
        "roles": roles,
        "links": _role_links(account),
        "recovery_left": officials.recovery_codes_left(account),
        "has_authenticator": officials.has_authenticator(account),
    }
    return render(request, "accounts/official_home.html", context)


@never_cache
@official_required
@require_http_methods(["GET", "POST"])
def regenerate_codes(request):
    form = TotpForm(request.POST or None)
    context = {
        "title": _("Tạo bộ mã khôi phục mới"),
        "intro": _(
            "Các mã khôi phục cũ sẽ không dùng được nữa. Nhập mã đang hiện trên ứng dụng xác thực để xác "
            "nhận."
        ),
        "submit_label": _("Tạo mã mới"),
        "back_url": reverse("accounts:official_home"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            codes = officials.regenerate_recovery_codes(request, request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            fresh = rebound(TotpForm, request, secrets=("code",))
            return refused(request, "accounts/simple_form.html", context, fresh, exc)
        # Rendered in the response itself, never stored: the codes are shown this once.
        return render(
            request, "accounts/official_recovery_codes.html", {"codes": codes, "continue_form": False}
        )
    return render(request, "accounts/simple_form.html", context | {"form": form}, status=_status(form))


@official_required
def agency_staff(request):
    people = officials.agency_officials(request.user)
    return render(
        request,
        "accounts/official_agency_staff.html",
        {"people": people, "agency": request.user.agency, "me": request.user.pk},
    )


@official_required
@require_http_methods(["GET", "POST"])
def reset_authenticator(request, account_id: int):
    official = Account.objects.filter(pk=account_id, kind__in=STAFF_KINDS).first()
    if official is None or not officials.can_manage_official(request.user, official):
        return forbidden(request, _("Bạn không có quyền đặt lại ứng dụng xác thực của tài khoản này."))
    context = {
        "title": _("Đặt lại ứng dụng xác thực"),
        "intro": _(
            "Ứng dụng xác thực và các mã khôi phục của %(name)s (%(username)s) sẽ bị xóa, mọi phiên đăng "
            "nhập của người này kết thúc. Lần đăng nhập sau, người này phải thiết lập lại ứng dụng xác thực."
        )
        % {"name": official.full_name, "username": official.username},
        "submit_label": _("Đặt lại"),
        "back_url": reverse("accounts:official_agency_staff"),
        "form": PortalForm(),
    }
    if request.method == "POST":
        officials.reset_authenticator(request.user, official, request=request)
        messages.success(
            request, _("Đã đặt lại ứng dụng xác thực của %(name)s.") % {"name": official.full_name}
        )
        if request.user.has_role(OfficialRole.AGENCY_ADMIN):
            return redirect("accounts:official_agency_staff")
        return redirect("accounts:official_home")
    return render(request, "accounts/simple_form.html", context)


urlpatterns = [
    path("can-bo/", home, name="official_home"),
    path("can-bo/dang-nhap/", login, name="official_login"),
    path("can-bo/xac-thuc/", second_factor, name="official_second_factor"),
    path("can-bo/xac-thuc/ma-khoi-phuc/", recovery_login, name="official_recovery_login"),
    path("can-bo/thiet-lap-xac-thuc/", enroll, name="official_enroll"),
    path("can-bo/ma-khoi-phuc/", recovery_codes, name="official_recovery_codes"),
    path("can-bo/ma-khoi-phuc/tao-moi/", regenerate_codes, name="official_regenerate_codes"),
    path("can-bo/co-quan/", agency_staff, name="official_agency_staff"),
    path(
        "can-bo/co-quan/<int:account_id>/dat-lai-xac-thuc/",
        reset_authenticator,
        name="official_reset_authenticator",
    ),
]
