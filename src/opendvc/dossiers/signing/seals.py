"""Where an agency's signing certificate and key come from: the `AgencySealProvider` port.

settings.DOSSIER_SEAL_PROVIDER names the adapter (dotted path to a class):

- `TestCaSeals` (the default, the reference adapter): a certificate per agency issued by the development
  test PKI (identity.pki.testca), made on first use or by `manage.py make_agency_seals`, kept in
  `<PKI_TEST_CA_DIR>/seals/`. Works only while settings.PKI_TEST_CA_ENABLED, so that production never
  signs with a test key.
- `Pkcs12Seals` (production): `<DOSSIER_SEAL_DIR>/<agency code>.p12`, whose password is in
  `<agency code>.pass` beside it or else in the environment variable DOSSIER_SEAL_PASSWORD.
"""

import json
import logging
import os
import re
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from asn1crypto import keys, pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from opendvc.core.errors import DomainError
from opendvc.identity.pki import sources, testca, testca_build

logger = logging.getLogger(__name__)

DEFAULT_PROVIDER = "opendvc.dossiers.signing.seals.TestCaSeals"
_SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SealUnavailable(DomainError):
    """The agency has no usable signing certificate: the result cannot be signed now."""

    status = 503
    code = "seal_unavailable"


def unavailable(agency, detail: str) -> SealUnavailable:
    logger.error("No seal for agency %s: %s", getattr(agency, "code", agency), detail)
    return SealUnavailable(
        _(
            "Chưa ký số được kết quả: chưa có chứng thư số của cơ quan “%(agency)s”. "
            "Vui lòng báo quản trị hệ thống."
        )
        % {"agency": getattr(agency, "name_vi", str(agency))}
    )


@runtime_checkable
class AgencySealProvider(Protocol):
    """Gives the pyHanko signer (certificate, key or a handle on it, chain) that signs for an agency.

    Any `pyhanko.sign.signers.Signer` will do: a key in memory (both adapters here), a PKCS#11 token or
    HSM (`pyhanko.sign.pkcs11`), a remote signing service. Raise SealUnavailable when there is none."""

    def signer_for(self, agency) -> Signer: ...


_providers: dict[str, AgencySealProvider] = {}


def seal_provider() -> AgencySealProvider:
    """The adapter named by settings.DOSSIER_SEAL_PROVIDER (one instance per process)."""
    path = getattr(settings, "DOSSIER_SEAL_PROVIDER", "") or DEFAULT_PROVIDER
    if path not in _providers:
        _providers[path] = import_string(path)()
    return _providers[path]


def _safe_code(agency) -> str:
    code = getattr(agency, "code", "") or ""
    if not _SAFE_CODE.match(code):
        raise unavailable(agency, "the agency code cannot name a file")
    return code


# --- reference adapter: the development test PKI ------------------------------------------------------


class TestCaSeals:
    """Per-agency certificates of the test PKI's issuing CA: C=VN, O and CN = the agency's name,
    digitalSignature + nonRepudiation. One PEM file per agency (key and certificate), written atomically."""

    __test__ = False  # not a pytest test class

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[tuple[int, int], SimpleSigner]] = {}

    @staticmethod
    def directory() -> Path:
        return testca.default_directory() / "seals"

    def path_for(self, agency) -> Path:
        return self.directory() / f"{_safe_code(agency)}.pem"

    def signer_for(self, agency) -> SimpleSigner:
        if not testca.enabled():
            raise unavailable(
                agency, "TestCaSeals needs PKI_TEST_CA_ENABLED; configure DOSSIER_SEAL_PROVIDER"
            )
        path = self.ensure(agency)
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == version:
                return cached[1]
        signer = self._load(path)
        with self._lock:
            self._cache[path] = (version, signer)
        return signer

    def ensure(self, agency, *, force: bool = False) -> Path:
        """The agency's seal file, issued first when missing (or when `force`). Made by the test PKI in
        PKI_TEST_CA_DIR, which is made too if it is missing."""
        pki = testca.ensure_test_pki()
        path = self.path_for(agency)
        if path.exists() and not force:
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _issue(pki, agency)
        handle, temporary = tempfile.mkstemp(prefix=".seal-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)  # atomic: a concurrent reader sees the old file or the new one
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        logger.info("Issued a test seal certificate for agency %s", agency.code)
        return path

    @staticmethod
    def _load(path: Path) -> SimpleSigner:
        blocks = {kind: der for kind, _headers, der in pem.unarmor(path.read_bytes(), multiple=True)}
        key = keys.PrivateKeyInfo.load(blocks["PRIVATE KEY"])
        certificate = asn1_x509.Certificate.load(blocks["CERTIFICATE"])
        pki = testca.ensure_test_pki()
        chain = [load_cert_from_pemder(pki.issuing_certificate), load_cert_from_pemder(pki.root_certificate)]
        return SimpleSigner(
            signing_cert=certificate,
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )


def name_attribute(text: str, limit: int = 64) -> str:
    """`text` cut to the X.509 limit of `limit` UTF-8 bytes (not characters: "Ủy ban nhân dân…" has
    many two- and three-byte letters), between words."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    cut = encoded[: limit + 1].decode("utf-8", errors="ignore")
    return cut.rsplit(" ", 1)[0].rstrip() if " " in cut else cut[:-1]


def _issue(pki, agency) -> bytes:
    """A new key and a certificate for `agency` from the test issuing CA, as one PEM (key first)."""
    issuer_key = serialization.load_pem_private_key(
        (pki.directory / "issuing-ca.key.pem").read_bytes(), password=None
    )
    issuer = testca.load_certificate(pki.issuing_certificate)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name_attribute(agency.name_vi)),
            x509.NameAttribute(NameOID.COMMON_NAME, name_attribute(agency.name_vi)),
        ]
    )
    certificate = testca_build.seal_certificate(
        name,
        key,
        issuer,
        issuer_key,
        datetime(2020, 1, 1, tzinfo=UTC),  # tests may freeze the clock from 2020 on
        issuer.not_valid_after_utc,
        crl_url=_issuing_crl_url(pki),
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + certificate.public_bytes(serialization.Encoding.PEM)


def _issuing_crl_url(pki) -> str | None:
    try:
        manifest = json.loads((pki.directory / testca.MANIFEST).read_text(encoding="utf-8"))
        return manifest["crl_urls"]["issuing-ca.crl"]
    except (OSError, ValueError, KeyError):
        return None


# --- production adapter: PKCS#12 files ----------------------------------------------------------------


class Pkcs12Seals:
    """`<DOSSIER_SEAL_DIR>/<agency code>.p12`, password from `<code>.pass` or $DOSSIER_SEAL_PASSWORD.
    The configured CA certificates (PKI_INTERMEDIATE_CERTIFICATES) are added to the embedded chain."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[tuple, SimpleSigner]] = {}

    @staticmethod
    def directory() -> Path | None:
        configured = getattr(settings, "DOSSIER_SEAL_DIR", None)
        return Path(configured) if configured else None

    def signer_for(self, agency) -> SimpleSigner:
        directory = self.directory()
        if directory is None:
            raise unavailable(agency, "DOSSIER_SEAL_DIR is not set")
        code = _safe_code(agency)
        path, password_file = directory / f"{code}.p12", directory / f"{code}.pass"
        try:
            stat = path.stat()
        except OSError:
            raise unavailable(agency, f"{path} is missing") from None
        password_stat = password_file.stat() if password_file.exists() else None
        version = (stat.st_mtime_ns, stat.st_size, password_stat and password_stat.st_mtime_ns)
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == version:
                return cached[1]
        if password_stat is not None:
            password = password_file.read_bytes().rstrip(b"\r\n")
        else:
            password = os.environ.get("DOSSIER_SEAL_PASSWORD", "").encode() or None
        try:
            signer = SimpleSigner.load_pkcs12_data(
                path.read_bytes(), other_certs=sources.intermediates(), passphrase=password
            )
        except (OSError, ValueError) as exc:
            raise unavailable(
                agency, f"{path} cannot be opened ({type(exc).__name__}; wrong password?)"
            ) from exc
        with self._lock:
            self._cache[path] = (version, signer)
        return signer
