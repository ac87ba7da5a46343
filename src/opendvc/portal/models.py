"""The portal's own public pages: guides and news (hướng dẫn, tin tức) with moderated comments, the opinion
poll, and the visit counters.

Article bodies are HTML kept sanitised at rest (`portal.html.clean`: an allowlist of tags and attributes),
so a page can show them as they are. Votes and visits hold no personal data: a voter is an account id or
the hash of a random cookie; a visit is a number per day.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ArticleKind(models.TextChoices):
    GUIDE = "guide", pgettext_lazy("article kind", "Hướng dẫn")
    NEWS = "news", pgettext_lazy("article kind", "Tin tức")


class Article(models.Model):
    kind = models.CharField(
        _("loại bài"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.GUIDE
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    slug = models.SlugField(_("địa chỉ trang"), max_length=160, unique=True, allow_unicode=False)
    summary = models.TextField(_("tóm tắt"), max_length=600, blank=True)
    body = models.TextField(
        _("nội dung"), help_text=_("Định dạng bằng thanh công cụ; mã HTML được lọc khi lưu.")
    )
    published = models.BooleanField(_("đăng công khai"), default=False)
    published_at = models.DateTimeField(_("ngày đăng"), null=True, blank=True, db_index=True)
    allow_comments = models.BooleanField(_("cho phép bình luận"), default=True)
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["published", "kind", "published_at"])]
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("portal:article", args=[self.slug])

    @property
    def excerpt(self) -> str:
        """The summary, or the body's first words when the editor wrote none (for lists and search)."""
        from opendvc.portal.html import plain

        if self.summary:
            return self.summary
        words = plain(self.body)
        return words if len(words) <= 240 else words[:237].rsplit(" ", 1)[0] + "…"


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ kiểm duyệt")
    PUBLISHED = "published", _("Đã đăng")
    REJECTED = "rejected", _("Không đăng")


class Comment(models.Model):
    """A reader's comment: shown only once a moderator has published it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("họ và tên"), max_length=120)
    body = models.TextField(_("nội dung bình luận"), max_length=2000)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=CommentStatus.choices,
        default=CommentStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(_("kiểm duyệt lúc"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("bình luận")
        verbose_name_plural = _("bình luận")

    def __str__(self):
        return f"{self.name}: {self.body[:40]}"


class Poll(models.Model):
    """One question with several answers; the newest open poll is the one shown."""

    question = models.CharField(_("câu hỏi"), max_length=300)
    opens_at = models.DateTimeField(_("mở từ"), default=timezone.now)
    closes_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("thăm dò ý kiến")
        verbose_name_plural = _("thăm dò ý kiến")

    def __str__(self):
        return self.question

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.active and self.opens_at <= now and (self.closes_at is None or now < self.closes_at)


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("phương án"), max_length=200)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    votes = models.PositiveIntegerField(_("số phiếu"), default=0, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("phương án")
        verbose_name_plural = _("phương án")

    def __str__(self):
        return self.text


class PollVote(models.Model):
    """Who voted (an account id or a device cookie's hash) and for what: one vote per voter."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="+")
    voter = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="poll_vote_once")]

    def __str__(self):
        return f"{self.poll_id} {self.choice_id}"


class VisitDay(models.Model):
    """Visits counted on one day (a browser counts once a day): a number, nothing about anyone."""

    day = models.DateField(unique=True)
    visits = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day}: {self.visits}"
