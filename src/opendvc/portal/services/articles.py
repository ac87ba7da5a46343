"""Guides and news: saved sanitised and indexed for search, published with a date, audited."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from opendvc.catalog.search import records
from opendvc.core import audit
from opendvc.core.text import nfc
from opendvc.portal import html
from opendvc.portal.models import Article


def published() -> QuerySet:
    return Article.objects.filter(published=True, published_at__lte=timezone.now())


@transaction.atomic
def save(article: Article, *, actor=None, created: bool = False) -> Article:
    """Store an article as an editor left it: its HTML cleaned, its text indexed, its first publication
    dated (an editor may set an earlier or later date)."""
    article.title = nfc(article.title).strip()
    article.summary = nfc(article.summary).strip()
    article.body = html.clean(nfc(article.body))
    article.search_text = records.index_text(article.title, f"{article.summary} {html.plain(article.body)}")
    if article.published and article.published_at is None:
        article.published_at = timezone.now()
    if created and actor is not None:
        article.created_by = actor
    article.updated_at = timezone.now()
    article.save()
    audit.record(
        "portal.article_created" if created else "portal.article_changed",
        actor=actor,
        target=article,
        published=article.published,
    )
    return article


def search(text: str) -> list[int]:
    """Ids of published articles matching `text`, best first."""
    return records.search(published(), text)
