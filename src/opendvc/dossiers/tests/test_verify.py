"""Verifying signed PDFs: the report of `verify_pdf`, the public upload page and the QR page of a result."""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from opendvc.accounts.tests.factories import make_citizen
from opendvc.catalog.models import Agency
from opendvc.dossiers import signing, verification
from opendvc.dossiers.models import DossierDocument, Status, StoredFile
from opendvc.dossiers.services.files import store_bytes
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier, make_pdf_bytes

pytestmark = pytest.mark.django_db
VALID = "Văn bản có chữ ký số hợp lệ của Ủy ban nhân dân phường Hoàn Kiếm, ký lúc "
TAMPERED = "Chữ ký không hợp lệ: nội dung đã bị thay đổi sau khi ký."
UNSIGNED = "Văn bản không có chữ ký số."


@pytest.fixture
def agency():
    return Agency.objects.get(code=HOAN_KIEM)


@pytest.fixture
def signed(agency):
    return signing.sign_pdf(make_pdf_bytes("Trich luc khai sinh"), agency=agency)


def tampered(content: bytes) -> bytes:
    """One byte changed inside the page's content stream (the text it shows)."""
    at = content.index(b"(Trich luc") + 1
    return content[:at] + b"X" + content[at + 1 :]


def signed_by_token(test_pki, token_id: str) -> bytes:
    token = test_pki.token(token_id)
    signer = signers.SimpleSigner.load(
        str(token.key_path), str(token.certificate_path), ca_chain_files=[str(p) for p in token.chain_paths]
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(make_pdf_bytes()))
    meta = signers.PdfSignatureMetadata(field_name="Sig", subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()


# --- verify_pdf -------------------------------------------------------------------------------------------


def test_a_signed_result_is_intact_trusted_and_covers_the_whole_document(signed):
    report = verification.verify_pdf(signed)
    assert (report.signed, report.intact, report.trusted, report.covers_whole_document) == (True,) * 4
    assert report.signer == "Ủy ban nhân dân phường Hoàn Kiếm"
    assert abs(report.signed_at - timezone.now()) < timedelta(minutes=1)
    assert report.reasons == []
    assert report.verdict.startswith(VALID)
    assert report.verdict.endswith(", nội dung không bị thay đổi.")


def test_a_byte_changed_after_signing_is_reported_as_tampering(signed):
    report = verification.verify_pdf(tampered(signed))
    assert report.signed and not report.intact and not report.trusted
    assert report.verdict == TAMPERED
    assert "Nội dung văn bản đã bị thay đổi sau khi ký." in report.reasons


def test_an_unsigned_pdf_is_reported_as_not_signed():
    report = verification.verify_pdf(make_pdf_bytes())
    assert not report.signed
    assert report.verdict == UNSIGNED


def test_content_appended_after_signing_is_reported(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    info = writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.pdf_string("Đã sửa")})
    )
    assert info is not None
    out = io.BytesIO()
    writer.write(out)
    report = verification.verify_pdf(out.getvalue())
    assert report.intact and not report.covers_whole_document
    assert "đã được thêm nội dung sau khi ký" in report.verdict


def test_a_signature_by_a_certificate_of_an_unknown_ca_is_intact_but_not_trusted(test_pki):
    report = verification.verify_pdf(signed_by_token(test_pki, "unknown-issuer"))
    assert report.intact and not report.trusted
    assert "không được Cổng tin cậy" in report.verdict
    assert report.reasons == [
        "Chứng thư số của người ký không do tổ chức cung cấp dịch vụ chứng thực được Cổng tin cậy cấp."
    ]


def test_a_signature_by_a_revoked_certificate_is_not_trusted(test_pki):
    report = verification.verify_pdf(signed_by_token(test_pki, "revoked"))
    assert report.intact and not report.trusted
    assert report.reasons == ["Chứng thư số của người ký đã bị thu hồi."]


def test_a_signature_by_an_expired_certificate_is_not_trusted(test_pki):
    report = verification.verify_pdf(signed_by_token(test_pki, "expired"))
    assert not report.trusted
    assert report.reasons == ["Chứng thư số của người ký đã hết hạn."]


def test_the_test_ca_is_not_trusted_when_it_is_disabled(signed, settings):
    settings.PKI_TEST_CA_ENABLED = False
    report = verification.verify_pdf(signed)
    assert report.intact and not report.trusted


def test_a_document_signed_twice_names_the_latest_signer(signed):
    again = signing.sign_pdf(signed, agency=Agency.objects.get(code="000.00.21.H26"))
    report = verification.verify_pdf(again)
    assert len(report.signatures) == 2
    assert report.intact and report.trusted and report.covers_whole_document
    assert report.signer == "Ủy ban nhân dân phường Ba Đình"


def test_garbage_is_refused_as_unreadable():
    with pytest.raises(signing.UnreadablePdf):
        verification.verify_pdf(b"GIF89a not a pdf at all")


# --- the upload page ----------------------------------------------------------------------------------------


def upload(client, content: bytes, name="ket-qua.pdf", **extra):
    return client.post(
        reverse("dossiers:verify"),
        {"document": SimpleUploadedFile(name, content, "application/pdf")},
        **extra,
    )


def test_the_page_asks_for_a_pdf(client):
    response = client.get(reverse("dossiers:verify"))
    assert response.status_code == 200
    assert 'for="id_document">Tệp PDF cần xác minh</label>' in response.content.decode()


def test_uploading_a_signed_result_shows_who_signed_it_and_when(client, signed):
    response = upload(client, signed)
    page = response.content.decode()
    assert response.status_code == 200
    assert VALID in page
    assert "Chữ ký số hợp lệ" in page


def test_uploading_a_tampered_result_says_so(client, signed):
    assert TAMPERED in upload(client, tampered(signed)).content.decode()


def test_uploading_an_unsigned_pdf_says_it_has_no_signature(client):
    assert UNSIGNED in upload(client, make_pdf_bytes()).content.decode()


def test_uploading_a_file_that_is_not_a_pdf_gives_a_clear_error(client):
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, name="anh.pdf")
    assert response.status_code == 400
    assert "Tệp đã chọn không phải tệp PDF." in response.content.decode()


def test_uploading_a_damaged_pdf_gives_a_clear_error(client):
    response = upload(client, b"%PDF-1.7\n\x00\x01garbage")
    assert response.status_code == 400
    assert "Tệp không phải là tệp PDF hợp lệ, bị hỏng hoặc được đặt mật khẩu" in response.content.decode()


def test_uploading_nothing_asks_for_a_file(client):
    response = client.post(reverse("dossiers:verify"), {})
    assert response.status_code == 400
    assert "Chọn tệp PDF cần xác minh." in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(client, settings, signed):
    settings.DOSSIER_MAX_FILE_BYTES = len(signed) - 1
    response = upload(client, signed)
    assert response.status_code == 400
    assert "lớn hơn" in response.content.decode()


def test_uploads_are_rate_limited_per_address(client, settings):
    settings.DOSSIER_VERIFY_LIMITS_PER_IP = ["2/h"]
    assert upload(client, make_pdf_bytes()).status_code == 200
    assert upload(client, make_pdf_bytes()).status_code == 200
    refused = upload(client, make_pdf_bytes())
    assert refused.status_code == 429
    assert "Bạn đã thử quá nhiều lần." in refused.content.decode()
    assert upload(client, make_pdf_bytes(), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_an_uploaded_file_is_not_kept(client, signed):
    before = StoredFile.objects.count()
    upload(client, signed)
    assert StoredFile.objects.count() == before


# --- the QR page of a stored result -------------------------------------------------------------------------


@pytest.fixture
def result(agency):
    citizen = make_citizen()
    dossier = make_dossier(status=Status.PROCESSED, applicant=citizen, processed_at=timezone.now())
    stored = store_bytes(make_pdf_bytes("Trich luc"), name="Trích lục của Nguyễn Văn An.pdf")
    signed_file = signing.sign_result(stored, agency=agency, owner=citizen)
    DossierDocument.objects.create(
        dossier=dossier,
        role=DossierDocument.Role.RESULT,
        title=signed_file.name,
        file=signed_file,
        signed=True,
    )
    return dossier, signed_file


def test_verify_url_is_absolute_on_the_portal(result, settings):
    settings.PORTAL_BASE_URL = "https://dichvucong.example.vn/"
    url = verification.verify_url(result[1])
    assert url.startswith("https://dichvucong.example.vn/xac-minh-ket-qua/")
    result[1].refresh_from_db()
    assert url.rsplit("/", 2)[-2].split(".")[0] == result[1].reference  # a random reference, not the id
    assert len(url) > len("https://dichvucong.example.vn/xac-minh-ket-qua/") + 20


def test_the_qr_page_shows_the_verdict_procedure_agency_and_code_without_personal_data(client, result):
    dossier, stored = result
    response = client.get(urlsplit(verification.verify_url(stored)).path)
    page = response.content.decode()
    assert response.status_code == 200
    assert VALID in page
    assert dossier.code in page
    assert "Đăng ký khai sinh" in page
    assert "Ủy ban nhân dân phường Hoàn Kiếm" in page
    assert "Nguyễn Văn An" not in page


def test_a_forged_token_is_not_found(client, result):
    token = verification.result_token(result[1])
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("dossiers:verify_result", args=[forged])).status_code == 404
    other_reference = f"{result[1].pk}.{token.rsplit('.', 1)[1]}"
    assert client.get(reverse("dossiers:verify_result", args=[other_reference])).status_code == 404


def test_a_token_for_a_file_that_is_not_a_result_is_not_found(client):
    upload_file = store_bytes(make_pdf_bytes(), name="tai-lieu.pdf")
    token = verification.result_token(upload_file)
    assert client.get(reverse("dossiers:verify_result", args=[token])).status_code == 404


def test_the_qr_page_says_so_when_the_stored_file_cannot_be_read(client, result):
    stored = result[1]
    stored.file.storage.delete(stored.file.name)
    response = client.get(reverse("dossiers:verify_result", args=[verification.result_token(stored)]))
    assert response.status_code == 200
    assert "Hiện chưa đọc được tệp kết quả này." in response.content.decode()
