"""Checking the digital signatures of a PDF: is it signed, unchanged since, and by a trusted certificate?

`verify_pdf(content)` validates every signature with pyHanko against the trust the portal is configured
with (identity.pki.sources: settings.PKI_TRUST_ROOTS, PKI_INTERMEDIATE_CERTIFICATES and PKI_CRLS, plus the
test CA when PKI_TEST_CA_ENABLED), without fetching anything: a certificate whose revocation list is not
at hand is checked as far as what is at hand allows. The report speaks plain Vietnamese for the public
verification page (`dossiers:verify`). `verify_url(stored)` is the page for one stored result, reached by
an unguessable signed token (printed as a QR code next to the result).
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from opendvc.dossiers.models import StoredFile
from opendvc.dossiers.signing.pdf import READ_ERRORS, read_pdf, run
from opendvc.identity.pki import sources

logger = logging.getLogger(__name__)

TOKEN_SALT = "opendvc.dossiers.verify-result"  # noqa: S105 - a namespace, not a secret
# A result's certificate is checked against the CRLs at hand; none at hand is not a refusal.
_REVOCATION = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    )
)
# Agency certificates allow signing by digitalSignature, nonRepudiation or both.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of the document."""

    signer: str
    signed_at: datetime | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature verifies with the certificate's key
    trusted: bool  # and the certificate chains to a trusted root, valid and not revoked
    covers_whole_document: bool  # nothing was appended after it
    timestamped: bool = False  # signed_at comes from a trusted time-stamp (PAdES-B-T), not the signer's clock
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerificationReport:
    """What the public page says. `signer` and `signed_at` are those of the latest signature;
    `intact` and `trusted` hold for every signature."""

    signed: bool
    intact: bool
    trusted: bool
    signer: str
    signed_at: datetime | None
    covers_whole_document: bool
    reasons: list[str] = field(default_factory=list)
    signatures: tuple[SignatureCheck, ...] = ()

    @property
    def timestamped(self) -> bool:
        """`signed_at` comes from a trusted time-stamp rather than from the signer's own clock."""
        return bool(self.signatures) and self.signatures[-1].timestamped

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted and self.covers_whole_document

    @property
    def verdict(self) -> str:
        """One sentence for people."""
        if not self.signed:
            return _("Văn bản không có chữ ký số.")
        if not self.intact:
            return _("Chữ ký không hợp lệ: nội dung đã bị thay đổi sau khi ký.")
        if not all(check.valid for check in self.signatures):
            return _("Chữ ký không hợp lệ: chữ ký số không khớp với chứng thư số của người ký.")
        when = date_format(timezone.localtime(self.signed_at), "H:i d/m/Y") if self.signed_at else ""
        if not self.trusted:
            return _(
                "Văn bản có chữ ký số của %(signer)s, nội dung không bị thay đổi, nhưng chứng thư số "
                "không được Cổng tin cậy."
            ) % {"signer": self.signer}
        if not self.covers_whole_document:
            return _(
                "Văn bản có chữ ký số hợp lệ của %(signer)s, ký lúc %(when)s, nhưng đã được thêm nội dung "
                "sau khi ký."
            ) % {"signer": self.signer, "when": when}
        return _(
            "Văn bản có chữ ký số hợp lệ của %(signer)s, ký lúc %(when)s, nội dung không bị thay đổi."
        ) % {"signer": self.signer, "when": when}


def verify_pdf(content: bytes) -> VerificationReport:
    """Validate every signature of the PDF `content`. Raises UnreadablePdf for a file that is not a
    readable PDF; a signature that cannot be read counts as not intact."""
    reader = read_pdf(content)
    try:
        embedded = list(reader.embedded_signatures)
    except READ_ERRORS as exc:
        logger.info("PDF signature fields unreadable: %s", type(exc).__name__)
        embedded = None
    if embedded is None:
        broken = _broken_check()
        return _report([broken])
    if not embedded:
        return VerificationReport(
            signed=False,
            intact=False,
            trusted=False,
            signer="",
            signed_at=None,
            covers_whole_document=False,
            reasons=[_("Văn bản không có chữ ký số.")],
        )
    context_factory = _context_factory()
    checks = [_check(signature, context_factory) for signature in embedded]
    return _report(checks)


def _report(checks: list[SignatureCheck]) -> VerificationReport:
    latest = checks[-1]
    reasons = []
    for check in checks:
        reasons.extend(reason for reason in check.reasons if reason not in reasons)
    return VerificationReport(
        signed=True,
        intact=all(check.intact for check in checks),
        trusted=all(check.trusted for check in checks),
        signer=latest.signer,
        signed_at=latest.signed_at,
        covers_whole_document=latest.covers_whole_document,
        reasons=reasons,
        signatures=tuple(checks),
    )


def _context_factory():
    roots, intermediates, crls = sources.trust_roots(), sources.intermediates(), sources.crls()

    def make() -> ValidationContext:
        # An empty list (not None) of roots: never the operating system's TLS roots.
        return ValidationContext(
            trust_roots=list(roots),
            other_certs=list(intermediates),
            crls=list(crls),
            allow_fetching=False,
            revinfo_policy=_REVOCATION,
        )

    return make


def _broken_check(signer: str = "") -> SignatureCheck:
    return SignatureCheck(
        signer=signer,
        signed_at=None,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_document=False,
        reasons=(_("Chữ ký số bị hỏng, không đọc được."),),
    )


def _check(signature, context_factory) -> SignatureCheck:
    try:
        status = run(
            lambda: async_validate_pdf_signature(
                signature, signer_validation_context=context_factory(), key_usage_settings=_KEY_USAGE
            )
        )
    except Exception as exc:
        logger.info("PDF signature could not be validated: %s", type(exc).__name__)
        return _broken_check(_signer_name(getattr(signature, "signer_cert", None)))
    reasons = []
    if not status.intact:
        reasons.append(_("Nội dung văn bản đã bị thay đổi sau khi ký."))
    elif not status.valid:
        reasons.append(_("Chữ ký số không khớp với chứng thư số của người ký."))
    elif not status.trusted:
        reasons.append(_trust_reason(status))
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if status.intact and not whole:
        reasons.append(_("Văn bản đã được thêm nội dung sau chữ ký này."))
    timestamp, timestamp_ok = None, True
    if status.timestamp_validity is not None:
        timestamp_ok = bool(status.timestamp_validity.trusted)  # trusted implies intact and valid
        if timestamp_ok:
            timestamp = status.timestamp_validity.timestamp
        else:
            reasons.append(_("Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy."))
    return SignatureCheck(
        signer=_signer_name(status.signing_cert),
        signed_at=timestamp or status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted) and timestamp_ok,
        covers_whole_document=whole,
        timestamped=timestamp is not None,
        reasons=tuple(reasons),
    )


def _trust_reason(status) -> str:
    indication = status.trust_problem_indic
    if status.revoked or indication in (AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE):
        return _("Chứng thư số của người ký đã bị thu hồi.")
    if indication in (AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE):
        return _("Chứng thư số của người ký đã hết hạn.")
    if indication in (AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID):
        return _("Chứng thư số của người ký chưa có hiệu lực.")
    if indication == AdESIndeterminate.TRY_LATER:
        return _("Chưa kiểm tra được chứng thư số của người ký có bị thu hồi hay không.")
    if indication == AdESIndeterminate.SIG_CONSTRAINTS_FAILURE:
        return _("Chứng thư số của người ký không được phép dùng để ký số.")
    return _("Chứng thư số của người ký không do tổ chức cung cấp dịch vụ chứng thực được Cổng tin cậy cấp.")


def _signer_name(certificate) -> str:
    if certificate is None:
        return ""
    try:
        subject = certificate.subject.native
    except (ValueError, TypeError, AttributeError):
        return ""
    return str(subject.get("common_name") or subject.get("organization_name") or "")


# --- the page of one stored result --------------------------------------------------------------------


def new_reference() -> str:
    """A random reference for a result about to be sealed (`StoredFile.reference`)."""
    return secrets.token_urlsafe(16)


def _token(reference: str) -> str:
    # HMAC with SECRET_KEY over a random reference: unguessable twice over, never expires.
    return signing.Signer(salt=TOKEN_SALT, sep=".").sign(reference)


def result_token(stored: StoredFile) -> str:
    """The token of the verification page of `stored` (a reference is given to a result that has none)."""
    if not stored.reference:
        stored.reference = new_reference()
        stored.save(update_fields=["reference"])
    return _token(stored.reference)


def stored_file_for_token(token: str) -> StoredFile | None:
    """The result the token refers to, or None for a forged, altered or unknown token."""
    try:
        reference = signing.Signer(salt=TOKEN_SALT, sep=".").unsign(token or "")
    except signing.BadSignature:
        return None
    return StoredFile.objects.filter(reference=reference, origin=StoredFile.Origin.RESULT).first()


def url_for_reference(reference: str) -> str:
    """The absolute address of the verification page of the result with `reference` (its QR code)."""
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("dossiers:verify_result", args=[_token(reference)])


def verify_url(stored: StoredFile) -> str:
    """The absolute address of the verification page of `stored`."""
    result_token(stored)
    return url_for_reference(stored.reference)
