"""Public lookups by code (a dossier, a feedback): what the tracking pages share.

Limited per IP address (`limits_per_ip`); after a few unknown codes from one address in 15 minutes a
captcha is asked (`misses_allowed`), so that codes cannot be guessed in bulk. The page is a GET form, so a
link from an SMS (`?ma=…`) fills the code in.
"""

from dataclasses import dataclass

from django.shortcuts import render

from opendvc.core.errors import NotFound
from opendvc.core.limits import Limit, RateLimited, enforce, misses
from opendvc.core.request_info import client_ip

MISS_WINDOW = "15m"


@dataclass(frozen=True)
class LookupPage:
    template: str
    form: type  # a form with one field "ma"
    captcha_form: type  # the same with a captcha
    lookup: object  # code -> result; raises NotFound
    group: str  # the rate limits' name
    result_name: str  # the result's name in the template
    not_found: object  # code -> the message for an unknown code
    limits_per_ip: tuple = ("60/h", "300/d")
    misses_allowed: int = 3

    def _misses(self, request, ip, *, add=False) -> int:
        return misses(
            request,
            group=f"{self.group}-miss-ip",
            key=ip,
            allowed=self.misses_allowed,
            window=MISS_WINDOW,
            add=add,
        )

    def respond(self, request, extra=None):
        ip = client_ip(request) or "unknown"
        captcha_needed = self._misses(request, ip) >= self.misses_allowed
        form_class = self.captcha_form if captcha_needed else self.form
        context = {"captcha_needed": captcha_needed, **(extra or {})}
        if "ma" not in request.GET or (captcha_needed and "captcha_1" not in request.GET):
            form = form_class(initial={"ma": request.GET.get("ma", "")})
            return render(request, self.template, context | {"form": form})
        try:
            enforce(request, [Limit(f"{self.group}-ip", ip, rate) for rate in self.limits_per_ip])
        except RateLimited as exc:
            response = render(
                request, self.template, context | {"form": form_class(), "problem": exc.message}, status=429
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        form = form_class(request.GET)
        if not form.is_valid():
            return render(
                request, self.template, context | {"form": _without_answer(form, request)}, status=400
            )
        code = form.cleaned_data["ma"]
        try:
            result = self.lookup(code)
        except NotFound:
            captcha_needed = self._misses(request, ip, add=True) >= self.misses_allowed
            next_form = (self.captcha_form if captcha_needed else self.form)(initial={"ma": code})
            context |= {"captcha_needed": captcha_needed, "form": next_form}
            return render(
                request,
                self.template,
                context | {"not_found": self.not_found(code), "code": code},
                status=404,
            )
        return render(
            request,
            self.template,
            context | {"form": form_class(initial={"ma": code}), self.result_name: result},
        )


def _without_answer(form, request):
    """The form again with its errors, but a new captcha instead of the used-up one."""
    data = request.GET.copy()
    for name in ("captcha_0", "captcha_1"):
        data.pop(name, None)
    fresh = type(form)(data)
    fresh._errors = form.errors
    return fresh
