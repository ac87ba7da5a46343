"""The VNPAY 2.1.0 signature, checked against vectors computed independently in each test."""

import hashlib
import hmac
from datetime import datetime
from zoneinfo import ZoneInfo

from opendvc.payments import vnpay

SECRET = "SECRETKEY0123456789ABCDEFGHIJKLM"


def hmac512(data: str) -> str:
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_signature_is_hmac_sha512_over_sorted_form_encoded_pairs():
    params = {
        "vnp_Version": "2.1.0",
        "vnp_TmnCode": "HKIEM001",
        "vnp_Amount": "1600000",
        "vnp_Command": "pay",
        "vnp_OrderInfo": "Nop phi le phi ho so 000.00.20.H26-261207-0001",
        "vnp_ReturnUrl": "https://dichvucong.gov.vn/thanh-toan/ket-qua/",
        "vnp_TxnRef": "261207K7Q2M9XW",
    }
    expected = hmac512(
        "vnp_Amount=1600000&vnp_Command=pay"
        "&vnp_OrderInfo=Nop+phi+le+phi+ho+so+000.00.20.H26-261207-0001"
        "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.gov.vn%2Fthanh-toan%2Fket-qua%2F"
        "&vnp_TmnCode=HKIEM001&vnp_TxnRef=261207K7Q2M9XW&vnp_Version=2.1.0"
    )
    assert vnpay.sign(params, SECRET) == expected


def test_signature_leaves_out_the_hash_fields_empty_values_and_foreign_parameters():
    params = {
        "vnp_Amount": "1000000",
        "vnp_BankCode": "",
        "vnp_TxnRef": "ABC",
        "vnp_SecureHash": "whatever",
        "vnp_SecureHashType": "HmacSHA512",
        "utm_source": "mail",
    }
    assert vnpay.sign(params, SECRET) == hmac512("vnp_Amount=1000000&vnp_TxnRef=ABC")


def test_a_known_ipn_verifies_and_any_change_to_it_does_not():
    ipn = {
        "vnp_Amount": "1600000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi le phi ho so 000.00.20.H26-261207-0001",
        "vnp_PayDate": "20261207170112",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "HKIEM001",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "261207K7Q2M9XW",
    }
    ipn["vnp_SecureHash"] = hmac512(
        "vnp_Amount=1600000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14226112&vnp_CardType=ATM"
        "&vnp_OrderInfo=Nop+phi+le+phi+ho+so+000.00.20.H26-261207-0001&vnp_PayDate=20261207170112"
        "&vnp_ResponseCode=00&vnp_TmnCode=HKIEM001&vnp_TransactionNo=14226112&vnp_TransactionStatus=00"
        "&vnp_TxnRef=261207K7Q2M9XW"
    )
    assert vnpay.verify(ipn, SECRET)
    assert vnpay.verify({**ipn, "vnp_SecureHash": ipn["vnp_SecureHash"].upper()}, SECRET)
    assert not vnpay.verify({**ipn, "vnp_Amount": "160000000"}, SECRET)
    assert not vnpay.verify({**ipn, "vnp_ResponseCode": "24"}, SECRET)
    assert not vnpay.verify(ipn, SECRET + "x")
    assert not vnpay.verify({k: v for k, v in ipn.items() if k != "vnp_SecureHash"}, SECRET)


def test_payment_url_carries_the_signature_of_its_own_query():
    url = vnpay.url(
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        {"vnp_TxnRef": "A B", "vnp_Amount": 500000},
        SECRET,
    )
    assert url == (
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=500000&vnp_TxnRef=A+B"
        "&vnp_SecureHash=" + hmac512("vnp_Amount=500000&vnp_TxnRef=A+B")
    )


def test_querydr_signatures_join_the_fields_in_the_protocols_order_with_pipes():
    request = {
        "vnp_RequestId": "1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "HKIEM001",
        "vnp_TxnRef": "REF",
        "vnp_TransactionDate": "20261207100000",
        "vnp_CreateDate": "20261207110000",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Truy van",
    }
    assert vnpay.pipe_hash(request, vnpay.QUERY_REQUEST_FIELDS, SECRET) == hmac512(
        "1|2.1.0|querydr|HKIEM001|REF|20261207100000|20261207110000|127.0.0.1|Truy van"
    )
    answer = {
        "vnp_ResponseId": "9",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "HKIEM001",
        "vnp_TxnRef": "REF",
        "vnp_Amount": "1600000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261207100500",
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00",
        "vnp_OrderInfo": "Nop phi",
    }
    # The two promotion fields are absent and signed as empty strings: the data ends with two pipes.
    answer["vnp_SecureHash"] = hmac512(
        "9|querydr|00|QueryDR Success|HKIEM001|REF|1600000|NCB|20261207100500|14000001|01|00|Nop phi||"
    )
    assert vnpay.verify_pipe(answer, vnpay.QUERY_RESPONSE_FIELDS, SECRET)
    assert not vnpay.verify_pipe(
        {**answer, "vnp_TransactionStatus": "02"}, vnpay.QUERY_RESPONSE_FIELDS, SECRET
    )


def test_dates_are_written_in_gmt_plus_7_whatever_the_zone_of_the_moment():
    utc = datetime(2026, 12, 7, 10, 0, 1, tzinfo=ZoneInfo("UTC"))
    assert vnpay.format_date(utc) == "20261207170001"
    assert vnpay.parse_date("20261207170001") == utc
    assert vnpay.parse_date("2026-12-07") is None


def test_amounts_are_dong_times_100_and_anything_else_is_not_an_amount():
    assert vnpay.gateway_amount(16_000) == "1600000"
    assert vnpay.amount_from_gateway("1600000") == 16_000
    assert vnpay.amount_from_gateway("1600050") is None
    assert vnpay.amount_from_gateway("-100") is None
    assert vnpay.amount_from_gateway(None) is None


def test_order_info_is_sent_without_diacritics_or_special_characters():
    assert (
        vnpay.ascii_text("Nộp phí hồ sơ <script> Đăng ký & “khai sinh”")
        == "Nop phi ho so script Dang ky khai sinh"
    )
