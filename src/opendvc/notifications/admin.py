from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from opendvc.core.admin import ReadOnlyModelAdmin
from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.models import Message
from opendvc.notifications.recipients import channel_of, normalize_recipient, recipient_digest


@admin.register(Message)
class MessageAdmin(ReadOnlyModelAdmin):
    """Read-only: messages are written by notifications.services only; recipients are shown masked."""

    list_display = ["created_at", "channel", "recipient_masked", "purpose", "status", "attempts", "segments"]
    list_filter = ["channel", "status", "purpose", "in_outbox"]
    search_fields = ["purpose", "provider_message_id"]
    search_help_text = _("Mục đích, mã tin của nhà cung cấp, hoặc số điện thoại / địa chỉ thư đầy đủ")
    date_hierarchy = "created_at"
    fields = [
        "reference",
        "channel",
        "recipient_masked",
        "purpose",
        "subject",
        "body",
        "segments",
        "status",
        "attempts",
        "error",
        "backend",
        "in_outbox",
        "provider_message_id",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            channel = channel_of(term)
            try:
                digest = recipient_digest(normalize_recipient(term, channel), channel)
            except InvalidRecipient:
                pass
            else:
                results |= queryset.filter(channel=channel, recipient_digest=digest)
        return results, may_have_duplicates
