"""The agency's signature on electronic results: PAdES with the agency's certificate from the configured
seal provider (test PKI by default, PKCS#12 files in production)."""

import asyncio
import http.server
import io
import socket
import threading

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Agency
from opendvc.core.errors import DomainError
from opendvc.core.models import AuditEvent
from opendvc.dossiers import letters, signing, verification
from opendvc.dossiers.models import DossierDocument, Status, StoredFile
from opendvc.dossiers.services import actions
from opendvc.dossiers.services.files import store_bytes
from opendvc.dossiers.signing.seals import TestCaSeals
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier, make_pdf_bytes

pytestmark = pytest.mark.django_db
BA_DINH = "000.00.21.H26"
PKCS12 = "opendvc.dossiers.signing.seals.Pkcs12Seals"


@pytest.fixture
def agency():
    return Agency.objects.get(code=HOAN_KIEM)


def signatures(content: bytes):
    return PdfFileReader(io.BytesIO(content)).embedded_signatures


def subject(signature) -> dict:
    return signature.signer_cert.subject.native


def read(stored: StoredFile) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def two_page_pdf() -> bytes:
    return letters.html_to_pdf(
        '<html><body style="font-family: DejaVu Serif">Trang một'
        '<p style="page-break-before: always">Trang hai</p></body></html>'
    )


# --- sign_result ----------------------------------------------------------------------------------------


def test_signing_a_result_stores_a_signed_copy_owned_by_the_applicant(agency):
    citizen = make_citizen()
    original = make_pdf_bytes("Giay khai sinh")
    stored = store_bytes(original, name="Giấy khai sinh.pdf")
    result = signing.sign_result(stored, agency=agency, owner=citizen)
    assert result.pk != stored.pk
    assert (result.origin, result.owner, result.name, result.content_type) == (
        StoredFile.Origin.RESULT,
        citizen,
        "Giấy khai sinh.pdf",
        "application/pdf",
    )
    signed = read(result)
    assert signed.startswith(original)  # an incremental update: the signed revision is the original file
    assert read(stored) == original
    assert AuditEvent.objects.filter(action="dossier.result_signed", target_id=str(result.pk)).exists()


def test_the_signature_is_pades_by_a_certificate_naming_the_agency(agency):
    (signature,) = signatures(signing.sign_pdf(make_pdf_bytes(), agency=agency))
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert subject(signature) == {
        "country_name": "VN",
        "organization_name": "Ủy ban nhân dân phường Hoàn Kiếm",
        "common_name": "Ủy ban nhân dân phường Hoàn Kiếm",
    }
    assert signature.signer_cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert signature.signer_cert.issuer.native["common_name"] == "OpenDVC Test Issuing CA"


def test_the_signature_has_a_visible_box_on_the_last_page(agency):
    signed = signing.sign_pdf(two_page_pdf(), agency=agency)
    reader = PdfFileReader(io.BytesIO(signed))
    (signature,) = reader.embedded_signatures
    last_page = reader.find_page_for_modification(1)[0]
    widget = signature.sig_field
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert widget.raw_get("/P").idnum == last_page.idnum
    assert x2 - x1 > 100 and y2 - y1 > 20
    assert "/N" in widget["/AP"]


def test_an_agency_seal_is_issued_once_and_reused(agency):
    first = signatures(signing.sign_pdf(make_pdf_bytes(), agency=agency))[0]
    second = signatures(signing.sign_pdf(make_pdf_bytes(), agency=agency))[0]
    assert first.signer_cert.serial_number == second.signer_cert.serial_number
    assert TestCaSeals().path_for(agency).exists()


def test_each_agency_signs_with_its_own_certificate(agency):
    ba_dinh = Agency.objects.get(code=BA_DINH)
    ours = signatures(signing.sign_pdf(make_pdf_bytes(), agency=agency))[0]
    theirs = signatures(signing.sign_pdf(make_pdf_bytes(), agency=ba_dinh))[0]
    assert subject(theirs)["common_name"] == "Ủy ban nhân dân phường Ba Đình"
    assert ours.signer_cert.public_key.dump() != theirs.signer_cert.public_key.dump()


def test_an_agency_whose_name_is_longer_than_64_bytes_signs_with_its_name_cut_between_letters(agency):
    department = Agency.objects.create(
        code="000.00.98.H29",
        name_vi="Sở Nông nghiệp và Môi trường Thành phố Hồ Chí Minh",  # 49 letters, 70 bytes
        level=agency.level,
        kind=agency.kind,
    )
    TestCaSeals().path_for(department).unlink(missing_ok=True)  # a seal issued by an earlier run
    signature = signatures(signing.sign_pdf(make_pdf_bytes(), agency=department))[0]
    name = subject(signature)["common_name"]
    assert len(name.encode("utf-8")) <= 64
    assert department.name_vi.startswith(name)
    assert name.endswith("Hồ Chí")


def test_a_pdf_pyhanko_cannot_open_is_refused_with_a_clear_message(agency):
    stored = store_bytes(b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n", name="hỏng.pdf")
    with pytest.raises(DomainError) as refused:
        signing.sign_result(stored, agency=agency, owner=None)
    assert refused.value.code == "unreadable_pdf"
    assert refused.value.status == 400
    assert "không phải là tệp PDF hợp lệ, bị hỏng hoặc được đặt mật khẩu" in refused.value.message


def test_an_encrypted_pdf_is_refused(agency):
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(make_pdf_bytes())))
    writer.encrypt("chu-so-huu", "nguoi-doc")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(signing.UnreadablePdf):
        signing.sign_pdf(out.getvalue(), agency=agency)


def test_a_pdf_locked_by_a_certification_signature_is_refused_with_a_clear_message(agency, test_pki):
    token = test_pki.token("an")
    signer = signers.SimpleSigner.load(str(token.key_path), str(token.certificate_path))
    meta = signers.PdfSignatureMetadata(
        field_name="Author", certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES
    )
    locked = signers.PdfSigner(meta, signer=signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(make_pdf_bytes()))
    )
    with pytest.raises(signing.UnreadablePdf) as refused:
        signing.sign_pdf(locked.getvalue(), agency=agency)
    assert "tệp có thể đã bị khóa bởi một chữ ký số khác" in refused.value.message


def test_a_result_that_is_not_a_pdf_is_refused(agency):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    stored = store_bytes(png, name="ảnh.png")
    with pytest.raises(signing.UnreadablePdf) as refused:
        signing.sign_result(stored, agency=agency, owner=None)
    assert refused.value.message == "Chỉ ký số được kết quả ở định dạng PDF."


def test_the_test_pki_seals_refuse_to_sign_when_the_test_ca_is_off(agency, settings):
    settings.PKI_TEST_CA_ENABLED = False
    with pytest.raises(signing.SealUnavailable) as refused:
        signing.sign_pdf(make_pdf_bytes(), agency=agency)
    assert refused.value.status == 503
    assert "chưa có chứng thư số của cơ quan “Ủy ban nhân dân phường Hoàn Kiếm”" in refused.value.message


def test_a_seal_is_issued_on_first_use_into_the_test_pki_directory(agency, settings, tmp_path):
    settings.PKI_TEST_CA_DIR = tmp_path / "pki"
    signed = signing.sign_pdf(make_pdf_bytes(), agency=agency)
    assert (tmp_path / "pki" / "seals" / f"{HOAN_KIEM}.pem").exists()
    assert verification.verify_pdf(signed).trusted


def test_processing_a_dossier_signs_its_pdf_result():
    citizen = make_citizen()
    handler = make_official(username="xuly.ky", roles=("handler",), totp=False)[0]
    dossier = make_dossier(status=Status.PROCESSING, applicant=citizen)
    upload = store_bytes(make_pdf_bytes("Trich luc khai sinh"), name="Trích lục khai sinh.pdf", owner=handler)
    actions.process_dossier(dossier, actor=handler, version=dossier.version, results=[upload])
    document = DossierDocument.objects.get(dossier=dossier, role=DossierDocument.Role.RESULT)
    assert document.signed
    assert document.file.origin == StoredFile.Origin.RESULT
    assert document.file.owner == citizen
    report = verification.verify_pdf(read(document.file))
    assert (report.signed, report.intact, report.trusted) == (True, True, True)


# --- make_agency_seals ----------------------------------------------------------------------------------


def test_make_agency_seals_issues_missing_seals_and_keeps_existing_ones(agency, settings, tmp_path, capsys):
    settings.PKI_TEST_CA_DIR = tmp_path / "pki"
    call_command("make_agency_seals", HOAN_KIEM, BA_DINH)
    path = TestCaSeals().path_for(agency)
    before = path.read_bytes()
    call_command("make_agency_seals", HOAN_KIEM)
    assert path.read_bytes() == before
    call_command("make_agency_seals", HOAN_KIEM, "--force")
    assert path.read_bytes() != before
    assert (tmp_path / "pki" / "seals" / f"{BA_DINH}.pem").exists()
    assert "1 seal certificate(s) issued" in capsys.readouterr().out


def test_make_agency_seals_refuses_unknown_codes():
    with pytest.raises(CommandError, match=r"Unknown agency codes: 999\.99\.99\.X00"):
        call_command("make_agency_seals", "999.99.99.X00")


# --- the PKCS#12 provider -------------------------------------------------------------------------------


def write_pkcs12(directory, test_pki, *, code=HOAN_KIEM, password=b"Mat-khau#2026", holder_id="saomai"):
    """The test token's key and certificate (a signing certificate of the test CA) as `<code>.p12`."""
    holder = test_pki.token(holder_id)
    data = pkcs12.serialize_key_and_certificates(
        b"seal", holder.private_key(), holder.certificate(), holder.chain(), BestAvailableEncryption(password)
    )
    (directory / f"{code}.p12").write_bytes(data)
    return password


@pytest.fixture
def pkcs12_settings(settings, tmp_path):
    settings.DOSSIER_SEAL_PROVIDER = PKCS12
    settings.DOSSIER_SEAL_DIR = str(tmp_path)
    return tmp_path


def test_the_pkcs12_provider_signs_with_the_agency_file_and_its_password_file(
    agency, pkcs12_settings, test_pki
):
    password = write_pkcs12(pkcs12_settings, test_pki)
    (pkcs12_settings / f"{HOAN_KIEM}.pass").write_bytes(password + b"\n")
    signed = signing.sign_pdf(make_pdf_bytes(), agency=agency)
    assert subject(signatures(signed)[0])["common_name"] == "CÔNG TY TNHH PHẦN MỀM SAO MAI"
    assert verification.verify_pdf(signed).trusted


def test_the_pkcs12_password_may_come_from_the_environment(agency, pkcs12_settings, test_pki, monkeypatch):
    password = write_pkcs12(pkcs12_settings, test_pki)
    monkeypatch.setenv("DOSSIER_SEAL_PASSWORD", password.decode())
    assert signatures(signing.sign_pdf(make_pdf_bytes(), agency=agency))


def test_a_wrong_pkcs12_password_makes_the_seal_unavailable(agency, pkcs12_settings, test_pki):
    write_pkcs12(pkcs12_settings, test_pki)
    (pkcs12_settings / f"{HOAN_KIEM}.pass").write_text("sai-mat-khau")
    with pytest.raises(signing.SealUnavailable):
        signing.sign_pdf(make_pdf_bytes(), agency=agency)


def test_an_agency_without_a_pkcs12_file_cannot_sign(agency, pkcs12_settings, test_pki):
    write_pkcs12(pkcs12_settings, test_pki, code=BA_DINH)
    with pytest.raises(signing.SealUnavailable) as refused:
        signing.sign_pdf(make_pdf_bytes(), agency=agency)
    assert refused.value.code == "seal_unavailable"


# --- PAdES-B-T: a time-stamp from an RFC 3161 service -----------------------------------------------------


def _time_stamping_authority(test_pki):
    """A TSA certificate from the test issuing CA and pyHanko's in-process TSA signing with it."""
    issuer = x509.load_pem_x509_certificate(test_pki.issuing_certificate.read_bytes())
    issuer_key = serialization.load_pem_private_key(
        (test_pki.directory / "issuing-ca.key.pem").read_bytes(), password=None
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OpenDVC Test TSA")]))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(issuer.not_valid_before_utc)
        .not_valid_after(issuer.not_valid_after_utc)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .sign(issuer_key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
        certs_to_embed=[asn1_x509.Certificate.load(issuer.public_bytes(serialization.Encoding.DER))],
    )


@pytest.fixture
def tsa_url(test_pki):
    """An RFC 3161 service over HTTP on 127.0.0.1, for as long as the test runs."""
    stamper = _time_stamping_authority(test_pki)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_with_a_time_stamping_service_the_signature_is_time_stamped(agency, settings, tsa_url, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    settings.DOSSIER_SEAL_TSA_URL = tsa_url
    signed = signing.sign_pdf(make_pdf_bytes(), agency=agency)
    (signature,) = signatures(signed)
    unsigned = signature.signer_info["unsigned_attrs"].native or []
    assert [attribute["type"] for attribute in unsigned] == ["signature_time_stamp_token"]
    report = verification.verify_pdf(signed)
    assert report.trusted and report.timestamped


def test_an_unreachable_time_stamping_service_makes_signing_fail_cleanly(agency, settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.DOSSIER_SEAL_TSA_URL = f"http://127.0.0.1:{port}/"
    with pytest.raises(signing.SealUnavailable) as refused:
        signing.sign_pdf(make_pdf_bytes(), agency=agency)
    assert "dịch vụ cấp dấu thời gian không trả lời" in refused.value.message


def test_a_sealed_result_carries_the_qr_code_of_its_own_verification_page(db):
    from unittest import mock
    from urllib.parse import urlsplit

    from django.test import Client

    from opendvc.dossiers import signing as sealing
    from opendvc.dossiers import verification
    from opendvc.dossiers.services.files import store_bytes
    from opendvc.dossiers.signing.appearance import stamp_style
    from opendvc.dossiers.tests.factories import HOAN_KIEM
    from opendvc.dossiers.tests.factories import make_pdf_bytes as pdf

    upload = store_bytes(pdf("Trich luc"), name="trich-luc.pdf")
    with mock.patch.object(sealing, "stamp_style", wraps=stamp_style) as drawn:
        result = sealing.sign_result(upload, agency=Agency.objects.get(code=HOAN_KIEM), owner=None)
    url = verification.verify_url(result)
    assert drawn.call_args.kwargs["verify_at"] == url
    assert drawn.call_args.kwargs["qr"] is True
    page = Client().get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Chữ ký số hợp lệ" in page.content.decode()
