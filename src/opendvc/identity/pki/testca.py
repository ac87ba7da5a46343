"""The development test PKI: a root CA, an issuing CA, a CRL and the keys of demo USB tokens and SIMs.

Made with `cryptography` into `settings.PKI_TEST_CA_DIR` by `ensure_test_pki()` (or `manage.py
make_test_pki`). The layout, described by `manifest.json`:

    root-ca.pem, root-ca.crl          "OpenDVC Test Root CA" and its (empty) CRL of revoked CAs
    issuing-ca.pem, issuing-ca.crl    "OpenDVC Test Issuing CA" and its CRL (lists token "revoked")
    unknown-ca.pem                    a self-signed "Unknown CA" that nothing trusts
    *.key.pem                         the CAs' private keys
    tokens/<id>.pem, <id>.key.pem     end-entity certificates and private keys (RSA 2048)

Subjects follow the Vietnamese CA convention: CN = holder name and the identity in the UID attribute
(0.9.2342.19200300.100.1.1) as "CCCD:<12 digits>", "CMND:<9 digits>" or "MST:<tax code>".

Validity periods start on 2020-01-01 (so that tests may freeze the clock anywhere from 2020 on) and end
relative to the day the PKI was made. The verifier trusts this root and uses these CRLs only when
`settings.PKI_TEST_CA_ENABLED` (`trust_roots()`, `crls()`); production never does.
"""

import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from opendvc.core.personal_data import normalize_phone
from opendvc.identity.pki.testca_build import (  # noqa: F401 - part of this module's public names
    LAYOUT_VERSION,
    MANIFEST,
    TOKEN_SPECS,
    generate,
)


class UnknownToken(LookupError):
    """No test token has this id (or this phone)."""


@dataclass(frozen=True)
class TestToken:
    """One demo token of the test PKI: its certificate and private key on disk."""

    __test__ = False  # not a pytest test class

    id: str
    kind: str  # "usb" | "sim"
    label: str
    holder: str
    subject: str
    id_number: str | None
    tax_code: str | None
    phone: str | None
    purpose: str
    serial_number: str
    fingerprint: str
    certificate_path: Path
    key_path: Path
    chain_paths: tuple[Path, ...]  # the CA certificates a plug-in sends along (issuer first)

    def certificate_der(self) -> bytes:
        return load_certificate(self.certificate_path).public_bytes(serialization.Encoding.DER)

    def certificate(self) -> x509.Certificate:
        return load_certificate(self.certificate_path)

    def chain(self) -> list[x509.Certificate]:
        return [load_certificate(path) for path in self.chain_paths]

    def private_key(self) -> rsa.RSAPrivateKey:
        return serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)


@dataclass(frozen=True)
class TestPki:
    """Where the generated test PKI lives and what its manifest says."""

    __test__ = False  # not a pytest test class

    directory: Path
    root_certificate: Path
    issuing_certificate: Path
    crls: tuple[Path, ...]
    created_at: datetime
    tokens: dict[str, TestToken] = field(default_factory=dict)

    def token(self, token_id: str) -> TestToken:
        try:
            return self.tokens[token_id]
        except KeyError:
            raise UnknownToken(token_id) from None

    def usb_tokens(self) -> list[TestToken]:
        return [token for token in self.tokens.values() if token.kind == "usb"]

    def sim_tokens(self) -> list[TestToken]:
        return [token for token in self.tokens.values() if token.kind == "sim"]

    def sim_token_for_phone(self, phone: str) -> TestToken | None:
        phone = normalize_phone(phone)
        return next((t for t in self.tokens.values() if t.kind == "sim" and t.phone == phone), None)


def load_certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def enabled() -> bool:
    return bool(getattr(settings, "PKI_TEST_CA_ENABLED", False))


def trust_roots() -> list[Path]:
    """The test root (PEM) when the test CA is enabled, else nothing. Made on first use."""
    return [ensure_test_pki().root_certificate] if enabled() else []


def intermediates() -> list[Path]:
    """The test issuing CA (PEM) when the test CA is enabled, for signatures that do not carry it."""
    return [ensure_test_pki().issuing_certificate] if enabled() else []


def crls() -> list[Path]:
    """The test CRLs (DER: the root's and the issuing CA's) when the test CA is enabled, else nothing."""
    return list(ensure_test_pki().crls) if enabled() else []


def default_directory() -> Path:
    return Path(getattr(settings, "PKI_TEST_CA_DIR", Path(tempfile.gettempdir()) / "opendvc-test-pki"))


_loaded: dict[Path, tuple[int, TestPki]] = {}


def ensure_test_pki(directory: Path | str | None = None, *, force: bool = False) -> TestPki:
    """The test PKI in `directory` (default settings.PKI_TEST_CA_DIR), made first if it is missing.

    Cheap when it exists (one stat and a cached manifest). Safe when several processes start at once:
    each builds in a private temporary directory and renames it into place; the first rename wins and
    the others use the winner's PKI. `force` makes a new one (new keys) even if one exists."""
    directory = Path(directory or default_directory())
    if not force:
        existing = _load(directory)
        if existing is not None:
            return existing
    directory.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{directory.name}-build-", dir=directory.parent))
    try:
        generate(build)
        for _attempt in range(5):
            try:
                # rename() replaces a missing or empty directory atomically, never a full one.
                os.rename(build, directory)
                break
            except OSError:
                existing = None if force else _load(directory)
                if existing is not None:
                    return existing  # another process won the race
                # An outdated or broken PKI (or a forced rebuild): move it aside, then retry.
                aside = directory.parent / f".{directory.name}-old-{uuid.uuid4().hex}"
                try:
                    os.rename(directory, aside)
                except FileNotFoundError:
                    continue
                shutil.rmtree(aside, ignore_errors=True)
                force = False
        else:
            raise RuntimeError(f"Could not install the test PKI into {directory}")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    loaded = _load(directory)
    if loaded is None:
        raise RuntimeError(f"The test PKI in {directory} is unreadable after it was made")
    return loaded


def _load(directory: Path) -> TestPki | None:
    manifest_path = directory / MANIFEST
    try:
        mtime = manifest_path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    cached = _loaded.get(directory)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("layout_version") != LAYOUT_VERSION:
        return None
    tokens = {}
    for token_id, entry in manifest["tokens"].items():
        tokens[token_id] = TestToken(
            id=token_id,
            kind=entry["kind"],
            label=entry["label"],
            holder=entry["holder"],
            subject=entry["subject"],
            id_number=entry["id_number"],
            tax_code=entry["tax_code"],
            phone=entry["phone"],
            purpose=entry["purpose"],
            serial_number=entry["serial_number"],
            fingerprint=entry["fingerprint"],
            certificate_path=directory / entry["certificate"],
            key_path=directory / entry["key"],
            chain_paths=tuple(directory / path for path in entry["chain"]),
        )
    pki = TestPki(
        directory=directory,
        root_certificate=directory / manifest["root_certificate"],
        issuing_certificate=directory / manifest["issuing_certificate"],
        crls=tuple(directory / path for path in manifest["crls"]),
        created_at=datetime.fromisoformat(manifest["created_at"]),
        tokens=tokens,
    )
    _loaded[directory] = (mtime, pki)
    return pki
