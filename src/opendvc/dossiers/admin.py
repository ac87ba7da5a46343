"""The dossiers admin at /quan-tri/: dossiers (read only, no personal data), e-form definitions (checked
before they are saved) and the agencies' sync API keys (shown once, when made).

Dossiers change through the services only (the back office and the sync API): the admin shows them but
never edits them, and lists them without the applicant's name or ID number.
"""

from django import forms
from django.contrib import admin, messages
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.services import officials
from opendvc.core import audit
from opendvc.core.admin import ReadOnlyModelAdmin
from opendvc.dossiers import apikeys
from opendvc.dossiers.eforms.schema import check_definition
from opendvc.dossiers.models import AgencyApiKey, Dossier, FormDefinition

# --------------------------------------------------------------------------------------------- dossiers


@admin.register(Dossier)
class DossierAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "agency", "procedure", "status", "channel", "source", "due_at"]
    list_filter = ["status", "channel", "source"]
    search_fields = ["code", "external_id"]
    list_select_related = ["agency", "procedure"]
    date_hierarchy = "submitted_at"
    fields = [
        "code",
        "procedure",
        "agency",
        "masked_id",
        "status",
        "channel",
        "source",
        "external_id",
        "delivery",
        "submitted_at",
        "received_at",
        "due_at",
        "processed_at",
        "returned_at",
        "closed_at",
        "supplement_requests",
        "apologies",
        "marked_late",
        "version",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("số định danh người nộp"))
    def masked_id(self, dossier):
        return dossier.masked_id_number or "—"

    def get_queryset(self, request):
        # The encrypted columns are never read for the list: nothing here shows them in clear.
        return (
            super()
            .get_queryset(request)
            .defer("data", "delivery_address", "applicant_phone", "applicant_email", "applicant_name")
        )


# ------------------------------------------------------------------------------------------------ e-forms


class FormDefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = ["procedure", "version", "schema", "allow_registry_changes", "published_at"]

    def clean_schema(self):
        schema = self.cleaned_data["schema"]
        if not isinstance(schema, dict):
            raise forms.ValidationError(gettext("Định nghĩa biểu mẫu phải là một đối tượng JSON."))
        problems = check_definition(schema)
        if problems:
            raise forms.ValidationError(problems)
        if (
            self.instance.pk
            and schema != FormDefinition.objects.get(pk=self.instance.pk).schema
            and self.instance.dossiers.exists()
        ):
            # Dossiers keep the version they were filed with: a used version is never rewritten.
            raise forms.ValidationError(
                gettext("Đã có hồ sơ nộp theo phiên bản này; hãy tạo phiên bản mới thay vì sửa.")
            )
        return schema


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    form = FormDefinitionForm
    list_display = ["procedure", "version", "published_at", "allow_registry_changes"]
    list_filter = ["allow_registry_changes"]
    search_fields = ["procedure__code", "procedure__name_vi"]
    autocomplete_fields = ["procedure"]
    list_select_related = ["procedure"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "dossiers.form_definition_saved",
            target=obj,
            request=request,
            procedure=obj.procedure.code,
            version=obj.version,
        )


# ------------------------------------------------------------------------------------------- sync keys

_KEYS_SHOWN = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}{% load i18n %}
{% block content %}
<div class="module">
  <p><strong>{{ warning }}</strong></p>
  <table>
    <thead><tr><th>{{ agency_label }}</th><th>{{ name_label }}</th><th>{{ key_label }}</th></tr></thead>
    <tbody>
    {% for key, raw in keys %}
      <tr><td>{{ key.agency.code }}</td><td>{{ key.name }}</td><td><code>{{ raw }}</code></td></tr>
    {% endfor %}
    </tbody>
  </table>
  <p><a href="{{ back_url }}">{{ back_label }}</a></p>
</div>
{% endblock %}"""
)


class AgencyApiKeyForm(forms.ModelForm):
    class Meta:
        model = AgencyApiKey
        fields = ["agency", "name"]


@admin.register(AgencyApiKey)
class AgencyApiKeyAdmin(admin.ModelAdmin):
    """Only system administrators see the keys; a key itself is shown once, on the page after it is made."""

    form = AgencyApiKeyForm
    list_display = ["agency", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["agency__code", "agency__name_vi", "name", "prefix"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    actions = ["create_key", "revoke_keys"]

    def has_module_permission(self, request):
        return officials.is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return officials.is_system_admin(request.user)

    def has_add_permission(self, request):
        return officials.is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return officials.is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail refers to the key

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["agency", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["agency", "name"]
        return ["agency", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = apikeys.create_key(agency=obj.agency, name=obj.name, actor=request.user, request=request)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = key.pk, key.prefix, key.key_hash, key.created_at
        request._new_sync_keys = [(key, raw)]

    def response_add(self, request, obj, post_url_continue=None):
        keys = getattr(request, "_new_sync_keys", None)
        if keys:
            return self._show_keys(request, keys)
        return super().response_add(request, obj, post_url_continue)

    def _show_keys(self, request, keys):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Khóa API đồng bộ mới"),
            "warning": gettext(
                "Sao chép khóa ngay bây giờ và chuyển an toàn cho đơn vị vận hành hệ thống: "
                "khóa chỉ hiển thị một lần, Cổng chỉ lưu giá trị băm của khóa."
            ),
            "agency_label": gettext("Cơ quan"),
            "name_label": gettext("Hệ thống"),
            "key_label": gettext("Khóa API"),
            "keys": keys,
            "back_url": reverse("admin:dossiers_agencyapikey_changelist"),
            "back_label": gettext("Quay lại danh sách khóa"),
        }
        # Admin pages are never cached (never_cache), so the key does not outlive this page.
        return TemplateResponse(request, _KEYS_SHOWN, context)

    @admin.action(
        description=_("Tạo khóa mới cho các hệ thống đã chọn (khóa cũ vẫn dùng được đến khi thu hồi)")
    )
    def create_key(self, request, queryset):
        keys = [
            apikeys.create_key(agency=old.agency, name=old.name, actor=request.user, request=request)
            for old in queryset.select_related("agency")
        ]
        return self._show_keys(request, keys)

    @admin.action(description=_("Thu hồi các khóa đã chọn"))
    def revoke_keys(self, request, queryset):
        count = 0
        for key in queryset.select_related("agency").filter(revoked_at__isnull=True):
            apikeys.revoke_key(key, actor=request.user, request=request)
            count += 1
        self.message_user(
            request,
            gettext("Đã thu hồi %(n)d khóa.") % {"n": count},
            messages.SUCCESS if count else messages.INFO,
        )
