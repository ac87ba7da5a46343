"""Feedback in the admin: read-only (written by feedback.services only); personal data shown masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from opendvc.core.admin import ReadOnlyModelAdmin
from opendvc.core.personal_data import mask_phone
from opendvc.feedback.models import Event, Feedback


class EventInline(admin.TabularInline):
    model = Event
    fields = ["at", "action", "agency", "actor_name", "from_status", "to_status", "comment", "public"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "title", "agency", "status", "submitted_at", "answer_due_at", "published_at"]
    list_filter = ["status", "kind", "round"]
    search_fields = ["code", "title"]
    date_hierarchy = "submitted_at"
    list_select_related = ["agency"]
    fields = [
        "code",
        "kind",
        "status",
        "agency",
        "first_agency",
        "title",
        "content",
        "sender_name",
        "masked_phone",
        "submitted_at",
        "arrived_at",
        "decide_due_at",
        "answer_due_at",
        "publish_due_at",
        "answer",
        "public_title",
        "public_content",
        "public_answer",
        "published_at",
        "likes",
        "dislikes",
        "round",
    ]
    readonly_fields = fields
    inlines = [EventInline]

    @admin.display(description=_("Số điện thoại"))
    def masked_phone(self, obj):
        return mask_phone(obj.sender_phone)
