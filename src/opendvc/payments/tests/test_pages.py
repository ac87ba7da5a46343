"""The payment pages: the dossier's fees, paying, coming back from the gateway, the back office."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.dossiers.models import Status
from opendvc.dossiers.tests.factories import HOAN_KIEM
from opendvc.payments.models import MerchantAccount, OrderStatus
from opendvc.payments.tests.factories import owing_dossier

pytestmark = pytest.mark.django_db
OTHER_ID = "001190001234"


@pytest.fixture
def citizen():
    return make_citizen()


@pytest.fixture
def browser(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def official(username, roles, agency_code=HOAN_KIEM) -> Client:
    account, _secret = make_official(username=username, roles=roles, agency_code=agency_code, totp=False)
    client = Client()
    client.force_login(account)
    return client


def text(response) -> str:
    return response.content.decode()


def pay(browser, dossier, **extra):
    return browser.post(reverse("payments:pay", args=[dossier.code]), extra)


def on_gateway(client, url, outcome="pay", ipn_mode="now"):
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return client.post(urlsplit(url).path, {**params, "outcome": outcome, "ipn_mode": ipn_mode})


def test_the_dossier_page_shows_what_is_due_and_the_way_to_pay_it(gateway, browser, citizen):
    dossier = owing_dossier(copies=2, applicant=citizen)
    page = text(browser.get(reverse("dossiers:mine_detail", args=[dossier.code])))
    assert "Phí, lệ phí" in page
    assert "8.000 đồng" in page and "16.000 đ" in page  # the line (2 × 8.000 đồng) and the total
    assert "nộp phí, lệ phí khi nộp hồ sơ" in page
    assert "Thanh toán trực tuyến 16.000 đ" in page


def test_the_payment_page_sends_the_browser_to_the_gateway_with_a_new_order(gateway, browser, citizen):
    dossier = owing_dossier(copies=2, applicant=citizen)
    assert "Thanh toán 16.000 đ" in text(browser.get(reverse("payments:pay", args=[dossier.code])))
    response = pay(browser, dossier)
    assert response.status_code == 302
    assert response["Location"].startswith("/dev/cong-thanh-toan/paymentv2/vpcpay.html?")
    assert dossier.payment_orders.get().status == OrderStatus.PENDING


def test_paying_end_to_end_shows_success_and_the_receipt(
    gateway, browser, citizen, django_capture_on_commit_callbacks
):
    dossier = owing_dossier(copies=2, applicant=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        back = on_gateway(browser, pay(browser, dossier)["Location"])["Location"]
    page = text(browser.get(back))
    assert "Thanh toán thành công" in page
    assert "Tải biên lai điện tử số BL" in page
    detail = text(browser.get(reverse("dossiers:mine_detail", args=[dossier.code])))
    assert "Đã nộp" in detail and "Biên lai số" in detail and "Thanh toán trực tuyến 16.000" not in detail


def test_a_return_before_the_ipn_says_processing_and_changes_nothing(
    gateway, browser, citizen, django_capture_on_commit_callbacks
):
    dossier = owing_dossier(copies=1, applicant=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        back = on_gateway(browser, pay(browser, dossier)["Location"], ipn_mode="never")["Location"]
    page = text(browser.get(back))
    assert "Giao dịch đang được xử lý" in page
    assert "Cổng thanh toán báo: Giao dịch thành công." in page
    assert 'hx-trigger="every 3s"' in page
    order = dossier.payment_orders.get()
    assert order.status == OrderStatus.PENDING
    # The page asks again (htmx) and gets the fragment with the state the database has.
    status_url = page.split('hx-get="', 1)[1].split('"', 1)[0]
    fragment = browser.get(status_url, HTTP_HX_REQUEST="true")
    assert "Giao dịch đang được xử lý" in text(fragment) and "<html" not in text(fragment)


def test_a_tampered_return_is_not_believed(gateway, browser, citizen, django_capture_on_commit_callbacks):
    dossier = owing_dossier(copies=1, applicant=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        back = on_gateway(browser, pay(browser, dossier)["Location"], outcome="cancel", ipn_mode="never")[
            "Location"
        ]
    tampered = back.replace("vnp_ResponseCode=24", "vnp_ResponseCode=00")
    response = browser.get(tampered)
    assert response.status_code == 400
    assert "Không xác thực được kết quả thanh toán" in text(response)


def test_a_failed_payment_offers_to_pay_again(gateway, browser, citizen, django_capture_on_commit_callbacks):
    dossier = owing_dossier(copies=1, applicant=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        back = on_gateway(browser, pay(browser, dossier)["Location"], outcome="insufficient_funds")[
            "Location"
        ]
    page = text(browser.get(back))
    assert "Thanh toán không thành công" in page
    assert "Tài khoản không đủ số dư để thực hiện giao dịch" in page
    assert "Thanh toán lại" in page


def test_nothing_due_and_an_agency_without_online_payment_are_explained(gateway, browser, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    MerchantAccount.objects.all().update(active=False)
    response = pay(browser, dossier)
    assert response.status_code == 409
    assert "chưa nhận thanh toán trực tuyến" in text(response)
    MerchantAccount.objects.all().update(active=True)
    dossier.charges.update(state="paid")
    response = pay(browser, dossier)
    assert response.status_code == 409 and "không còn khoản nào phải nộp" in text(response)


def test_an_amount_below_the_gateways_minimum_is_sent_to_the_desk(gateway, browser, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    dossier.charges.update(amount=4_000)
    response = pay(browser, dossier)
    assert response.status_code == 409
    assert "chỉ nhận khoản từ 5.000 đồng" in text(response)


def test_another_persons_dossier_cannot_be_paid(gateway, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    stranger = Client()
    stranger.force_login(make_citizen(id_number=OTHER_ID, phone="0911222333"))
    assert stranger.get(reverse("payments:pay", args=[dossier.code])).status_code == 404
    assert pay(stranger, dossier).status_code == 404


def test_starting_payments_is_rate_limited_per_account(gateway, browser, citizen, settings):
    settings.PAYMENT_START_LIMITS = ["2/h"]
    dossier = owing_dossier(copies=1, applicant=citizen)
    assert pay(browser, dossier).status_code == 302
    assert pay(browser, dossier).status_code == 302
    response = pay(browser, dossier)
    assert response.status_code == 409 and "thử quá nhiều lần" in text(response)


def test_officials_see_the_payments_of_their_agencys_dossier_and_collect_at_the_desk(gateway, citizen):
    dossier = owing_dossier(copies=2, applicant=citizen)
    clerk = official("motcua.hk", ("desk_clerk",))
    url = reverse("dossiers:backoffice_detail", args=[dossier.code])
    page = text(clerk.get(url))
    assert "Phí, lệ phí và thanh toán" in page and "Thu tại quầy 16.000 đ" in page
    response = clerk.post(reverse("payments:counter", args=[dossier.code]), {"note": "Tiền mặt"}, follow=True)
    assert "Đã ghi nhận thu 16.000 đồng tại quầy" in text(response)
    order = dossier.payment_orders.get()
    assert (order.method, order.status, order.settled_via) == ("counter", "paid", "counter")
    assert "Tại bộ phận một cửa" in text(clerk.get(url))


def test_an_approver_cannot_collect_and_another_agency_cannot_see_the_dossier(gateway, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    approver = official("pheduyet.hk", ("approver",))
    assert "Thu tại quầy" not in text(
        approver.get(reverse("dossiers:backoffice_detail", args=[dossier.code]))
    )
    response = approver.post(reverse("payments:counter", args=[dossier.code]), follow=True)
    assert "Chỉ cán bộ một cửa hoặc cán bộ xử lý" in text(response)
    elsewhere = official("motcua.hcm", ("desk_clerk",), agency_code="000.00.00.H29")
    assert elsewhere.post(reverse("payments:counter", args=[dossier.code])).status_code == 404


def test_the_back_office_lists_the_agencys_payments_only(gateway, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    clerk = official("motcua.hk", ("desk_clerk",))
    clerk.post(reverse("payments:counter", args=[dossier.code]))
    page = text(clerk.get(reverse("payments:backoffice")))
    assert dossier.code in page and "1 giao dịch thành công, 8.000 đ" in page
    elsewhere = official("motcua.hcm", ("desk_clerk",), agency_code="000.00.00.H29")
    assert dossier.code not in text(elsewhere.get(reverse("payments:backoffice")))


def test_a_dossier_that_owes_is_not_received_until_paid_and_the_result_not_returned(gateway, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    clerk = official("motcua.hk", ("desk_clerk",))
    url = reverse("dossiers:backoffice_action", args=[dossier.code, "tiep-nhan"])
    response = clerk.post(url, {"version": dossier.version})
    assert response.status_code == 409
    assert "Hồ sơ chưa nộp phí, lệ phí (8.000 đồng)" in text(response)
    clerk.post(reverse("payments:counter", args=[dossier.code]))
    dossier.refresh_from_db()
    assert clerk.post(url, {"version": dossier.version}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
