"""How the development test PKI is made (with `cryptography`): the CAs, the demo tokens and the CRLs.

`testca.ensure_test_pki()` calls `generate(directory)` on an empty private directory and renames it into
place; the manifest is written last, so a directory with a manifest is complete.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

# Bump when the layout or the token list changes: an older generated PKI is then made again.
LAYOUT_VERSION = 1
MANIFEST = "manifest.json"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

ROOT_NAME = "OpenDVC Test Root CA"
ISSUING_NAME = "OpenDVC Test Issuing CA"
UNKNOWN_NAME = "Unknown CA"

AN = {"holder": "Nguyễn Văn An", "uid": "CCCD:001088012345"}

# id -> how the token is made. "kind" is "usb" (listed by the token plug-in stand-in) or "sim" (signs
# through the reference mobile-signature service for `phone`).
TOKEN_SPECS: dict[str, dict] = {
    "an": {**AN, "kind": "usb", "purpose": "Công dân, USB ký số hợp lệ."},
    "saomai": {
        "holder": "CÔNG TY TNHH PHẦN MỀM SAO MAI",
        "uid": "MST:0101234567",
        "kind": "usb",
        "purpose": "Doanh nghiệp, USB ký số hợp lệ; người đại diện theo pháp luật: Nguyễn Văn An.",
    },
    "hai-cmnd": {
        "holder": "Đỗ Văn Hải",
        "uid": "CMND:012345678",
        "kind": "usb",
        "purpose": "Công dân, chứng thư ghi số CMND 9 chữ số cũ.",
    },
    "binh-sim": {
        "holder": "Trần Thị Bình",
        "uid": "CCCD:079190001234",
        "kind": "sim",
        "phone": "0987654321",
        "purpose": "SIM ký số trên số 0987654321.",
    },
    "cuong-sim": {
        "holder": "Lê Văn Cường",
        "uid": "CCCD:038085004321",
        "kind": "sim",
        "phone": "0971112233",
        "purpose": "SIM ký số trên số 0971112233.",
    },
    "expired": {
        **AN,
        "kind": "usb",
        "not_after": datetime(2021, 3, 1, tzinfo=UTC),
        "note": "đã hết hạn",
        "purpose": "Hết hạn ngày 01/03/2021.",
    },
    "revoked": {
        **AN,
        "kind": "usb",
        "revoked_at": datetime(2021, 6, 1, tzinfo=UTC),
        "note": "đã bị thu hồi",
        "purpose": "Bị thu hồi, có trong CRL của CA cấp phát.",
    },
    "not-yet-valid": {
        **AN,
        "kind": "usb",
        "not_yet_valid": True,
        "note": "chưa có hiệu lực",
        "purpose": "Chỉ có hiệu lực từ 5 năm sau ngày tạo PKI thử nghiệm.",
    },
    "no-digital-signature-key-usage": {
        **AN,
        "kind": "usb",
        "key_usage": "encipherment",
        "note": "không dùng để ký",
        "purpose": "Mục đích sử dụng khóa chỉ là mã hóa (keyEncipherment), không có ký số.",
    },
    "unknown-issuer": {
        **AN,
        "kind": "usb",
        "issuer": "unknown",
        "note": "CA không được tin cậy",
        "purpose": "Do một CA tự ký không được tin cậy cấp.",
    },
}

KIND_LABELS = {"usb": "USB ký số", "sim": "SIM ký số"}


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OpenDVC (thử nghiệm)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _holder_name(holder: str, uid: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Hà Nội"),
            x509.NameAttribute(NameOID.COMMON_NAME, holder),
            x509.NameAttribute(NameOID.USER_ID, uid),
        ]
    )


def _ca_certificate(name, key, issuer_name, issuer_key, not_after, *, path_length, crl_url=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(EPOCH)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if crl_url:
        builder = builder.add_extension(_crl_distribution_point(crl_url), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
    )


def _key_usage(kind: str) -> x509.KeyUsage:
    signing = kind == "signing"
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # nonRepudiation
        key_encipherment=not signing,
        data_encipherment=not signing,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _end_entity_builder(name, key, issuer_cert, issuer_key, not_before, not_after, *, key_usage, crl_url):
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(key_usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if crl_url:
        builder = builder.add_extension(_crl_distribution_point(crl_url), critical=False)
    return builder


def _end_entity(spec, key, issuer_cert, issuer_key, not_before, not_after, *, crl_url):
    name = _holder_name(spec["holder"], spec["uid"])
    usage = spec.get("key_usage", "signing")
    builder = _end_entity_builder(
        name, key, issuer_cert, issuer_key, not_before, not_after, key_usage=usage, crl_url=crl_url
    )
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION])
    return builder.add_extension(eku, critical=False).sign(issuer_key, hashes.SHA256())


def seal_certificate(name, key, issuer_cert, issuer_key, not_before, not_after, *, crl_url=None):
    """A document-signing (nonRepudiation) certificate for an organisation, e.g. an agency's seal."""
    builder = _end_entity_builder(
        name, key, issuer_cert, issuer_key, not_before, not_after, key_usage="signing", crl_url=crl_url
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _crl(issuer_cert, issuer_key, revoked: list[tuple[int, datetime]], next_update: datetime) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(EPOCH)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    for serial, revoked_at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _write_key(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)


def _write_certificate(path: Path, certificate: x509.Certificate) -> None:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _identity(uid: str) -> tuple[str | None, str | None]:
    scheme, _, value = uid.partition(":")
    return (value, None) if scheme in ("CCCD", "CMND") else (None, value)


def generate(directory: Path) -> None:
    """Make the test PKI in `directory` (existing and empty)."""
    now = datetime.now(UTC).replace(microsecond=0)
    base_url = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    root_crl_url = f"{base_url}/dev/test-pki/root-ca.crl"
    issuing_crl_url = f"{base_url}/dev/test-pki/issuing-ca.crl"

    root_key, issuing_key, unknown_key = _key(), _key(), _key()
    root_name, unknown_name = _ca_name(ROOT_NAME), _ca_name(UNKNOWN_NAME)
    root = _ca_certificate(
        root_name, root_key, root_name, root_key, now + timedelta(days=20 * 365), path_length=1
    )
    issuing = _ca_certificate(
        _ca_name(ISSUING_NAME),
        issuing_key,
        root_name,
        root_key,
        now + timedelta(days=15 * 365),
        path_length=0,
        crl_url=root_crl_url,
    )
    unknown = _ca_certificate(
        unknown_name, unknown_key, unknown_name, unknown_key, now + timedelta(days=20 * 365), path_length=0
    )
    (directory / "tokens").mkdir()
    for name, certificate, key in (
        ("root-ca", root, root_key),
        ("issuing-ca", issuing, issuing_key),
        ("unknown-ca", unknown, unknown_key),
    ):
        _write_certificate(directory / f"{name}.pem", certificate)
        _write_key(directory / f"{name}.key.pem", key)

    valid_until = now + timedelta(days=10 * 365)
    tokens, revoked = {}, []
    for token_id, spec in TOKEN_SPECS.items():
        key = _key()
        if spec.get("issuer") == "unknown":
            issuer_cert, issuer_key, chain = unknown, unknown_key, ["unknown-ca.pem"]
        else:
            issuer_cert, issuer_key, chain = issuing, issuing_key, ["issuing-ca.pem", "root-ca.pem"]
        not_before, not_after = EPOCH, spec.get("not_after", valid_until)
        if spec.get("not_yet_valid"):
            not_before, not_after = now + timedelta(days=5 * 365), now + timedelta(days=8 * 365)
        certificate = _end_entity(
            spec, key, issuer_cert, issuer_key, not_before, not_after, crl_url=issuing_crl_url
        )
        if "revoked_at" in spec:
            revoked.append((certificate.serial_number, spec["revoked_at"]))
        _write_certificate(directory / "tokens" / f"{token_id}.pem", certificate)
        _write_key(directory / "tokens" / f"{token_id}.key.pem", key)
        id_number, tax_code = _identity(spec["uid"])
        label = f"{spec['holder']} – {KIND_LABELS[spec['kind']]}"
        if spec.get("note"):
            label += f" ({spec['note']})"
        tokens[token_id] = {
            "kind": spec["kind"],
            "label": label,
            "holder": spec["holder"],
            "subject": certificate.subject.rfc4514_string(),
            "id_number": id_number,
            "tax_code": tax_code,
            "phone": spec.get("phone"),
            "purpose": spec["purpose"],
            "serial_number": format(certificate.serial_number, "x"),
            "fingerprint": certificate.fingerprint(hashes.SHA256()).hex(),
            "not_before": certificate.not_valid_before_utc.isoformat(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
            "certificate": f"tokens/{token_id}.pem",
            "key": f"tokens/{token_id}.key.pem",
            "chain": chain,
        }

    (directory / "root-ca.crl").write_bytes(_crl(root, root_key, [], valid_until))
    (directory / "issuing-ca.crl").write_bytes(_crl(issuing, issuing_key, revoked, valid_until))
    manifest = {
        "about": "OpenDVC development test PKI. Never trust it in production (PKI_TEST_CA_ENABLED).",
        "layout_version": LAYOUT_VERSION,
        "created_at": now.isoformat(),
        "root_certificate": "root-ca.pem",
        "issuing_certificate": "issuing-ca.pem",
        "unknown_root_certificate": "unknown-ca.pem",
        "crls": ["root-ca.crl", "issuing-ca.crl"],
        "crl_urls": {"root-ca.crl": root_crl_url, "issuing-ca.crl": issuing_crl_url},
        "tokens": tokens,
    }
    # The manifest is written last: a directory with a manifest is complete.
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
