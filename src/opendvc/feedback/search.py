"""Searching answered feedback the way the catalogue is searched (`catalog.search.records`): a published
feedback keeps its folded public title, and its public content and answer, in `search_text`."""

from opendvc.catalog.search import records

search = records.search


def index_text(feedback) -> str:
    return records.index_text(
        feedback.public_title or feedback.title,
        f"{feedback.public_content or feedback.content} {feedback.public_answer}",
    )
