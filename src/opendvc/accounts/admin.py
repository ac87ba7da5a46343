"""The accounts admin at /quan-tri/: accounts (officials' agency and roles editable), their access
history, and the audit trail — read-only where the record is history.

Personal numbers are never shown in clear: lists and forms show them masked, and an exact ID number is
found through its digest. Looking at a citizen's or business's record, and searching by ID number, is
recorded in the audit trail (access to identity data by officials is logged).

The admin's own password-only login page is replaced by the officials' sign-in (password + TOTP).
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.errors import Forbidden
from opendvc.accounts.models import (
    AccessEvent,
    Account,
    AccountKind,
    AssuranceLevel,
    OfficialRole,
    Phone,
    RegistrationMethod,
)
from opendvc.accounts.services import officials
from opendvc.core import audit
from opendvc.core.admin import ReadOnlyModelAdmin
from opendvc.core.models import AuditEvent
from opendvc.core.personal_data import is_id_number, lookup_digest, mask, normalize_phone

STAFF_KINDS = (AccountKind.OFFICIAL, AccountKind.ADMIN)


def official_login(request, extra_context=None):
    """/quan-tri/login/: staff sign in like every official, with their authenticator."""
    from opendvc.accounts.views.officials import forbidden

    if request.user.is_authenticated:
        # Signed in but not allowed into the admin: say so instead of looping through the sign-in page.
        return forbidden(request, gettext("Tài khoản của bạn không có quyền vào trang quản trị hệ thống."))
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("accounts:official_login"))


admin.site.login = official_login
admin.site.site_header = _("Quản trị Cổng Dịch vụ công")
admin.site.site_title = _("Quản trị Cổng Dịch vụ công")


class RoleField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=OfficialRole.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label=_("vai trò"),
            **kwargs,
        )


def _check_official_fields(form: forms.ModelForm, kind: str) -> None:
    roles = form.cleaned_data.get("roles") or []
    if kind != AccountKind.OFFICIAL and roles:
        form.add_error("roles", gettext("Chỉ tài khoản cán bộ, công chức có vai trò."))
    if kind != AccountKind.OFFICIAL and form.cleaned_data.get("agency"):
        form.add_error("agency", gettext("Chỉ tài khoản cán bộ, công chức thuộc một cơ quan."))
    agency_roles = set(roles) - {OfficialRole.POST_CLERK}
    if kind == AccountKind.OFFICIAL and agency_roles and not form.cleaned_data.get("agency"):
        form.add_error("agency", gettext("Vui lòng chọn cơ quan của cán bộ."))


class AccountChangeForm(forms.ModelForm):
    roles = RoleField()

    class Meta:
        model = Account
        fields = ["full_name", "email", "address", "agency", "roles", "is_active", "is_staff", "is_superuser"]

    def clean(self):
        cleaned = super().clean()
        _check_official_fields(self, self.instance.kind)
        return cleaned


class AccountCreationForm(forms.ModelForm):
    """Officials and admins only: citizens and businesses register themselves (their identity is checked
    with the registries) or at a Vietnam Post counter."""

    kind = forms.ChoiceField(
        label=_("loại tài khoản"),
        choices=[
            (AccountKind.OFFICIAL, AccountKind.OFFICIAL.label),
            (AccountKind.ADMIN, AccountKind.ADMIN.label),
        ],
    )
    roles = RoleField()
    password1 = forms.CharField(
        label=_("mật khẩu"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    password2 = forms.CharField(label=_("nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = Account
        fields = ["username", "full_name", "kind", "agency", "roles", "email"]

    def clean(self):
        cleaned = super().clean()
        _check_official_fields(self, cleaned.get("kind"))
        password, again = cleaned.get("password1"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", gettext("Hai lần nhập mật khẩu không giống nhau."))
        elif password:
            candidate = Account(
                username=cleaned.get("username") or "", full_name=cleaned.get("full_name") or ""
            )
            try:
                validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def save(self, commit=True):
        account = super().save(commit=False)
        account.set_password(self.cleaned_data["password1"])
        account.registration_method = RegistrationMethod.STAFF
        account.assurance_level = AssuranceLevel.LEVEL_2
        account.verified_at = timezone.now()
        account.is_staff = account.kind == AccountKind.ADMIN
        account.is_superuser = account.kind == AccountKind.ADMIN
        if commit:
            account.save()
        return account


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PhoneInline(ReadOnlyInline):
    model = Phone
    fields = ["masked_number", "is_default", "carrier_verified_at", "added_at"]
    readonly_fields = fields
    verbose_name = _("số điện thoại")
    verbose_name_plural = _("số điện thoại")

    @admin.display(description=_("số điện thoại"))
    def masked_number(self, phone):
        return phone.masked


class AccessEventInline(ReadOnlyInline):
    model = AccessEvent
    fields = ["at", "method", "success", "reason", "ip_address", "device"]
    readonly_fields = fields
    verbose_name = _("lần truy cập")
    verbose_name_plural = _("lịch sử truy cập (90 ngày)")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(at__gte=timezone.now() - timedelta(days=90))


class RoleFilter(admin.SimpleListFilter):
    title = _("vai trò")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return OfficialRole.choices

    def queryset(self, request, queryset):
        if self.value() in OfficialRole.values:
            # JSON text contains the quoted role: the same query on SQLite and PostgreSQL.
            return queryset.filter(roles__icontains=f'"{self.value()}"')
        return queryset


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "username",
        "full_name",
        "kind",
        "masked_id",
        "assurance_level",
        "registration_method",
        "agency",
        "is_active",
    ]
    list_filter = [
        "kind",
        "assurance_level",
        "registration_method",
        "is_active",
        RoleFilter,
        ("agency", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["full_name", "username"]
    search_help_text = _(
        "Họ tên hoặc tên đăng nhập; hoặc số định danh / số điện thoại đầy đủ (tìm chính xác)."
    )
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    ordering = ["kind", "username"]
    actions = ["reset_authenticator"]
    inlines = [PhoneInline, AccessEventInline]
    identity_fields = [
        "masked_id",
        "masked_old_id",
        "date_of_birth",
        "gender",
        "tax_code",
        "representative_name",
    ]
    history_fields = [
        "assurance_level",
        "registration_method",
        "verified_at",
        "registered_by",
        "date_joined",
        "last_login",
        "authenticator",
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Only a superuser hands out admin rights: the fieldsets leave is_staff/is_superuser out for others,
        # and only a superuser may create a system-admin account (which is a superuser).
        kwargs["form"] = AccountChangeForm if obj is not None else AccountCreationForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and not request.user.is_superuser:
            form.base_fields["kind"].choices = [(AccountKind.OFFICIAL, AccountKind.OFFICIAL.label)]
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not officials.is_system_admin(request.user):
            # An agency admin keeps officials within their own agency.
            from opendvc.catalog.models import Agency

            kwargs["queryset"] = Agency.objects.filter(pk=request.user.agency_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["username", "full_name", "kind", "email", "password1", "password2"]}),
                (_("Cán bộ, công chức"), {"fields": ["agency", "roles"]}),
            ]
        main = ["username", "kind", "full_name", "email", "address"]
        access = ["is_active"] + (["is_staff", "is_superuser"] if request.user.is_superuser else [])
        fieldsets = [
            (None, {"fields": main}),
            (_("Thông tin định danh"), {"fields": self.identity_fields}),
            (_("Xác minh và đăng ký"), {"fields": self.history_fields}),
            (_("Quyền truy cập"), {"fields": access}),
        ]
        if obj.kind == AccountKind.OFFICIAL:
            fieldsets.insert(1, (_("Cán bộ, công chức"), {"fields": ["agency", "roles"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["username", "kind", *self.identity_fields, *self.history_fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or request.user.kind == AccountKind.ADMIN:
            return queryset
        if request.user.has_role(OfficialRole.AGENCY_ADMIN) and request.user.agency_id:
            # An agency admin with admin access sees their own agency's officials, nobody else.
            return queryset.filter(kind=AccountKind.OFFICIAL, agency_id=request.user.agency_id)
        return queryset.none()

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = "".join(search_term.split())
        if is_id_number(term):
            digest = lookup_digest(term, kind="id")
            results = results | queryset.filter(Q(id_number_digest=digest) | Q(old_id_digest=digest))
            audit.record("identity.searched", actor=request.user, request=request, id_number=mask(term))
        elif phone := normalize_phone(term):
            results = results | queryset.filter(phones__digest=lookup_digest(phone, kind="phone"))
            duplicates = True
        return results, duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            account = self.get_object(request, object_id)
            if account is not None and account.kind in (AccountKind.CITIZEN, AccountKind.BUSINESS):
                audit.record(
                    "identity.viewed", actor=request.user, target=account, request=request, via="admin"
                )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "account.changed_by_admin" if change else "account.created_by_admin",
            actor=request.user,
            target=obj,
            request=request,
            fields=sorted(form.changed_data) if change else [],
            roles=list(obj.roles or []),
        )

    @admin.display(description=_("số định danh"))
    def masked_id(self, account):
        return mask(account.id_number or "") or "—"

    @admin.display(description=_("số CMND cũ"))
    def masked_old_id(self, account):
        return mask(account.old_id_number or "") or "—"

    @admin.display(description=_("ứng dụng xác thực"))
    def authenticator(self, account):
        if account.kind not in STAFF_KINDS:
            return "—"
        if not officials.has_authenticator(account):
            return gettext("Chưa thiết lập (thiết lập ở lần đăng nhập sau)")
        return gettext("Đã thiết lập; còn %(n)d mã khôi phục") % {"n": officials.recovery_codes_left(account)}

    @admin.action(description=_("Đặt lại ứng dụng xác thực (cán bộ thiết lập lại ở lần đăng nhập sau)"))
    def reset_authenticator(self, request, queryset):
        done, refused = 0, []
        for account in queryset:
            try:
                officials.reset_authenticator(request.user, account, request=request)
            except Forbidden:
                refused.append(account.username)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                gettext("Đã đặt lại ứng dụng xác thực của %(n)d tài khoản.") % {"n": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                gettext("Không đặt lại được (không có quyền hoặc không phải tài khoản cán bộ): %(names)s.")
                % {"names": ", ".join(refused)},
                messages.WARNING,
            )


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    """History is written by the services only: nobody adds, changes or deletes it here, and only system
    admins read it (it holds every person's sign-ins and IP addresses)."""

    def has_view_permission(self, request, obj=None):
        return officials.is_system_admin(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return officials.is_system_admin(request.user)


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "account", "method", "success", "reason", "ip_address", "device"]
    list_filter = ["method", "success"]
    search_fields = ["account__username", "account__full_name", "ip_address"]
    list_select_related = ["account"]
    date_hierarchy = "at"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "target_type", "target_id", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "at"
    fields = ["at", "action", "actor", "target_type", "target_id", "ip_address", "details"]
    readonly_fields = fields
