"""Readers' comments on articles: checked, kept waiting for a moderator, published or not by them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.core.text import nfc
from opendvc.portal.models import Article, Comment, CommentStatus

MAX_NAME, MAX_BODY = 120, 2000


def submit(article: Article, *, name: str, body: str, request=None) -> Comment:
    """A new comment waiting for moderation; DomainError(code="invalid_input") naming each problem."""
    name, body = nfc(name or "").strip(), nfc(body or "").replace("\x00", "").strip()
    problems: dict[str, list[str]] = {}
    if not article.allow_comments:
        raise DomainError(_("Bài viết này không nhận bình luận."), code="comments_closed")
    if not name:
        problems["name"] = [_("Nhập họ và tên của bạn.")]
    elif len(name) > MAX_NAME:
        problems["name"] = [_("Họ và tên dài tối đa %(n)d ký tự.") % {"n": MAX_NAME}]
    if not body:
        problems["body"] = [_("Nhập nội dung bình luận.")]
    elif len(body) > MAX_BODY:
        problems["body"] = [_("Bình luận dài tối đa %(n)d ký tự.") % {"n": MAX_BODY}]
    if problems:
        raise DomainError(_("Bình luận chưa gửi được."), code="invalid_input", fields=problems)
    comment = Comment.objects.create(article=article, name=name, body=body)
    audit.record("portal.comment_submitted", target=comment, request=request, article=article.pk)
    return comment


@transaction.atomic
def moderate(comments, *, status: str, actor) -> int:
    """Publish or reject comments (a moderator's decision, audited one by one)."""
    if status not in (CommentStatus.PUBLISHED, CommentStatus.REJECTED):
        raise ValueError(status)
    changed = 0
    for comment in comments.select_for_update():
        if comment.status == status:
            continue
        comment.status, comment.moderated_by, comment.moderated_at = status, actor, timezone.now()
        comment.save(update_fields=["status", "moderated_by", "moderated_at"])
        audit.record(f"portal.comment_{status}", actor=actor, target=comment, article=comment.article_id)
        changed += 1
    return changed
