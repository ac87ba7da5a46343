from django.utils.functional import SimpleLazyObject

from opendvc.portal.services import polls, visits


def portal(request):
    """The footer's visit counters and current poll, read only when a page shows them (cached; the
    "not found" page does not, so a robot's probes cost no query)."""
    return {"visit_stats": SimpleLazyObject(visits.stats), "current_poll": SimpleLazyObject(polls.current)}
