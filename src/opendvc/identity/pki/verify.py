"""Verify a detached CMS signature made by a USB token or a SIM, and the certificate that made it.

The checks, in this order; the first that fails decides the error code (PkiError):

1. the bytes are a CMS SignedData with one signer, signed attributes and the signer's certificate
   (`malformed`);
2. the messageDigest attribute is the SHA-2 digest of exactly `data`, the signature algorithm's hash (when
   it names one) is SHA-2 too, and the signature over the signed attributes verifies with the
   certificate's key (`invalid_signature`);
3. the certificate is valid at the moment of verification (`certificate_not_yet_valid`,
   `certificate_expired`);
4. its key usage allows signing: digitalSignature or nonRepudiation, not a CA (`key_usage_not_allowed`);
5. it chains to a configured trusted root (`certificate_untrusted`);
6. no certificate of the chain is revoked according to the CRLs (`certificate_revoked`); when a CRL is
   missing, stale or unreadable the status is unknown: refused (`revocation_unknown`) unless
   settings.PKI_REVOCATION_UNKNOWN = "allow", which accepts with `VerifiedSigner.revocation == "unknown"`.

Whether the signed bytes are a fresh, unused challenge is the caller's business (accounts).

Logs never carry a certificate's subject (the holder's name and ID number): a refusal is logged with the
exception's type and the certificate's serial number, issuer and fingerprint only.
"""

import asyncio
import concurrent.futures
import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import InsufficientRevinfoError, PathError, RevokedError, ValidationError
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from opendvc.core.errors import DomainError
from opendvc.identity.pki import sources

logger = logging.getLogger(__name__)

DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
# After a revocation check could not be completed: look at whatever CRL is there, without requiring one.
_BEST_EFFORT = RevocationCheckingPolicy(
    ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
)


class PkiError(DomainError):
    """A signature or certificate the portal cannot accept. `code` is one of the documented codes:
    malformed, invalid_signature, certificate_expired, certificate_not_yet_valid, certificate_untrusted,
    certificate_revoked, revocation_unknown, key_usage_not_allowed."""

    code = "pki_error"


@dataclass(frozen=True)
class VerifiedSigner:
    """Who signed, according to a certificate that passed every check."""

    fingerprint: str  # SHA-256 of the DER certificate, lower-case hex
    serial_number: str  # lower-case hex
    subject: str  # RFC 4514
    issuer: str
    common_name: str
    id_number: str | None  # from UID "CCCD:<12 digits>" or "CMND:<9 digits>"
    tax_code: str | None  # from UID "MST:<tax code>"
    not_before: datetime
    not_after: datetime
    revocation: str  # "good" | "unknown" (only with PKI_REVOCATION_UNKNOWN = "allow")
    certificate_der: bytes


def verify_signature(
    data: bytes, signature: bytes, certificate: bytes | None = None, *, at: datetime | None = None
) -> VerifiedSigner:
    """Check that `signature` (DER CMS SignedData, detached) signs exactly `data` and that its signer's
    certificate is acceptable at `at` (default: now). `certificate` (DER or PEM) is the signer's
    certificate when the plug-in sends it apart; else it is taken from the CMS. Raises PkiError."""
    signer_info, cms_certificates = _parse(signature)
    signer = _signer_certificate(signer_info, cms_certificates, certificate)
    _check_integrity(data, signer_info, signer)
    cert = _cryptography_certificate(signer)
    moment = at or timezone.now()
    _check_validity(cert, moment)
    _check_key_usage(cert)
    revocation = _check_chain(signer, cert, cms_certificates, at)
    return _verified_signer(cert, signer.dump(), revocation)


# --- 1. structure -------------------------------------------------------------------------------------


def _malformed(detail: str) -> PkiError:
    logger.info("PKI signature malformed: %s", detail)
    return PkiError(
        _("Chữ ký số không đúng định dạng. Vui lòng ký lại bằng USB ký số hoặc SIM ký số."), code="malformed"
    )


def _parse(signature: bytes) -> tuple[cms.SignerInfo, list[asn1_x509.Certificate]]:
    if not isinstance(signature, bytes | bytearray | memoryview) or not signature:
        raise _malformed("not bytes")
    try:
        info = cms.ContentInfo.load(bytes(signature), strict=True)
        if info["content_type"].native != "signed_data":
            raise _malformed("not SignedData")
        signed_data = info["content"]
        signer_infos = signed_data["signer_infos"]
        if len(signer_infos) != 1:
            raise _malformed(f"{len(signer_infos)} signers")
        signer_info = signer_infos[0]
        if signer_info["signed_attrs"].native is None:
            raise _malformed("no signed attributes")
        signer_info["sid"].native  # noqa: B018 - parse now, so that a broken structure is "malformed"
        signer_info["digest_algorithm"]["algorithm"].native  # noqa: B018
        signer_info["signature_algorithm"].signature_algo  # noqa: B018
        certificates = [c.chosen for c in (signed_data["certificates"] or []) if c.name == "certificate"]
        for certificate in certificates:
            certificate.native  # noqa: B018
    except PkiError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # Not str(exc): asn1crypto may quote the value it could not read, a name among them.
        raise _malformed(f"CMS structure ({type(exc).__name__})") from exc
    return signer_info, certificates


def _load_certificate(data: bytes) -> asn1_x509.Certificate:
    try:
        data = bytes(data)
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        certificate = asn1_x509.Certificate.load(data, strict=True)
        certificate.native  # noqa: B018
        return certificate
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _malformed(f"certificate ({type(exc).__name__})") from exc


def _cryptography_certificate(certificate: asn1_x509.Certificate) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(certificate.dump())
    except ValueError as exc:
        raise _malformed(f"certificate ({type(exc).__name__})") from exc


def _matches(sid: cms.SignerIdentifier, certificate: asn1_x509.Certificate) -> bool:
    try:
        return _identifies(sid, certificate)
    except ValueError as exc:  # a name that cannot be compared (string preparation refused it)
        raise _malformed(f"certificate name ({type(exc).__name__})") from exc


def _identifies(sid: cms.SignerIdentifier, certificate: asn1_x509.Certificate) -> bool:
    if sid.name == "issuer_and_serial_number":
        return (
            sid.chosen["issuer"] == certificate.issuer
            and sid.chosen["serial_number"].native == certificate.serial_number
        )
    return sid.chosen.native == certificate.key_identifier


def _signer_certificate(signer_info, cms_certificates, certificate: bytes | None) -> asn1_x509.Certificate:
    sid = signer_info["sid"]
    if certificate is not None:
        given = _load_certificate(certificate)
        if not _matches(sid, given):
            raise _invalid_signature("the given certificate is not the signer's")
        return given
    for candidate in cms_certificates:
        if _matches(sid, candidate):
            return candidate
    raise _malformed("the signer's certificate is neither given nor in the CMS")


# --- 2. integrity -------------------------------------------------------------------------------------


def _invalid_signature(detail: str) -> PkiError:
    logger.info("PKI signature invalid: %s", detail)
    return PkiError(
        _("Chữ ký số không hợp lệ hoặc không khớp với dữ liệu cần ký. Vui lòng ký lại."),
        code="invalid_signature",
    )


def _signature_hash(signer_info: cms.SignerInfo) -> str | None:
    """The hash the signature algorithm names (sha256_rsa: sha256; RSASSA-PSS: its parameters'), or None
    when it names none (rsassa_pkcs1v15: the signature is over the digest algorithm's hash)."""
    algorithm = signer_info["signature_algorithm"]
    try:
        return algorithm.hash_algo
    except ValueError:
        return None
    except (TypeError, KeyError) as exc:  # RSASSA-PSS without parameters: SHA-1 by default (RFC 4055)
        raise _invalid_signature(f"{algorithm.signature_algo} without parameters") from exc


def _check_integrity(data: bytes, signer_info: cms.SignerInfo, signer: asn1_x509.Certificate) -> None:
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    if algorithm not in DIGESTS:
        raise _invalid_signature(f"digest algorithm {algorithm} is not accepted")
    # A SHA-256 messageDigest is worth nothing if the signed attributes are signed over SHA-1.
    signature_hash = _signature_hash(signer_info)
    if signature_hash is not None and signature_hash not in DIGESTS:
        raise _invalid_signature(f"signature algorithm hash {signature_hash} is not accepted")
    try:
        intact, valid = validate_sig_integrity(
            signer_info, signer, expected_content_type="data", actual_digest=DIGESTS[algorithm](data).digest()
        )
    except SignatureValidationError as exc:
        raise _invalid_signature(f"integrity check ({type(exc).__name__})") from exc
    except (ValueError, TypeError, KeyError, NotImplementedError) as exc:
        raise _malformed(f"integrity check ({type(exc).__name__})") from exc
    if not intact:
        raise _invalid_signature("messageDigest is not the digest of the data")
    if not valid:
        raise _invalid_signature("the signature does not verify with the certificate's key")


# --- 3, 4. the certificate itself ---------------------------------------------------------------------


def _date(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _about(cert: x509.Certificate) -> str:
    """What a log may say of a certificate: never its subject, which names the holder and their ID."""
    # A self-issued certificate's issuer is its subject.
    issuer = "(self-issued)" if cert.issuer == cert.subject else _nfc(cert.issuer.rfc4514_string())
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    return f"serial {cert.serial_number:x}, issuer {issuer}, fingerprint {fingerprint}"


def _check_validity(cert: x509.Certificate, moment: datetime) -> None:
    if moment < cert.not_valid_before_utc:
        logger.info("PKI certificate not yet valid: %s", _about(cert))
        raise PkiError(
            _("Chứng thư số chưa có hiệu lực: chỉ dùng được từ ngày %(date)s.")
            % {"date": _date(cert.not_valid_before_utc)},
            code="certificate_not_yet_valid",
        )
    if moment > cert.not_valid_after_utc:
        logger.info("PKI certificate expired: %s", _about(cert))
        raise PkiError(
            _(
                "Chứng thư số đã hết hạn vào ngày %(date)s. "
                "Vui lòng gia hạn với nhà cung cấp dịch vụ chứng thực."
            )
            % {"date": _date(cert.not_valid_after_utc)},
            code="certificate_expired",
        )


def _check_key_usage(cert: x509.Certificate) -> None:
    try:
        key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        allowed = key_usage.digital_signature or key_usage.content_commitment
    except x509.ExtensionNotFound:
        allowed = False  # certificates of licensed CAs always state their key usage
    try:
        if cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            allowed = False
    except x509.ExtensionNotFound:
        pass
    if not allowed:
        logger.info("PKI certificate key usage does not allow signing: %s", _about(cert))
        raise PkiError(
            _(
                "Chứng thư số này không được phép dùng để ký số. "
                "Vui lòng chọn chứng thư số dùng cho chữ ký số."
            ),
            code="key_usage_not_allowed",
        )


# --- 5, 6. chain and revocation ----------------------------------------------------------------------


def _untrusted(detail: str, cert: x509.Certificate) -> PkiError:
    logger.info("PKI certificate untrusted: %s; %s", detail, _about(cert))
    return PkiError(
        _(
            "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực chữ ký số được Cổng tin cậy cấp, "
            "nên không dùng được để xác thực."
        ),
        code="certificate_untrusted",
    )


def _revoked(error: RevokedError, cert: x509.Certificate) -> PkiError:
    # Not str(error): certvalidator may name the revoked certificate (it or a CA) by its subject.
    logger.info("PKI certificate revoked (it or a CA of its path): %s", _about(cert))
    return PkiError(
        _(
            "Chứng thư số đã bị thu hồi từ ngày %(date)s. "
            "Vui lòng liên hệ nhà cung cấp dịch vụ chứng thực để được cấp chứng thư số mới."
        )
        % {"date": _date(error.revocation_dt)},
        code="certificate_revoked",
    )


def _revocation_unknown(detail: str, cert: x509.Certificate) -> PkiError:
    logger.warning("PKI revocation status unknown: %s; %s", detail, _about(cert))
    return PkiError(
        _("Hiện chưa kiểm tra được chứng thư số có bị thu hồi hay không. Vui lòng thử lại sau ít phút."),
        code="revocation_unknown",
        status=503,
    )


def _run(coroutine_factory):
    """Run an async certvalidator call from sync code, also when this thread already runs an event loop
    (Playwright's sync API does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_factory())).result()


def _validate_path(signer, intermediates, trust_roots, crls, at, policy) -> None:
    context = ValidationContext(
        trust_roots=trust_roots,
        other_certs=intermediates,
        crls=crls,
        moment=at,
        allow_fetching=False,  # CRLs come only from settings (files, or URLs fetched below)
        revinfo_policy=CertRevTrustPolicy(policy),
    )
    validator = CertificateValidator(signer, validation_context=context)
    _run(validator.async_validate_path)


def _vetted_intermediates(candidates, known: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """The CA certificates sent with a signature that a known CA did issue, directly or through another
    of them. Anything else (the signer's own certificate, self-signed roots, certificates altered on the
    way) is left out: it would only be noise for path building and for finding the issuers of CRLs."""
    issuers = [x509.load_der_x509_certificate(c.dump()) for c in known]
    pending = []
    for candidate in candidates:
        try:
            if candidate.ca and candidate.self_signed == "no":
                pending.append((candidate, x509.load_der_x509_certificate(candidate.dump())))
        except ValueError:
            continue
    vetted, progress = [], True
    while pending and progress:
        progress = False
        for entry in list(pending):
            if any(_issued_by(entry[1], issuer) for issuer in issuers):
                vetted.append(entry[0])
                issuers.append(entry[1])
                pending.remove(entry)
                progress = True
    return vetted


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def _check_chain(
    signer: asn1_x509.Certificate, cert: x509.Certificate, cms_certificates, at: datetime | None
) -> str:
    """`signer` and `cert` are one certificate (asn1crypto for certvalidator, cryptography for logs).
    certvalidator's messages name certificates by their subject: only their type is logged."""
    roots = sources.trust_roots()
    if not roots:
        # Never let certvalidator fall back to the operating system's TLS roots.
        raise _untrusted("no trusted roots are configured (PKI_TRUST_ROOTS)", cert)
    configured = sources.intermediates()
    intermediates = configured + _vetted_intermediates(cms_certificates, roots + configured)
    crl_list = sources.crls()
    try:
        _validate_path(signer, intermediates, roots, crl_list, at, REQUIRE_REVINFO)
        return "good"
    except RevokedError as exc:
        raise _revoked(exc, cert) from exc
    except InsufficientRevinfoError as exc:
        unknown = type(exc).__name__
    except (PathError, ValidationError, ValueError) as exc:
        raise _untrusted(type(exc).__name__, cert) from exc
    # The chain is sound but some revocation status could not be established. Use what there is: a
    # CRL that does list the certificate still means "revoked".
    try:
        _validate_path(signer, intermediates, roots, crl_list, at, _BEST_EFFORT)
    except RevokedError as exc:
        raise _revoked(exc, cert) from exc
    except (PathError, ValidationError, ValueError) as exc:
        raise _untrusted(type(exc).__name__, cert) from exc
    if getattr(settings, "PKI_REVOCATION_UNKNOWN", "refuse") == "allow":
        logger.warning(
            "PKI revocation status unknown, accepted by PKI_REVOCATION_UNKNOWN: %s; %s", unknown, _about(cert)
        )
        return "unknown"
    raise _revocation_unknown(unknown, cert)


# --- the result --------------------------------------------------------------------------------------


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _identity_numbers(cert: x509.Certificate) -> tuple[str | None, str | None]:
    id_number = tax_code = None
    for attribute in cert.subject.get_attributes_for_oid(NameOID.USER_ID):
        scheme, _sep, value = str(attribute.value).partition(":")
        scheme, value = scheme.strip().upper(), value.strip()
        # CCCD: the 12-digit citizen identity number; CMND: the old ID card, 9 (or 12) digits.
        lengths = {"CCCD": (12,), "CMND": (9, 12)}.get(scheme, ())
        if len(value) in lengths and value.isdigit():
            id_number = id_number or value
        elif scheme == "MST" and _is_tax_code(value):
            tax_code = tax_code or value
    return id_number, tax_code


def _is_tax_code(value: str) -> bool:
    """10 digits, or 10-3 for a branch (Circular 105/2020/TT-BTC)."""
    head, _sep, branch = value.partition("-")
    return len(head) == 10 and head.isdigit() and (not branch or (len(branch) == 3 and branch.isdigit()))


def _verified_signer(cert: x509.Certificate, der: bytes, revocation: str) -> VerifiedSigner:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    id_number, tax_code = _identity_numbers(cert)
    return VerifiedSigner(
        fingerprint=hashlib.sha256(der).hexdigest(),
        serial_number=format(cert.serial_number, "x"),
        subject=_nfc(cert.subject.rfc4514_string()),
        issuer=_nfc(cert.issuer.rfc4514_string()),
        common_name=_nfc(str(names[0].value)) if names else "",
        id_number=id_number,
        tax_code=tax_code,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        revocation=revocation,
        certificate_der=der,
    )
