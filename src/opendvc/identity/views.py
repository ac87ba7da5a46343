"""Development stand-ins, never in production (404 unless settings.PKI_TEST_CA_ENABLED):

- the USB token plug-in (dev/token-plugin/certificates, dev/token-plugin/sign) that signs with the test
  PKI's tokens, and a page to try it (dev/token-plugin/);
- the phone of SIM PKI (dev/ky-so-sim/): approve or refuse the reference mobile-signature requests;
- the test PKI's public files (dev/test-pki/<name>): root and CA certificates, CRLs.
"""

import base64
import binascii
import json
import re
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.identity import mobile_signature
from opendvc.identity.models import MobileSignatureRequest, MobileSignatureState
from opendvc.identity.pki import PkiError, verify_signature
from opendvc.identity.pki.signer import sign_detached
from opendvc.identity.pki.testca import UnknownToken, ensure_test_pki

TRY_SESSION_KEY = "identity_dev_token_challenge"
REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
PUBLIC_FILES = {
    "root-ca.pem": "application/x-pem-file",
    "issuing-ca.pem": "application/x-pem-file",
    "unknown-ca.pem": "application/x-pem-file",
    "root-ca.crl": "application/pkix-crl",
    "issuing-ca.crl": "application/pkix-crl",
}


def dev_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(settings, "PKI_TEST_CA_ENABLED", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _plugin_error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


# --- the token plug-in stand-in ---------------------------------------------------------------------


@dev_only
@require_GET
def token_plugin_certificates(request):
    tokens = ensure_test_pki().usb_tokens()
    return JsonResponse(
        [
            {
                "id": token.id,
                "label": token.label,
                "subject": token.subject,
                "certificate": _b64(token.certificate_der()),
            }
            for token in tokens
        ],
        safe=False,
    )


# A real plug-in is a program on the citizen's computer that the page calls on localhost; this
# stand-in plays it from the portal itself. It holds no session and signs only with the test PKI,
# and is switched off in production (PKI_TEST_CA_ENABLED), so CSRF protection is left out here alone.
@csrf_exempt
@dev_only
@require_POST
def token_plugin_sign(request):
    try:
        body = json.loads(request.body)
        token_id, data = body["token"], base64.b64decode(body["data"], validate=True)
        if not isinstance(token_id, str):
            raise TypeError
    except (ValueError, KeyError, TypeError, binascii.Error):
        return _plugin_error("bad_request", _("Yêu cầu ký không đúng định dạng."))
    try:
        signature, certificate = sign_detached(data, token_id)
    except UnknownToken:
        return _plugin_error("unknown_token", _("Không tìm thấy chứng thư số đã chọn."), status=404)
    return JsonResponse({"signature": _b64(signature), "certificate": _b64(certificate)})


@dev_only
@require_http_methods(["GET", "POST"])
def token_plugin_try(request):
    """Try the plug-in and the verifier: sign a fresh challenge and see what the portal makes of it."""
    result = error = None
    if request.method == "POST":
        challenge = request.session.pop(TRY_SESSION_KEY, None)
        try:
            signature = base64.b64decode(request.POST.get("signature", ""), validate=True)
            certificate = base64.b64decode(request.POST.get("certificate", ""), validate=True) or None
        except (binascii.Error, ValueError):
            return HttpResponseBadRequest()
        if challenge is None:
            error = _("Mã thử thách đã được dùng hoặc đã hết hạn. Vui lòng ký lại.")
        else:
            try:
                result = verify_signature(base64.b64decode(challenge), signature, certificate)
            except PkiError as exc:
                error = exc.message
    challenge = _b64(secrets.token_bytes(32))
    request.session[TRY_SESSION_KEY] = challenge
    return render(
        request,
        "identity/dev_token_plugin.html",
        {
            "challenge": challenge,
            "plugin_url": getattr(settings, "TOKEN_PLUGIN_URL", "/dev/token-plugin/"),
            "result": result,
            "error": error,
        },
    )


# --- the phone of SIM PKI ---------------------------------------------------------------------------


@dev_only
@require_GET
def sim_requests(request):
    return render(
        request,
        "identity/dev_sim_requests.html",
        {"pending": list(mobile_signature.pending_requests()), "sim_tokens": ensure_test_pki().sim_tokens()},
    )


@dev_only
@require_POST
def sim_decide(request, request_id):
    # The reference service's ids are secrets.token_urlsafe; any other path segment names no request,
    # and is not handed to the database (PostgreSQL refuses a NUL character with an error, not a miss).
    if not REQUEST_ID_SHAPE.fullmatch(request_id):
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        return HttpResponseBadRequest()
    decide = mobile_signature.approve_request if decision == "approve" else mobile_signature.refuse_request
    try:
        state = decide(request_id)
    except MobileSignatureRequest.DoesNotExist:
        raise Http404 from None
    done = {"approve": MobileSignatureState.APPROVED, "refuse": MobileSignatureState.REFUSED}[decision]
    if state == done:
        messages.success(request, _("Đã ký yêu cầu.") if decision == "approve" else _("Đã từ chối yêu cầu."))
    else:
        messages.warning(request, _("Yêu cầu này đã hết hạn hoặc đã được trả lời trước đó."))
    return redirect("identity:sim_requests")


# --- the test PKI's public files ------------------------------------------------------------------


@dev_only
@require_GET
def test_pki_file(request, name):
    if name not in PUBLIC_FILES:
        raise Http404
    path = ensure_test_pki().directory / name
    return FileResponse(path.open("rb"), content_type=PUBLIC_FILES[name], filename=name)
