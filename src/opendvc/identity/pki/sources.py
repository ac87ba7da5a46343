"""Where the verifier's trust comes from: trusted roots, CA certificates and CRLs, from settings.

Files are parsed once per version (mtime and size). CRL URLs are fetched with `requests` (no proxy from the
environment, redirects only on the same scheme, at most PKI_CRL_MAX_BYTES) and their bytes cached in the
Django cache until their nextUpdate; each process parses a CRL again only when its bytes change. A fetch
that failed is not tried again for FAILED_FETCH_SECONDS, so that a CRL host that is down does not cost its
timeout at every sign-in. A source that cannot be read is logged and left out: a missing root means
"untrusted", a missing CRL means "revocation unknown" — never a crash at sign-in.
"""

import hashlib
import logging
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from asn1crypto import crl, pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from opendvc.identity.pki import testca

logger = logging.getLogger(__name__)

FAILED_FETCH_SECONDS = 60
MAX_REDIRECTS = 3

_file_cache: dict[tuple[str, str], tuple[tuple[int, int], list]] = {}
# url -> (SHA-256 of the CRL bytes, what they parsed to), in this process
_parsed_crls: dict[str, tuple[bytes, list]] = {}


class CrlRefused(Exception):
    """A CRL URL answered but gave no CRL: an HTTP error, too many bytes, a redirect to another scheme."""


def _read_cached(path: Path, kind: str, parse) -> list:
    """Parse a configured file once per version of it (by mtime and size)."""
    try:
        stat = path.stat()
    except OSError as exc:
        logger.error("PKI %s file %s is unreadable: %s", kind, path, exc)
        return []
    key, version = (str(path), kind), (stat.st_mtime_ns, stat.st_size)
    cached = _file_cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    try:
        parsed = parse(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        logger.error("PKI %s file %s cannot be parsed: %s", kind, path, exc)
        parsed = []
    _file_cache[key] = (version, parsed)
    return parsed


def _parse_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    if pem.detect(data):
        certificates = [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    else:
        certificates = [asn1_x509.Certificate.load(data)]
    for certificate in certificates:
        certificate.native  # noqa: B018 - a broken certificate is refused here, not during validation
        certificate.subject.hashable  # noqa: B018 - and so is a name that cannot be compared
    return certificates


def _parse_crl(data: bytes) -> list[crl.CertificateList]:
    if pem.detect(data):
        lists = [crl.CertificateList.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    else:
        lists = [crl.CertificateList.load(data)]
    for certificate_list in lists:
        certificate_list.native  # noqa: B018 - a broken CRL is refused here, not during validation
    return lists


def trust_roots() -> list[asn1_x509.Certificate]:
    """The trusted roots: every certificate in the PEM files of settings.PKI_TRUST_ROOTS (the Vietnam
    National Root CA generations, the Government CA root), plus the test root when the test CA is
    enabled."""
    paths = [Path(p) for p in getattr(settings, "PKI_TRUST_ROOTS", [])] + testca.trust_roots()
    return [root for path in paths for root in _read_cached(path, "trust root", _parse_certificates)]


def intermediates() -> list[asn1_x509.Certificate]:
    """CA certificates for signatures that carry only the signer's: settings.PKI_INTERMEDIATE_CERTIFICATES
    (PEM files of the licensed CAs), plus the test issuing CA when the test CA is enabled."""
    paths = [Path(p) for p in getattr(settings, "PKI_INTERMEDIATE_CERTIFICATES", [])] + testca.intermediates()
    return [c for path in paths for c in _read_cached(path, "intermediate", _parse_certificates)]


def crls() -> list[crl.CertificateList]:
    """The CRLs of settings.PKI_CRLS (files, DER or PEM, or http(s) URLs fetched and cached until their
    nextUpdate), plus the test CRLs when the test CA is enabled. A CRL that cannot be had is left out:
    the certificates it covers get an unknown revocation status."""
    lists = []
    for source in getattr(settings, "PKI_CRLS", []):
        source = str(source)
        if source.startswith(("http://", "https://")):
            lists.extend(_fetch_crl(source))
        else:
            lists.extend(_read_cached(Path(source), "CRL", _parse_crl))
    for path in testca.crls():
        lists.extend(_read_cached(path, "CRL", _parse_crl))
    return lists


def _fetch_crl(url: str) -> list[crl.CertificateList]:
    """The CRLs at `url`. The bytes are shared through the Django cache until their nextUpdate; parsing is
    kept per process and done again only when the bytes change; a failure is remembered for a minute."""
    digest = hashlib.sha256(url.encode()).hexdigest()
    key, failed_key = f"pki:crl:{digest}", f"pki:crl-failed:{digest}"
    data = cache.get(key)
    if data is None:
        if cache.get(failed_key):
            return []
        try:
            data = _download(url)
            lists = _parsed(url, data)
        except (requests.RequestException, CrlRefused, ValueError, TypeError) as exc:
            logger.warning(
                "PKI CRL %s could not be fetched (%s), not tried again for %d s",
                url,
                exc if isinstance(exc, CrlRefused) else type(exc).__name__,
                FAILED_FETCH_SECONDS,
            )
            cache.set(failed_key, True, FAILED_FETCH_SECONDS)
            return []
        next_updates = [c["tbs_cert_list"]["next_update"].native for c in lists]
        lifetime = int(getattr(settings, "PKI_CRL_CACHE_SECONDS", 3600))
        for next_update in next_updates:
            if next_update is not None:
                lifetime = min(lifetime, int((next_update - timezone.now()).total_seconds()))
        if lifetime > 0:
            cache.set(key, data, lifetime)
        return lists
    try:
        return _parsed(url, data)
    except (ValueError, TypeError):
        cache.delete(key)
        return []


def _parsed(url: str, data: bytes) -> list[crl.CertificateList]:
    """`data` parsed, or what it parsed to last time when these are the same bytes: a CRL of a large CA
    lists 100,000 certificates and takes more than a second to read."""
    digest = hashlib.sha256(data).digest()
    cached = _parsed_crls.get(url)
    if cached is not None and cached[0] == digest:
        return cached[1]
    lists = _parse_crl(data)
    _parsed_crls[url] = (digest, lists)
    return lists


def _download(url: str) -> bytes:
    """GET `url` without the environment's proxies and credentials (as http_client.JsonHttpClient), a
    timeout per read, at most MAX_REDIRECTS redirects on the same scheme, at most PKI_CRL_MAX_BYTES."""
    scheme = urlsplit(url).scheme
    timeout = float(getattr(settings, "PKI_CRL_FETCH_TIMEOUT", 5))
    limit = int(getattr(settings, "PKI_CRL_MAX_BYTES", 50 * 1024 * 1024))
    with requests.Session() as session:
        session.trust_env = False
        for _redirect in range(MAX_REDIRECTS + 1):
            with session.get(url, timeout=timeout, allow_redirects=False, stream=True) as response:
                if not response.is_redirect:
                    if response.status_code != 200:
                        raise CrlRefused(f"HTTP {response.status_code}")
                    return _read_at_most(response, limit)
                target = urljoin(url, response.headers["Location"])
                if urlsplit(target).scheme != scheme:
                    raise CrlRefused(f"redirected from {scheme} to {urlsplit(target).scheme or 'nothing'}")
                url = target
    raise CrlRefused(f"more than {MAX_REDIRECTS} redirects")


def _read_at_most(response: requests.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise CrlRefused(f"{declared} bytes, more than PKI_CRL_MAX_BYTES ({limit})")
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=64 * 1024):
        size += len(chunk)
        if size > limit:
            raise CrlRefused(f"more than PKI_CRL_MAX_BYTES ({limit}) bytes")
        chunks.append(chunk)
    return b"".join(chunks)
