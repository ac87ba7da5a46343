"""Vietnam Post pages: the clerk registers a citizen at the counter (and resends the activation SMS);
the citizen activates the account with the code from the SMS and sets a password."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from opendvc.accounts.errors import Forbidden
from opendvc.accounts.forms_staff import ActivationForm, PostRegistrationForm
from opendvc.accounts.models import OfficialRole
from opendvc.accounts.services import post
from opendvc.accounts.views.common import refused
from opendvc.accounts.views.officials import forbidden, official_required, rebound
from opendvc.core.errors import DomainError


def _post_clerk_only(request):
    if not request.user.has_role(OfficialRole.POST_CLERK):
        return forbidden(
            request, _("Chỉ nhân viên Bưu điện Việt Nam được đăng ký tài khoản cho công dân tại quầy.")
        )
    return None


@official_required
@require_http_methods(["GET", "POST"])
def register(request):
    if (refusal := _post_clerk_only(request)) is not None:
        return refusal
    form = PostRegistrationForm(request.POST or None)
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            account = post.register_at_post(request, request.user, **form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            return refused(request, "accounts/post_register.html", context, form, exc)
        return redirect("accounts:post_registered", account_id=account.pk)
    return render(
        request, "accounts/post_register.html", context | {"form": form}, status=400 if form.errors else 200
    )


@official_required
@require_http_methods(["GET", "POST"])
def registered(request, account_id: int):
    """The clerk's confirmation: masked ID and phone, the SMS sent; "Gửi lại tin nhắn kích hoạt"."""
    if (refusal := _post_clerk_only(request)) is not None:
        return refusal
    account = post.registered_by_clerk(request.user, account_id)
    if request.method == "POST":
        try:
            post.resend_activation(request, request.user, account)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Đã gửi lại tin nhắn kích hoạt. Mã kích hoạt cũ không còn dùng được.")
            )
        return redirect("accounts:post_registered", account_id=account.pk)
    context = {
        "account": account,
        "phone": post.activation_phone_masked(account),
        "awaiting": post.awaiting_activation(account),
    }
    return render(request, "accounts/post_registered.html", context)


ACTIVATION_SECRETS = ("password", "password_confirm", "captcha_0", "captcha_1")


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    """The link in the SMS (/kich-hoat/?ma=CODE) opens this page with the code filled in."""
    if request.method == "POST":
        form = ActivationForm(request.POST)
    else:
        form = ActivationForm(initial={"code": (request.GET.get("ma") or "")[:20]})
    context = {}
    if request.method == "POST" and form.is_valid():
        data = {
            name: form.cleaned_data[name] for name in ("id_number", "code", "password", "password_confirm")
        }
        try:
            post.activate_account(request, **data)
        except DomainError as exc:
            fresh = rebound(ActivationForm, request, secrets=ACTIVATION_SECRETS)
            return refused(request, "accounts/activate.html", context, fresh, exc)
        messages.success(
            request,
            _(
                "Kích hoạt tài khoản thành công. Vui lòng đăng nhập bằng số định danh và mật khẩu vừa đặt; "
                "mã OTP sẽ được gửi đến số điện thoại đã đăng ký tại bưu điện."
            ),
        )
        return redirect("accounts:login")
    if request.method == "POST":
        form = rebound(ActivationForm, request, secrets=ACTIVATION_SECRETS, errors=form.errors)
    return render(
        request, "accounts/activate.html", context | {"form": form}, status=400 if form.errors else 200
    )


urlpatterns = [
    path("buu-dien/dang-ky/", register, name="post_register"),
    path("buu-dien/da-dang-ky/<int:account_id>/", registered, name="post_registered"),
    path("kich-hoat/", activate, name="activate"),
]
