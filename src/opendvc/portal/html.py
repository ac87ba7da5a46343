"""Article HTML: what an editor's toolbar makes (headings, paragraphs, lists, emphasis, links, tables,
quotes), everything else removed on save by nh3 (the Ammonia sanitiser): no scripts, styles, event
handlers, frames or `javascript:` links. Links to other sites open with rel="noopener noreferrer"."""

import html
import re

import nh3

TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
SCHEMES = {"http", "https", "mailto", "tel"}


def clean(text: str) -> str:
    """The HTML an article may hold."""
    return nh3.clean(
        text or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """The words of some article HTML, for search and summaries."""
    return " ".join(html.unescape(_TAG.sub(" ", text or "")).split())
