"""Letters issued for dossiers (Circular 01/2018/TT-VPCP forms 01–04): their content, their PDF, and who
may open them."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from freezegun import freeze_time
from pyhanko.pdf_utils.reader import PdfFileReader

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.dossiers import letters
from opendvc.dossiers.models import Channel, DossierDocument, DossierEvent, Status
from opendvc.dossiers.services import actions
from opendvc.dossiers.services.files import store_bytes
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier, make_pdf_bytes

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
BA_DINH = "000.00.21.H26"


@pytest.fixture
def clerk():
    return make_official(username="tiepnhan.thu", roles=("desk_clerk",), totp=False, full_name="Lê Thị Tiếp")[
        0
    ]


@pytest.fixture
def handler():
    return make_official(username="xuly.thu", roles=("handler",), totp=False, full_name="Trần Xử Lý")[0]


@pytest.fixture
def citizen():
    return make_citizen()


def attach(dossier, slot, title="Giấy chứng sinh.pdf", *, at=None):
    stored = store_bytes(make_pdf_bytes(), name=title, owner=dossier.applicant)
    return DossierDocument.objects.create(
        dossier=dossier,
        role=DossierDocument.Role.APPLICATION,
        slot=slot,
        title=title,
        file=stored,
        added_at=at or dossier.submitted_at,
    )


def received(citizen, clerk, **fields):
    dossier = make_dossier(applicant=citizen, **fields)
    return actions.receive_dossier(dossier, actor=clerk, version=dossier.version)


def last_event(dossier, action):
    return DossierEvent.objects.filter(dossier=dossier, action=action).latest("at", "id")


def pdf_reader(content: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(content))


def text_of(html: str) -> str:
    """The visible words of the letter's HTML (tags dropped, spaces squeezed)."""
    body = html.split("<body>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


# --- which letter an event issued ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["submit", "receive", "register"])
def test_receiving_events_issue_a_receipt(action):
    assert letters.kind_for_event(DossierEvent(action=action, details={})) == "receipt"


def test_an_event_names_the_letter_it_issued():
    assert letters.kind_for_event(DossierEvent(action="refuse", details={"letter": "refusal"})) == "refusal"


def test_an_event_without_a_letter_issues_none():
    assert letters.kind_for_event(DossierEvent(action="assign", details={})) is None


def test_the_file_name_names_the_letter_and_the_dossier():
    dossier = make_dossier()
    assert letters.letter_filename(dossier, "apology") == f"phieu-xin-loi-{dossier.code}.pdf"


# --- receipt (form 01) ------------------------------------------------------------------------------------


@freeze_time(datetime(2024, 1, 10, 9, 30, tzinfo=VN))
def test_the_receipt_states_applicant_procedure_times_official_and_how_the_result_is_returned(citizen, clerk):
    dossier = received(citizen, clerk)
    text = text_of(letters.render_html(dossier, "receipt", last_event(dossier, "receive")))
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    assert "Ủy ban nhân dân phường Hoàn Kiếm tiếp nhận hồ sơ của: Nguyễn Văn An" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh (mã thủ tục 1.001193)" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 10 tháng 01 năm 2024" in text
    due = dossier.due_at.astimezone(VN)
    assert (
        f"Thời gian trả kết quả giải quyết hồ sơ: {due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {due:%m}"
        in text
    )
    assert "Đăng ký nhận kết quả: Nhận bản điện tử trên Cổng" in text
    assert "Lê Thị Tiếp" in text
    assert f"Mã hồ sơ: {dossier.code}" in text


def test_the_receipt_lists_the_documents_received_with_their_form_and_count(citizen, clerk):
    dossier = make_dossier(applicant=citizen)
    first, second = dossier.procedure.documents.order_by("position")[:2]
    attach(dossier, first.position, "Tờ khai.pdf")
    attach(dossier, second.position, "Giấy chứng sinh trang 1.pdf")
    attach(dossier, second.position, "Giấy chứng sinh trang 2.pdf")
    dossier = actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
    html = letters.render_html(dossier, "receipt", last_event(dossier, "receive"))
    rows = re.findall(
        r"<tr><td class=\"number\">(\d+)</td><td>(.*?)</td><td class=\"kind\">(.*?)</td>"
        r"<td class=\"count\">(.*?)</td></tr>",
        html,
    )
    assert rows == [
        ("1", first.name_vi, first.get_kind_display(), "1 tệp"),
        ("2", second.name_vi, second.get_kind_display(), "2 tệp"),
    ]


def test_documents_added_after_the_receipt_are_not_on_it(citizen, clerk):
    dossier = received(citizen, clerk)
    attach(dossier, 1, "Bổ sung muộn.pdf", at=last_event(dossier, "receive").at + timedelta(minutes=5))
    html = letters.render_html(dossier, "receipt", last_event(dossier, "receive"))
    assert "(không có giấy tờ đính kèm)" in html


def test_an_online_submission_receipt_says_the_due_date_is_expected(citizen):
    dossier = make_dossier(applicant=citizen)
    text = text_of(letters.render_html(dossier, "receipt", last_event(dossier, "submit")))
    assert "Cổng Dịch vụ công đã nhận hồ sơ nộp trực tuyến gửi Ủy ban nhân dân phường Hoàn Kiếm" in text
    assert "Thời gian nộp hồ sơ:" in text
    assert "dự kiến; ngày hẹn chính thức tính từ khi cơ quan tiếp nhận hồ sơ" in text


def test_the_receipt_carries_a_qr_code_to_the_public_tracking_page(citizen, clerk, settings):
    settings.PORTAL_BASE_URL = "https://dichvucong.example.vn"
    dossier = received(citizen, clerk)
    html = letters.render_html(dossier, "receipt", last_event(dossier, "receive"))
    url = f"https://dichvucong.example.vn{reverse('dossiers:track')}?ma={dossier.code}"
    assert url in html
    assert re.search(r'<img src="data:image/svg\+xml;[^"]+" alt="Mã QR tra cứu hồ sơ">', html)


def test_without_an_event_the_latest_letter_of_that_kind_is_rendered(citizen, clerk):
    dossier = received(citizen, clerk, channel=Channel.COUNTER)
    assert "Thời gian nhận hồ sơ:" in letters.render_html(dossier, "receipt")


def test_an_event_that_issued_another_letter_is_refused(citizen, clerk):
    dossier = received(citizen, clerk)
    with pytest.raises(letters.NoLetter):
        letters.render_html(dossier, "refusal", last_event(dossier, "receive"))


def test_an_unknown_kind_is_refused():
    with pytest.raises(letters.NoLetter):
        letters.render(make_dossier(), "certificate")


# --- refusal (form 03), supplement (form 02), apology (form 04) -------------------------------------------


def test_the_refusal_letter_gives_the_reason_the_desk_recorded(citizen, clerk):
    dossier = make_dossier(applicant=citizen)
    dossier = actions.refuse_dossier(
        dossier, actor=clerk, version=dossier.version, reason="Hồ sơ không thuộc thẩm quyền của phường."
    )
    text = text_of(letters.render_html(dossier, "refusal", last_event(dossier, "refuse")))
    assert "Phiếu từ chối tiếp nhận giải quyết hồ sơ" in text
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in text
    assert "Hồ sơ không thuộc thẩm quyền của phường." in text
    assert "Lê Thị Tiếp" in text


def test_the_supplement_letter_lists_every_item_requested(citizen, clerk):
    dossier = received(citizen, clerk)
    items = ["Bản sao giấy chứng nhận kết hôn của cha mẹ", "Giấy chứng sinh bản chính"]
    dossier = actions.request_supplement(
        dossier, actor=clerk, version=dossier.version, items=items, note="Ảnh chụp bị mờ."
    )
    html = letters.render_html(dossier, "supplement", last_event(dossier, "request_supplement"))
    assert re.findall(r"<li>(.*?)</li>", html.split('class="items"', 1)[1].split("</ol>", 1)[0]) == items
    text = text_of(html)
    assert "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:" in text
    assert "Lý do: Ảnh chụp bị mờ." in text
    assert "số điện thoại 024 3825 3470 để được hướng dẫn." in text


@freeze_time(datetime(2024, 3, 4, 10, 0, tzinfo=VN))
def test_the_apology_letter_gives_the_reason_and_the_previous_and_new_due_dates(citizen, clerk, handler):
    dossier = received(citizen, clerk)
    previous = dossier.due_at.astimezone(VN)
    dossier = actions.send_apology(
        dossier,
        actor=handler,
        version=dossier.version,
        reason="Phải xác minh thêm.",
        new_due=date(2024, 3, 20),
    )
    text = text_of(letters.render_html(dossier, "apology", last_event(dossier, "apologise")))
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in text
    assert "Kính gửi: Nguyễn Văn An" in text
    assert "Ngày 04 tháng 03 năm 2024, Ủy ban nhân dân phường Hoàn Kiếm tiếp nhận giải quyết hồ sơ" in text
    assert (
        f"Thời hạn trả kết quả giải quyết hồ sơ: {previous:%H} giờ {previous:%M} phút, ngày {previous:%d}"
        in text
    )
    assert "Lý do: Phải xác minh thêm." in text
    assert "sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào 17 giờ 00 phút, ngày 20 tháng 03 năm 2024." in text


def test_user_text_is_escaped_in_the_letter(citizen, clerk):
    dossier = make_dossier(applicant=citizen)
    dossier = actions.refuse_dossier(
        dossier, actor=clerk, version=dossier.version, reason='<img src="http://x/">'
    )
    html = letters.render_html(dossier, "refusal", last_event(dossier, "refuse"))
    assert '<img src="http://x/">' not in html
    assert "&lt;img src=&quot;http://x/&quot;&gt;" in html


# --- the PDF ----------------------------------------------------------------------------------------------


def _font_names_and_unicode_maps(reader: PdfFileReader) -> tuple[set[str], bytes]:
    names, maps = set(), b""
    for page_number in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.find_page_for_modification(page_number)[0].get_object()
        fonts = page["/Resources"]["/Font"]
        for key in fonts:
            font = fonts[key]
            names.add(str(font["/BaseFont"]))
            if "/ToUnicode" in font:
                maps += font["/ToUnicode"].data
    return names, maps


def _letter_events(citizen, clerk, handler):
    dossier = received(citizen, clerk)
    dossier = actions.request_supplement(dossier, actor=clerk, version=dossier.version, items=["Tờ khai"])
    dossier = actions.send_apology(
        dossier,
        actor=handler,
        version=dossier.version,
        reason="Chậm do phải xác minh.",
        new_due=(dossier.due_at + timedelta(days=20)).date(),
    )
    refused = make_dossier(applicant=citizen)
    refused = actions.refuse_dossier(refused, actor=clerk, version=refused.version, reason="Sai thẩm quyền")
    return {
        "receipt": (dossier, last_event(dossier, "receive")),
        "supplement": (dossier, last_event(dossier, "request_supplement")),
        "apology": (dossier, last_event(dossier, "apologise")),
        "refusal": (refused, last_event(refused, "refuse")),
    }


def test_every_letter_kind_renders_a_one_page_a4_pdf_titled_and_authored_by_the_agency(
    citizen, clerk, handler
):
    for kind, (dossier, event) in _letter_events(citizen, clerk, handler).items():
        content = letters.render(dossier, kind, event)
        reader = pdf_reader(content)
        assert content.startswith(b"%PDF-"), kind
        assert int(reader.root["/Pages"]["/Count"]) == 1, kind
        page = reader.find_page_for_modification(0)[0].get_object()
        assert [round(float(v)) for v in page["/MediaBox"]] == [0, 0, 595, 842], kind
        info = reader.trailer_view["/Info"]
        assert str(info["/Title"]) == f"{letters.letter_title(kind)} – {dossier.code}", kind
        assert str(info["/Author"]) == "Ủy ban nhân dân phường Hoàn Kiếm", kind


def test_the_pdf_embeds_dejavu_fonts_mapping_vietnamese_letters(citizen, clerk):
    dossier = received(citizen, clerk)
    names, unicode_maps = _font_names_and_unicode_maps(pdf_reader(letters.render(dossier, "receipt")))
    assert any("DejaVu-Serif" in name for name in names)
    # ToUnicode maps the glyphs used back to text: "ệ" (U+1EC7, in "Việt") and "ả" (U+1EA3, in "trả").
    assert b"<1ec7>" in unicode_maps.lower()
    assert b"<1ea3>" in unicode_maps.lower()


# --- the letter page ----------------------------------------------------------------------------------------


def letter_url(dossier, event):
    return reverse("dossiers:letter", args=[dossier.code, event.pk])


def test_the_applicant_opens_the_letter_inline_as_a_private_pdf(client, citizen, clerk):
    dossier = received(citizen, clerk)
    client.force_login(citizen)
    response = client.get(letter_url(dossier, last_event(dossier, "receive")))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="giay-tiep-nhan-ho-so-{dossier.code}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")


def test_an_official_of_the_agency_opens_the_letter(client, citizen, clerk):
    dossier = received(citizen, clerk)
    client.force_login(clerk)
    assert client.get(letter_url(dossier, last_event(dossier, "receive"))).status_code == 200


def test_another_citizen_gets_not_found(client, citizen, clerk):
    dossier = received(citizen, clerk)
    client.force_login(make_citizen(id_number="079190001234", phone="0987654321", full_name="Trần Thị Bình"))
    assert client.get(letter_url(dossier, last_event(dossier, "receive"))).status_code == 404


def test_an_official_of_another_agency_gets_not_found(client, citizen, clerk):
    dossier = received(citizen, clerk)
    other = make_official(username="canbo.badinh", agency_code=BA_DINH, totp=False)[0]
    client.force_login(other)
    assert client.get(letter_url(dossier, last_event(dossier, "receive"))).status_code == 404


def test_an_event_of_another_dossier_gets_not_found(client, citizen, clerk):
    dossier, other = received(citizen, clerk), received(citizen, clerk)
    client.force_login(citizen)
    assert client.get(letter_url(dossier, last_event(other, "receive"))).status_code == 404


def test_an_event_that_issued_no_letter_gets_not_found(client, citizen, clerk, handler):
    dossier = received(citizen, clerk)
    dossier = actions.assign_dossier(dossier, actor=clerk, version=dossier.version, handler=handler)
    client.force_login(citizen)
    assert client.get(letter_url(dossier, last_event(dossier, "assign"))).status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, citizen, clerk):
    dossier = received(citizen, clerk)
    response = client.get(letter_url(dossier, last_event(dossier, "receive")))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_dossier_registered_at_the_desk_for_the_applicants_id_is_theirs_too(client, citizen, clerk):
    dossier = make_dossier(
        status=Status.RECEIVED,
        applicant=None,
        applicant_name="Nguyễn Văn An",
        channel=Channel.COUNTER,
        agency_code=HOAN_KIEM,
    )
    dossier.applicant_id_number = citizen.id_number
    from opendvc.core.personal_data import lookup_digest

    dossier.applicant_id_digest = lookup_digest(citizen.id_number, kind="id")
    dossier.save()
    event = actions.record_event(dossier, "register", actor=clerk, channel=Channel.COUNTER)
    client.force_login(citizen)
    assert client.get(letter_url(dossier, event)).status_code == 200
