"""PKI: verification of detached CMS signatures (USB token, SIM), the test CA, the signer and the token
plug-in stand-in."""

import base64
import hashlib
import json
import logging
import re
import threading
import unicodedata
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from asn1crypto import algos, cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.cache import cache
from django.core.management import call_command
from django.urls import include, path
from freezegun import freeze_time

from opendvc import urls as site_urls
from opendvc.identity.pki import PkiError, VerifiedSigner, verify_signature
from opendvc.identity.pki.signer import build_signed_data, sign_detached
from opendvc.identity.pki.testca import LAYOUT_VERSION, TOKEN_SPECS, ensure_test_pki

# The site with the identity pages, also while the site's urls.py does not include them yet.
urlpatterns = list(site_urls.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "identity" for pattern in urlpatterns):
    urlpatterns.insert(0, path("", include("opendvc.identity.urls")))
with_identity_pages = pytest.mark.urls(__name__)

CHALLENGE = b"opendvc-login:3f9a1c2e8b7d4e6fa1b2c3d4e5f60718"


@pytest.fixture(autouse=True)
def _pki(test_pki, settings):
    cache.clear()  # fetched CRLs are cached by URL, and a free port may come round again
    settings.PKI_TEST_CA_ENABLED = True
    settings.PKI_TRUST_ROOTS = []
    settings.PKI_CRLS = []
    settings.PKI_REVOCATION_UNKNOWN = "refuse"
    return test_pki


def refusal(data, signature, certificate=None, **kwargs) -> PkiError:
    with pytest.raises(PkiError) as caught:
        verify_signature(data, signature, certificate, **kwargs)
    return caught.value


# --- accepted signatures ------------------------------------------------------------------------------


def test_citizen_usb_token_gives_the_holders_name_and_citizen_id_number():
    signature, certificate = sign_detached(CHALLENGE, "an")

    signer = verify_signature(CHALLENGE, signature, certificate)

    assert signer.common_name == "Nguyễn Văn An"
    assert signer.id_number == "001088012345"
    assert signer.tax_code is None
    assert "UID=CCCD:001088012345" in signer.subject
    assert "CN=OpenDVC Test Issuing CA" in signer.issuer
    assert signer.revocation == "good"


def test_business_usb_token_gives_the_tax_code_and_no_id_number():
    signature, _certificate = sign_detached(CHALLENGE, "saomai")

    signer = verify_signature(CHALLENGE, signature)

    assert signer.common_name == "CÔNG TY TNHH PHẦN MỀM SAO MAI"
    assert signer.tax_code == "0101234567"
    assert signer.id_number is None


def test_old_nine_digit_id_card_number_is_read_from_the_cmnd_uid():
    signature, _certificate = sign_detached(CHALLENGE, "hai-cmnd")

    assert verify_signature(CHALLENGE, signature).id_number == "012345678"


def test_sim_certificate_verifies_like_a_usb_token():
    signature, _certificate = sign_detached(CHALLENGE, "binh-sim")

    assert verify_signature(CHALLENGE, signature).id_number == "079190001234"


def test_verified_signer_identifies_the_certificate_by_fingerprint_serial_and_validity(test_pki):
    token = test_pki.token("an")
    signature, certificate = sign_detached(CHALLENGE, "an")

    signer = verify_signature(CHALLENGE, signature)

    assert isinstance(signer, VerifiedSigner)
    assert signer.certificate_der == certificate
    assert signer.fingerprint == hashlib.sha256(certificate).hexdigest() == token.fingerprint
    assert signer.serial_number == token.serial_number
    assert signer.not_before == datetime(2020, 1, 1, tzinfo=UTC)
    assert signer.not_after > signer.not_before
    assert signer.not_after.tzinfo is not None


def test_signer_names_are_nfc():
    signature, _certificate = sign_detached(CHALLENGE, "cuong-sim")

    signer = verify_signature(CHALLENGE, signature)

    assert signer.common_name == "Lê Văn Cường"
    assert unicodedata.is_normalized("NFC", signer.common_name)
    assert unicodedata.is_normalized("NFC", signer.subject)


def test_certificate_sent_apart_from_a_cms_without_certificates_is_used(test_pki):
    token = test_pki.token("an")
    signature = build_signed_data(
        CHALLENGE, token.certificate_der(), [], token.private_key(), include_certificates=False
    )

    assert verify_signature(CHALLENGE, signature, token.certificate_der()).id_number == "001088012345"


def test_cms_without_certificates_and_no_certificate_sent_is_malformed(test_pki):
    token = test_pki.token("an")
    signature = build_signed_data(
        CHALLENGE, token.certificate_der(), [], token.private_key(), include_certificates=False
    )

    assert refusal(CHALLENGE, signature).code == "malformed"


def test_pem_certificate_is_accepted(test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")

    pem = test_pki.token("an").certificate_path.read_bytes()

    assert verify_signature(CHALLENGE, signature, pem).id_number == "001088012345"


def test_signing_attributes_follow_cms_for_a_detached_signature():
    signature, _certificate = sign_detached(CHALLENGE, "an")

    signed_data = cms.ContentInfo.load(signature)["content"]
    attributes = {
        a["type"].native: a["values"][0].native for a in signed_data["signer_infos"][0]["signed_attrs"]
    }

    assert signed_data["encap_content_info"]["content"].native is None  # detached
    assert attributes["content_type"] == "data"
    assert attributes["message_digest"] == hashlib.sha256(CHALLENGE).digest()
    assert "signing_time" in attributes


# --- refused signatures -------------------------------------------------------------------------------


def test_expired_certificate_is_refused_with_its_expiry_date():
    signature, _certificate = sign_detached(CHALLENGE, "expired")

    error = refusal(CHALLENGE, signature)

    assert error.code == "certificate_expired"
    assert "01/03/2021" in error.message
    assert "gia hạn" in error.message


def test_certificate_not_yet_valid_is_refused():
    signature, _certificate = sign_detached(CHALLENGE, "not-yet-valid")

    assert refusal(CHALLENGE, signature).code == "certificate_not_yet_valid"


def test_valid_certificate_is_refused_once_the_clock_passes_its_end(test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    not_after = verify_signature(CHALLENGE, signature).not_after

    with freeze_time(not_after.replace(year=not_after.year + 1)):
        assert refusal(CHALLENGE, signature).code == "certificate_expired"


def test_expired_certificate_verifies_at_a_moment_before_it_expired():
    signature, _certificate = sign_detached(CHALLENGE, "expired")

    with freeze_time("2020-06-01 09:00:00"):
        assert verify_signature(CHALLENGE, signature).id_number == "001088012345"
    assert verify_signature(CHALLENGE, signature, at=datetime(2020, 6, 1, tzinfo=UTC)).revocation == "good"


def test_revoked_certificate_is_refused_with_its_revocation_date():
    signature, _certificate = sign_detached(CHALLENGE, "revoked")

    error = refusal(CHALLENGE, signature)

    assert error.code == "certificate_revoked"
    assert "01/06/2021" in error.message


def test_revoked_certificate_was_good_at_a_moment_before_its_revocation():
    signature, _certificate = sign_detached(CHALLENGE, "revoked")

    assert verify_signature(CHALLENGE, signature, at=datetime(2021, 1, 1, tzinfo=UTC)).revocation == "good"


def test_certificate_of_an_unknown_issuer_is_untrusted():
    signature, _certificate = sign_detached(CHALLENGE, "unknown-issuer")

    assert refusal(CHALLENGE, signature).code == "certificate_untrusted"


def test_certificate_without_a_signing_key_usage_is_refused():
    signature, _certificate = sign_detached(CHALLENGE, "no-digital-signature-key-usage")

    error = refusal(CHALLENGE, signature)

    assert error.code == "key_usage_not_allowed"
    assert "không được phép dùng để ký số" in error.message


def test_signature_over_different_data_is_invalid():
    signature, _certificate = sign_detached(CHALLENGE, "an")

    assert refusal(CHALLENGE + b"x", signature).code == "invalid_signature"


def test_tampered_signature_value_is_invalid():
    signature, _certificate = sign_detached(CHALLENGE, "an")
    # The signature value is the last field of the SignerInfo, which ends the DER.
    tampered = signature[:-1] + bytes([signature[-1] ^ 0x01])

    assert refusal(CHALLENGE, tampered).code == "invalid_signature"


def test_tampered_signed_attributes_are_invalid():
    signature, _certificate = sign_detached(CHALLENGE, "an")
    info = cms.ContentInfo.load(signature)
    signer_info = info["content"]["signer_infos"][0]
    attributes = signer_info["signed_attrs"]
    signing_time = next(a for a in attributes if a["type"].native == "signing_time")
    signing_time["values"] = [cms.Time({"utc_time": datetime(2030, 1, 1, tzinfo=UTC)})]
    tampered = cms.ContentInfo.load(info.dump(force=True))

    assert refusal(CHALLENGE, tampered.dump()).code == "invalid_signature"


def test_certificate_of_another_token_than_the_signer_is_invalid(test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")

    assert (
        refusal(CHALLENGE, signature, test_pki.token("saomai").certificate_der()).code == "invalid_signature"
    )


def test_ca_certificate_altered_on_the_way_is_left_out_of_the_chain(test_pki):
    token = test_pki.token("an")
    root_der = x509.load_pem_x509_certificate(test_pki.root_certificate.read_bytes()).public_bytes(
        Encoding.DER
    )
    # Change one letter of the subject (the second "thử", after the issuer's): same length, new name.
    original = "thử nghiệm".encode()
    at = root_der.index(original, root_der.index(original) + 1)
    altered = root_der[:at] + "thừ nghiệm".encode() + root_der[at + len(original) :]
    signature = build_signed_data(CHALLENGE, token.certificate_der(), [altered], token.private_key())

    assert verify_signature(CHALLENGE, signature).revocation == "good"


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a signature", b"\x30\x82\x01\x00\x06", "a string, not bytes"],
    ids=["empty", "text", "truncated-der", "str"],
)
def test_bytes_that_are_not_a_cms_signature_are_malformed(garbage):
    error = refusal(CHALLENGE, garbage)

    assert error.code == "malformed"
    assert error.message.startswith("Chữ ký số không đúng định dạng")


def test_a_certificate_given_as_the_signature_is_malformed(test_pki):
    assert refusal(CHALLENGE, test_pki.token("an").certificate_der()).code == "malformed"


def test_truncated_signature_is_malformed():
    signature, _certificate = sign_detached(CHALLENGE, "an")

    assert refusal(CHALLENGE, signature[: len(signature) // 2]).code == "malformed"


def test_garbage_certificate_is_malformed():
    signature, _certificate = sign_detached(CHALLENGE, "an")

    assert refusal(CHALLENGE, signature, b"\x30\x03\x02\x01\x01").code == "malformed"


WEAK_HASH = hashes.SHA1()  # noqa: S303 - what the verifier must refuse


def _resigned(signature: bytes, algorithm: str, digest, *, parameters=None, pss=False) -> bytes:
    """Token an's CMS with its signed attributes signed again: `algorithm` (and `parameters`) as the
    SignerInfo's signature algorithm, the signature made over the `digest` hash (PKCS #1 v1.5 or PSS)."""
    info = cms.ContentInfo.load(signature)
    signer_info = info["content"]["signer_infos"][0]
    # RFC 5652 §5.4: the signature covers the attributes as a SET OF, not their [0] tagging.
    attributes = signer_info["signed_attrs"].untag().dump()
    chosen = {"algorithm": algorithm}
    if parameters is not None:
        chosen["parameters"] = parameters
    signer_info["signature_algorithm"] = algos.SignedDigestAlgorithm(chosen)
    pad = padding.PSS(padding.MGF1(digest), 32) if pss else padding.PKCS1v15()
    signer_info["signature"] = ensure_test_pki().token("an").private_key().sign(attributes, pad, digest)
    return info.dump(force=True)


def _pss_parameters(hash_name: str) -> dict:
    return {
        "hash_algorithm": {"algorithm": hash_name},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
        "salt_length": 32,
    }


def test_signature_made_with_sha1_is_invalid_even_over_a_sha256_message_digest():
    signature, _certificate = sign_detached(CHALLENGE, "an")

    error = refusal(CHALLENGE, _resigned(signature, "sha1_rsa", WEAK_HASH))

    assert error.code == "invalid_signature"
    assert error.message.startswith("Chữ ký số không hợp lệ")


def test_rsassa_pss_signature_over_sha1_is_invalid():
    signature, _certificate = sign_detached(CHALLENGE, "an")
    pss = _resigned(signature, "rsassa_pss", WEAK_HASH, parameters=_pss_parameters("sha1"), pss=True)

    assert refusal(CHALLENGE, pss).code == "invalid_signature"


def test_rsassa_pss_signature_without_parameters_is_invalid_because_they_default_to_sha1():
    signature, _certificate = sign_detached(CHALLENGE, "an")
    pss = _resigned(signature, "rsassa_pss", WEAK_HASH, pss=True)

    assert refusal(CHALLENGE, pss).code == "invalid_signature"


def test_rsassa_pss_signature_over_sha256_verifies():
    signature, _certificate = sign_detached(CHALLENGE, "an")
    pss = _resigned(signature, "rsassa_pss", hashes.SHA256(), parameters=_pss_parameters("sha256"), pss=True)

    assert verify_signature(CHALLENGE, pss).id_number == "001088012345"


def test_rsa_signature_algorithm_naming_no_hash_verifies_over_the_sha256_digest_algorithm():
    signature, _certificate = sign_detached(CHALLENGE, "an")

    plain_rsa = _resigned(signature, "rsassa_pkcs1v15", hashes.SHA256())

    assert verify_signature(CHALLENGE, plain_rsa).id_number == "001088012345"


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    """Every log line of the process while the test runs, any logger and level, tracebacks included.
    (A handler of its own: the suite may run with pytest's logging plug-in, and caplog, switched off.)"""
    handler, root = _Lines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("token_id", "code", "crls"),
    [
        ("unknown-issuer", "certificate_untrusted", "test"),
        ("revoked", "certificate_revoked", "test"),
        ("expired", "certificate_expired", "test"),
        ("an", "revocation_unknown", "none"),
    ],
)
def test_refusals_are_logged_without_the_holders_name_or_id_number(
    settings, test_pki, log_lines, token_id, code, crls
):
    signature, _certificate = sign_detached(CHALLENGE, token_id)
    if crls == "none":
        settings.PKI_TEST_CA_ENABLED = False
        settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]

    assert refusal(CHALLENGE, signature).code == code

    logged = "\n".join(log_lines)
    assert test_pki.token(token_id).serial_number in logged  # the refusal is logged, by serial number
    assert "001088012345" not in logged
    assert "Nguyễn Văn An" not in logged
    assert unicodedata.normalize("NFD", "Nguyễn Văn An") not in logged


# --- trust and revocation settings --------------------------------------------------------------------


def test_test_root_is_not_trusted_when_the_test_ca_is_disabled(settings):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    settings.PKI_TEST_CA_ENABLED = False

    assert refusal(CHALLENGE, signature).code == "certificate_untrusted"


def test_configured_trusted_root_and_crls_are_used_without_the_test_ca(settings, test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]
    settings.PKI_CRLS = [str(path) for path in test_pki.crls]

    assert verify_signature(CHALLENGE, signature).revocation == "good"


def test_missing_crl_makes_revocation_unknown_and_is_refused_by_default(settings, test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]

    error = refusal(CHALLENGE, signature)

    assert error.code == "revocation_unknown"
    assert error.status == 503
    assert "thử lại" in error.message


def test_missing_crl_is_accepted_as_unknown_when_the_setting_allows_it(settings, test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]
    settings.PKI_REVOCATION_UNKNOWN = "allow"

    signer = verify_signature(CHALLENGE, signature)

    assert signer.revocation == "unknown"
    assert signer.id_number == "001088012345"


def test_revoked_certificate_stays_refused_when_another_crl_of_the_chain_is_missing(settings, test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "revoked")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]
    settings.PKI_CRLS = [str(test_pki.directory / "issuing-ca.crl")]  # the root's CRL is missing
    settings.PKI_REVOCATION_UNKNOWN = "allow"

    assert refusal(CHALLENGE, signature).code == "certificate_revoked"


class _CrlServer:
    """Serves the test PKI's CRLs over HTTP on a free local port; `down` answers 503."""

    def __init__(self, directory):
        self.down = False
        served = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                name = self.path.lstrip("/")
                if served.down or name not in ("root-ca.crl", "issuing-ca.crl"):
                    self.send_response(503 if served.down else 404)
                    self.end_headers()
                    return
                body = (directory / name).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, name):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def test_crls_are_fetched_from_configured_http_urls(settings, test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "revoked")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]
    with _CrlServer(test_pki.directory) as server:
        settings.PKI_CRLS = [server.url("root-ca.crl"), server.url("issuing-ca.crl")]

        assert refusal(CHALLENGE, signature).code == "certificate_revoked"
        assert verify_signature(CHALLENGE, sign_detached(CHALLENGE, "an")[0]).revocation == "good"


def test_crl_server_that_is_down_makes_revocation_unknown(settings, test_pki):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(test_pki.root_certificate)]
    with _CrlServer(test_pki.directory) as server:
        server.down = True
        settings.PKI_CRLS = [server.url("root-ca.crl"), server.url("issuing-ca.crl")]

        assert refusal(CHALLENGE, signature).code == "revocation_unknown"


def test_unreadable_trusted_root_file_trusts_nothing(settings, tmp_path):
    signature, _certificate = sign_detached(CHALLENGE, "an")
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_TRUST_ROOTS = [str(tmp_path / "missing.pem")]

    assert refusal(CHALLENGE, signature).code == "certificate_untrusted"


# --- the test CA ----------------------------------------------------------------------------------------


def test_test_pki_has_every_demo_token_with_its_identity(test_pki):
    assert set(test_pki.tokens) == set(TOKEN_SPECS)
    assert test_pki.token("saomai").tax_code == "0101234567"
    assert test_pki.sim_token_for_phone("0987654321").id == "binh-sim"
    assert test_pki.sim_token_for_phone("+84 971 112 233").id == "cuong-sim"
    assert test_pki.sim_token_for_phone("0912345678") is None
    manifest = json.loads((test_pki.directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tokens"]["an"]["id_number"] == "001088012345"


def test_ensure_test_pki_is_idempotent(test_pki):
    again = ensure_test_pki()

    assert again.directory == test_pki.directory
    assert again.token("an").fingerprint == test_pki.token("an").fingerprint


def test_test_pki_made_by_concurrent_starts_is_one_and_complete(tmp_path):
    target = tmp_path / "pki"
    results, errors = [], []

    def start():
        try:
            results.append(ensure_test_pki(target))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len({r.token("an").fingerprint for r in results}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pki"]  # no half-built directories left
    assert (target / "manifest.json").exists()


def test_outdated_test_pki_is_made_again(tmp_path):
    target = tmp_path / "pki"
    first = ensure_test_pki(target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["layout_version"] = LAYOUT_VERSION - 1
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    second = ensure_test_pki(target)

    assert second.token("an").fingerprint != first.token("an").fingerprint
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pki"]


def test_make_test_pki_command_lists_the_tokens(tmp_path):
    out = StringIO()

    call_command("make_test_pki", "--directory", str(tmp_path / "pki"), stdout=out)

    assert "binh-sim" in out.getvalue()
    assert "0987654321" in out.getvalue()
    assert (tmp_path / "pki" / "issuing-ca.crl").exists()


def test_sign_challenge_command_prints_a_signature_that_verifies():
    out = StringIO()

    call_command(
        "sign_challenge", "--token", "an", "--data", base64.b64encode(CHALLENGE).decode(), stdout=out
    )

    answer = json.loads(out.getvalue())
    signer = verify_signature(
        CHALLENGE, base64.b64decode(answer["signature"]), base64.b64decode(answer["certificate"])
    )
    assert signer.id_number == "001088012345"


def test_sign_challenge_command_signs_text_with_the_text_flag():
    out = StringIO()

    call_command("sign_challenge", "--token", "saomai", "--data", "xin chào", "--text", stdout=out)

    signature = base64.b64decode(json.loads(out.getvalue())["signature"])
    assert verify_signature("xin chào".encode(), signature).tax_code == "0101234567"


# --- the token plug-in stand-in ----------------------------------------------------------------------


@with_identity_pages
def test_plugin_lists_the_usb_tokens_but_not_the_sims(client):
    response = client.get("/dev/token-plugin/certificates")

    assert response.status_code == 200
    tokens = {item["id"]: item for item in response.json()}
    assert "an" in tokens and "saomai" in tokens
    assert "binh-sim" not in tokens
    assert tokens["an"]["label"] == "Nguyễn Văn An – USB ký số"
    assert base64.b64decode(tokens["an"]["certificate"])[:1] == b"\x30"


@with_identity_pages
def test_plugin_signs_the_data_it_is_given(client):
    response = client.post(
        "/dev/token-plugin/sign",
        {"token": "saomai", "data": base64.b64encode(CHALLENGE).decode()},
        content_type="application/json",
    )

    assert response.status_code == 200
    answer = response.json()
    signer = verify_signature(
        CHALLENGE, base64.b64decode(answer["signature"]), base64.b64decode(answer["certificate"])
    )
    assert signer.tax_code == "0101234567"


@with_identity_pages
def test_plugin_answers_an_unknown_token_with_a_json_error(client):
    response = client.post(
        "/dev/token-plugin/sign", {"token": "nobody", "data": "AAAA"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert response.json()["error"] == "unknown_token"


@with_identity_pages
def test_plugin_refuses_data_that_is_not_base64(client):
    response = client.post(
        "/dev/token-plugin/sign", {"token": "an", "data": "not base64!"}, content_type="application/json"
    )

    assert response.status_code == 400


@with_identity_pages
@pytest.mark.parametrize(
    "url",
    ["/dev/token-plugin/certificates", "/dev/token-plugin/", "/dev/test-pki/root-ca.pem", "/dev/ky-so-sim/"],
)
def test_development_pages_do_not_exist_when_the_test_ca_is_disabled(client, settings, url):
    settings.PKI_TEST_CA_ENABLED = False

    assert client.get(url).status_code == 404


@with_identity_pages
def test_plugin_sign_does_not_exist_when_the_test_ca_is_disabled(client, settings):
    settings.PKI_TEST_CA_ENABLED = False

    response = client.post(
        "/dev/token-plugin/sign", {"token": "an", "data": "AAAA"}, content_type="application/json"
    )

    assert response.status_code == 404


@with_identity_pages
def test_test_crl_is_served_for_its_distribution_point(client, test_pki):
    response = client.get("/dev/test-pki/issuing-ca.crl")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (test_pki.directory / "issuing-ca.crl").read_bytes()


@pytest.mark.django_db
@with_identity_pages
def test_try_page_verifies_a_signature_over_its_own_challenge(client):
    page = client.get("/dev/token-plugin/").content.decode()
    challenge = base64.b64decode(re.search(r'data-challenge="([^"]+)"', page).group(1))
    signature, certificate = sign_detached(challenge, "an")

    response = client.post(
        "/dev/token-plugin/",
        {
            "signature": base64.b64encode(signature).decode(),
            "certificate": base64.b64encode(certificate).decode(),
        },
    )

    assert "Chữ ký số hợp lệ" in response.content.decode()
    assert "001088012345" in response.content.decode()


@pytest.mark.django_db
@with_identity_pages
def test_try_page_refuses_a_challenge_signed_twice(client):
    page = client.get("/dev/token-plugin/").content.decode()
    challenge = base64.b64decode(re.search(r'data-challenge="([^"]+)"', page).group(1))
    signature, certificate = sign_detached(challenge, "an")
    form = {
        "signature": base64.b64encode(signature).decode(),
        "certificate": base64.b64encode(certificate).decode(),
    }
    client.post("/dev/token-plugin/", form)

    replay = client.post("/dev/token-plugin/", form).content.decode()

    assert "Chữ ký số hợp lệ" not in replay
    assert "không khớp với dữ liệu cần ký" in replay


# --- in the browser ---------------------------------------------------------------------------------


@pytest.mark.browser
@with_identity_pages
def test_person_signs_in_the_browser_with_the_usb_token_plugin(page, test_pki):
    page.goto("/dev/token-plugin/")
    page.get_by_role("button", name="Ký bằng USB ký số").click()
    page.get_by_label("Chọn chứng thư số").select_option(label="Nguyễn Văn An – USB ký số")
    page.get_by_role("button", name="Ký và tiếp tục").click()

    status = page.get_by_role("status")
    status.get_by_text("Chữ ký số hợp lệ").wait_for()
    assert "001088012345" in status.inner_text()


@pytest.mark.browser
@with_identity_pages
def test_browser_shows_why_an_expired_token_is_refused(page, test_pki):
    page.goto("/dev/token-plugin/")
    page.get_by_role("button", name="Ký bằng USB ký số").click()
    page.get_by_label("Chọn chứng thư số").select_option(label="Nguyễn Văn An – USB ký số (đã hết hạn)")
    page.get_by_role("button", name="Ký và tiếp tục").click()

    page.get_by_text("Chứng thư số đã hết hạn vào ngày 01/03/2021").wait_for()


@pytest.mark.browser
@with_identity_pages
def test_browser_says_so_when_the_plugin_cannot_be_reached(page, settings, test_pki):
    settings.TOKEN_PLUGIN_URL = "/dev/no-plugin-here/"
    page.goto("/dev/token-plugin/")
    page.get_by_role("button", name="Ký bằng USB ký số").click()

    alert = page.get_by_role("alert")
    alert.get_by_text("Không kết nối được với phần mềm ký số (plug-in)").wait_for()
    assert page.get_by_label("Chọn chứng thư số").count() == 0
