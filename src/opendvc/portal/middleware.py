"""Counting visits on the way out (portal.services.visits): one cache increment for a browser's first page
of the day, nothing at all for the rest."""

from opendvc.portal.services import visits


class VisitCounterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        visits.count(request, response)
        return response
