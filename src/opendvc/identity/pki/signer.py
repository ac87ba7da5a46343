"""The developer's stand-in for a signing token: detached CMS signatures with the test PKI's keys.

What a USB token's browser plug-in (or a carrier's SIM) returns: a CMS SignedData (RFC 5652) without
the content, one SignerInfo with signed attributes contentType (id-data), signingTime, messageDigest
(SHA-256 of the data) and signingCertificateV2 (RFC 5035, as CAdES-BES signers add), signed with
RSA PKCS #1 v1.5 / SHA-256, carrying the signer's certificate and its CA certificates.
"""

import hashlib

from asn1crypto import algos, cms, core, tsp, x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from opendvc.identity.pki.testca import ensure_test_pki


def sign_detached(data: bytes, token_id: str) -> tuple[bytes, bytes]:
    """Sign `data` with test token `token_id` (see testca.TOKEN_SPECS).

    Returns (DER CMS SignedData, detached; DER signer certificate). Raises testca.UnknownToken."""
    token = ensure_test_pki().token(token_id)
    certificate_der = token.certificate_der()
    chain_der = [c.public_bytes(serialization.Encoding.DER) for c in token.chain()]
    cms_der = build_signed_data(data, certificate_der, chain_der, token.private_key())
    return cms_der, certificate_der


def build_signed_data(
    data: bytes, certificate_der: bytes, chain_der: list[bytes], private_key, *, include_certificates=True
) -> bytes:
    """A detached CMS SignedData over `data` by the RSA `private_key` of `certificate_der`; with the
    signer's and the `chain_der` certificates unless `include_certificates` is false (some plug-ins send
    the certificate apart)."""
    certificate = x509.Certificate.load(certificate_der)
    signed_attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": timezone.now()})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(data).digest()]}),
            cms.CMSAttribute(
                {"type": "signing_certificate_v2", "values": [_signing_certificate(certificate)]}
            ),
        ]
    )
    # The signature covers the DER of the attributes as a SET OF (RFC 5652 §5.4), not their [0] tagging.
    signature = private_key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            "signature": core.OctetString(signature),
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "data"},  # detached: no content
            "certificates": [certificate, *(x509.Certificate.load(der) for der in chain_der)]
            if include_certificates
            else None,
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _signing_certificate(certificate: x509.Certificate) -> tsp.SigningCertificateV2:
    """RFC 5035: binds the signature to this very certificate (hash, issuer and serial)."""
    cert_id = tsp.ESSCertIDv2(
        {
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(certificate.dump()).digest(),
            "issuer_serial": {
                "issuer": [x509.GeneralName({"directory_name": certificate.issuer})],
                "serial_number": certificate.serial_number,
            },
        }
    )
    return tsp.SigningCertificateV2({"certs": [cert_id]})
