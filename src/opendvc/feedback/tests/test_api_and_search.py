"""Tracking by code in the API, the public search's Vietnamese-aware matching, and the scorecard's counts."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from opendvc.feedback import selectors
from opendvc.feedback.models import Status
from opendvc.feedback.services import handling, votes
from opendvc.feedback.tests.factories import official, send

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def staff():
    return (
        official("motcua.hk", ("desk_clerk",)),
        official("xuly.hk", ("handler",)),
        official("pheduyet.hk", ("approver",)),
    )


def answer(feedback, staff, text="Đã tiếp thu."):
    clerk, handler, approver = staff
    handling.receive(feedback, actor=clerk, version=None)
    handling.draft_answer(feedback, actor=handler, version=None, answer=text)
    return handling.approve(feedback, actor=approver, version=None)


def test_the_api_gives_the_status_and_nothing_of_the_sender(client):
    feedback = send()
    body = client.get(f"/api/v1/feedback/{feedback.code}").json()
    assert body["status"] == {"code": "new", "label": "Chờ tiếp nhận"}
    assert body["answer"] is None and body["answer_due_at"]
    assert "Nguyễn Văn An" not in str(body) and "0912345678" not in str(body)


def test_the_api_gives_the_published_answer(client, staff):
    feedback = answer(send(), staff, text="Phường đã xử lý.")
    body = client.get(f"/api/v1/feedback/{feedback.code.lower()}").json()
    assert body["answer"]["text"] == "Phường đã xử lý." and body["answer"]["likes"] == 0
    assert body["answer"]["title"] == "Cán bộ hẹn trả kết quả nhiều lần"


def test_unknown_codes_are_404_in_the_envelope_and_many_of_them_are_refused(client):
    response = client.get("/api/v1/feedback/PA-000000-AAAAAA")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    for _ in range(20):
        client.get("/api/v1/feedback/PA-000000-AAAAAA")
    refused = client.get("/api/v1/feedback/PA-000000-AAAAAA")
    assert refused.status_code == 429 and refused["Retry-After"]


@pytest.mark.parametrize(
    "query",
    ["căn cước", "can cuoc", "CCCD", "cấp căn cuớc", "lam can cuoc cho con"],
)
def test_search_reads_queries_the_way_the_catalogue_does(staff, query):
    wanted = answer(
        send(title="Làm căn cước cho con phải chờ lâu", content="Chờ ba tháng chưa có thẻ căn cước."), staff
    )
    answer(send(title="Thu phí chứng thực sai", content="Thu 5.000 đồng một trang."), staff)
    found = selectors.public_list(query=query)
    assert [f.code for f in found][:1] == [wanted.code]


def test_the_scorecard_counts_feedback_handled_on_time_votes_and_re_raises(staff):
    with freeze_time(datetime(2026, 3, 11, 10, tzinfo=HANOI)):
        on_time = answer(send(), staff)
        late = send(title="Chậm")
        refused = send(title="Không phải PAKN")
    clerk = staff[0]
    with freeze_time(datetime(2026, 4, 20, 10, tzinfo=HANOI)):
        answer(late, staff)
        handling.refuse(refused, actor=clerk, version=None, reason="Không thuộc phạm vi")
        votes.vote(on_time, voter="d:1", value=1)
        votes.vote(on_time, voter="d:2", value=-1)
        votes.vote(on_time, voter="d:3", value=1)
        handling.reraise(on_time, reason="Chưa giải quyết", token=on_time.sender_token)
    counts = selectors.counts(agency_ids=[clerk.agency_id])
    assert counts == {
        "received": 3,
        "handled": 3,
        "handled_on_time": 1,
        "published": 2,
        "reraised": 1,
        "likes": 2,
        "dislikes": 1,
    }
    on_time.refresh_from_db()
    assert on_time.status == Status.PROCESSING


def test_a_vote_on_an_unpublished_answer_is_refused():
    from opendvc.core.errors import DomainError

    with pytest.raises(DomainError, match="đã công khai"):
        votes.vote(send(), voter="d:1", value=1)
