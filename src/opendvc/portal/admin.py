"""Editors write guides and news here (a small formatting toolbar over the HTML, cleaned on save),
moderate readers' comments and run the opinion poll. Every change is audited."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from opendvc.core.admin import ReadOnlyModelAdmin
from opendvc.portal.models import Article, Comment, CommentStatus, Poll, PollChoice, VisitDay
from opendvc.portal.services import articles, comments


class RichText(forms.Textarea):
    """The article body: a textarea of HTML that editor.js turns into a formatting toolbar and an editable
    area (keyboard shortcuts, labelled buttons); without scripts the HTML can be typed as it is."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 24, "class": "rich-text", **(attrs or {})})

    class Media:
        js = ("portal/editor.js",)
        css = {"all": ("portal/editor.css",)}


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["kind", "title", "slug", "summary", "body", "published", "published_at", "allow_comments"]
        widgets = {"body": RichText()}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("title", "kind", "published", "published_at", "updated_at")
    list_filter = ("kind", "published")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        articles.save(obj, actor=request.user, created=not change)


@admin.action(description=_("Đăng các bình luận đã chọn"))
def publish_comments(modeladmin, request, queryset):
    changed = comments.moderate(queryset, status=CommentStatus.PUBLISHED, actor=request.user)
    messages.success(request, _("Đã đăng %(n)d bình luận.") % {"n": changed})


@admin.action(description=_("Không đăng các bình luận đã chọn"))
def reject_comments(modeladmin, request, queryset):
    changed = comments.moderate(queryset, status=CommentStatus.REJECTED, actor=request.user)
    messages.success(request, _("Đã từ chối %(n)d bình luận.") % {"n": changed})


@admin.register(Comment)
class CommentAdmin(ReadOnlyModelAdmin):
    """Comments are moderated, never edited: publish or reject them with the actions."""

    list_display = ("created_at", "name", "body", "article", "status", "moderated_by")
    list_filter = ("status",)
    search_fields = ("name", "body")
    actions = [publish_comments, reject_comments]


class PollChoiceInline(admin.TabularInline):
    model = PollChoice
    fields = ("position", "text", "votes")
    readonly_fields = ("votes",)
    extra = 3


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("question", "active", "opens_at", "closes_at")
    inlines = [PollChoiceInline]


@admin.register(VisitDay)
class VisitDayAdmin(ReadOnlyModelAdmin):
    list_display = ("day", "visits")
