"""The portal's own pages: guides and news (sanitised, searchable), moderated comments with a typed code,
the opinion poll (one vote per person or device, results after voting), and visit counters."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from freezegun import freeze_time

from opendvc.accounts.models import Account
from opendvc.accounts.tests.factories import PASSWORD, make_citizen
from opendvc.core.models import AuditEvent
from opendvc.portal import demo
from opendvc.portal.models import Article, ArticleKind, Comment, CommentStatus, Poll, PollChoice, VisitDay
from opendvc.portal.services import articles, comments, visits

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}
GUIDE = "/huong-dan/huong-dan-tra-cuu-thu-tuc-hanh-chinh-dich-vu-cong/"


@pytest.fixture(autouse=True)
def content():
    cache.clear()
    demo.load()


def comment_form(**changes):
    return {
        "name": "Nguyễn Thị Hoa",
        "body": "Hướng dẫn rất rõ, cảm ơn.",
        "captcha_0": "x",
        "captcha_1": "PASSED",
    } | changes


# --- articles


def test_an_article_keeps_only_safe_html(rf):
    article = Article(
        slug="thu",
        title="Thử",
        published=True,
        body='<h2 onclick="steal()">Mục</h2><script>alert(1)</script><p style="color:red">Chữ '
        '<a href="javascript:x()">xấu</a> <a href="https://dichvucong.gov.vn">tốt</a></p>'
        '<iframe src="x"></iframe>',
    )
    articles.save(article, created=True)
    assert article.body == (
        '<h2>Mục</h2><p>Chữ <a rel="noopener noreferrer">xấu</a> '
        '<a href="https://dichvucong.gov.vn" rel="noopener noreferrer">tốt</a></p>'
    )
    assert AuditEvent.objects.filter(action="portal.article_created", target_id=str(article.pk)).exists()


def test_only_published_articles_are_listed_and_readable(client):
    draft = articles.save(
        Article(slug="nhap", title="Bản nháp", body="<p>x</p>", published=False), created=True
    )
    later = articles.save(
        Article(
            slug="sau",
            title="Đăng sau",
            body="<p>x</p>",
            published=True,
            published_at=datetime(2099, 1, 1, tzinfo=HANOI),
        ),
        created=True,
    )
    page = client.get("/huong-dan/")
    titles = [a.title for a in page.context["page"].object_list]
    assert len(titles) == 4 and draft.title not in titles and later.title not in titles
    assert client.get("/huong-dan/nhap/").status_code == 404
    assert client.get("/huong-dan/sau/").status_code == 404


def test_articles_are_found_without_diacritics_and_by_kind(client):
    page = client.get("/huong-dan/", {"q": "thanh toan le phi"})
    found = [a.slug for a in page.context["page"].object_list]
    assert found[0] == "huong-dan-thanh-toan-truc-tuyen"
    news = client.get("/huong-dan/", {"loai": ArticleKind.NEWS})
    assert [a.kind for a in news.context["page"].object_list] == [ArticleKind.NEWS]
    nothing = client.get("/huong-dan/", {"q": "xyzzy"})
    assert "Không có bài viết nào phù hợp" in nothing.content.decode()


# --- comments


def test_a_comment_waits_for_moderation_then_appears(client):
    response = client.post(GUIDE, comment_form())
    assert response.status_code == 302 and response["Location"].endswith("#binh-luan")
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    page = client.get(GUIDE)
    assert "sẽ được hiển thị sau khi cán bộ kiểm duyệt" in page.content.decode()
    assert "Hướng dẫn rất rõ" not in page.content.decode()
    moderator = Account.objects.create_superuser("bientap", password=PASSWORD)
    assert comments.moderate(Comment.objects.all(), status=CommentStatus.PUBLISHED, actor=moderator) == 1
    assert "Hướng dẫn rất rõ" in client.get(GUIDE).content.decode()
    assert AuditEvent.objects.filter(action="portal.comment_published", actor=moderator).exists()


def test_a_comment_with_a_wrong_code_or_no_text_is_refused_keeping_what_was_typed(client):
    response = client.post(GUIDE, comment_form(captcha_1="SAI", body=""))
    html = response.content.decode()
    assert response.status_code == 400 and not Comment.objects.exists()
    assert "Mã xác thực không đúng" in html and 'value="Nguyễn Thị Hoa"' in html


def test_comments_from_one_address_are_limited(client, settings):
    settings.PORTAL_COMMENT_LIMITS_PER_IP = ["2/h"]
    for _ in range(2):
        assert client.post(GUIDE, comment_form()).status_code == 302
    refused = client.post(GUIDE, comment_form())
    assert refused.status_code == 400 and "Vui lòng thử lại sau" in refused.content.decode()
    assert Comment.objects.count() == 2


def test_an_article_closed_to_comments_says_so():
    article = Article.objects.get(slug="huong-dan-dang-ky-tai-khoan")
    article.allow_comments = False
    with pytest.raises(Exception, match="không nhận bình luận"):
        comments.submit(article, name="A", body="B")


def test_the_admin_moderates_comments_with_its_actions(client):
    moderator = Account.objects.create_superuser("bientap", password=PASSWORD)
    client.force_login(moderator)
    article = Article.objects.get(slug="huong-dan-dang-ky-tai-khoan")
    first = comments.submit(article, name="A", body="Tốt")
    second = comments.submit(article, name="B", body="Quảng cáo")
    client.post("/quan-tri/portal/comment/", {"action": "publish_comments", "_selected_action": [first.pk]})
    client.post("/quan-tri/portal/comment/", {"action": "reject_comments", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (CommentStatus.PUBLISHED, CommentStatus.REJECTED)
    assert first.moderated_by == moderator


def test_an_article_saved_in_the_admin_is_cleaned_and_dated(client):
    client.force_login(Account.objects.create_superuser("bientap", password=PASSWORD))
    response = client.post(
        "/quan-tri/portal/article/add/",
        {
            "kind": "news",
            "title": "Tin mới",
            "slug": "tin-moi",
            "summary": "",
            "body": "<p>Nội dung<script>x</script></p>",
            "published": "on",
            "allow_comments": "on",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="tin-moi")
    assert article.body == "<p>Nội dung</p>" and article.published_at is not None
    assert article.excerpt == "Nội dung"


# --- the poll


def test_results_show_only_after_voting_and_a_device_votes_once(client):
    page = client.get("/tham-do-y-kien/")
    assert page.context["show_results"] is False and "Bình chọn" in page.content.decode()
    poll = page.context["poll"]
    choice = poll.choices.get(text="Dễ sử dụng")
    voted = client.post(f"/tham-do-y-kien/{poll.pk}/binh-chon/", {"choice": choice.pk})
    assert voted.status_code == 200 and voted.context["show_results"]
    assert "opendvc_device" in voted.cookies
    again = client.post(f"/tham-do-y-kien/{poll.pk}/binh-chon/", {"choice": choice.pk})
    assert again.status_code == 400 and "chỉ bình chọn một lần" in again.content.decode()
    choice.refresh_from_db()
    assert choice.votes == 1
    assert client.get("/tham-do-y-kien/").context["ballot"].choice_id == choice.pk


def test_a_signed_in_person_votes_once_whatever_the_device(client):
    poll = Poll.objects.get()
    citizen = make_citizen()
    client.force_login(citizen)
    first, second = poll.choices.all()[:2]
    assert client.post(f"/tham-do-y-kien/{poll.pk}/binh-chon/", {"choice": first.pk}).status_code == 200
    client.cookies.clear()
    client.force_login(citizen)
    assert client.post(f"/tham-do-y-kien/{poll.pk}/binh-chon/", {"choice": second.pk}).status_code == 400


def test_voting_without_a_choice_asks_for_one(client):
    poll = Poll.objects.get()
    response = client.post(f"/tham-do-y-kien/{poll.pk}/binh-chon/", {"choice": ""})
    assert response.status_code == 400 and "Chọn một phương án trả lời" in response.content.decode()
    assert sum(PollChoice.objects.values_list("votes", flat=True)) == 0


def test_a_closed_poll_shows_its_results_to_everyone(client):
    poll = Poll.objects.get()
    PollChoice.objects.filter(poll=poll, position=1).update(votes=3)
    PollChoice.objects.filter(poll=poll, position=2).update(votes=1)
    with freeze_time(datetime.now(tz=HANOI) + timedelta(days=1)):
        poll.closes_at = datetime.now(tz=HANOI) - timedelta(minutes=1)
        poll.save()
        assert client.get("/tham-do-y-kien/").context["poll"] is None
    assert not poll.is_open(datetime.now(tz=HANOI) + timedelta(days=2))


# --- visits


def test_a_browser_counts_once_a_day_and_robots_not_at_all(client):
    with freeze_time(datetime(2026, 12, 7, 9, tzinfo=HANOI)):
        first = client.get("/huong-dan/", **BROWSER)
        assert first.cookies["opendvc_visit"].value == "2026-12-07"
        client.get("/tham-do-y-kien/", **BROWSER)  # the cookie says it was counted today
        client.cookies.clear()
        client.get("/huong-dan/", HTTP_USER_AGENT="Googlebot/2.1")
        client.get("/api/v1/scorecard", **BROWSER)
        cache.delete(visits.STATS_KEY)  # the figures shown are kept a minute
        assert visits.stats()["today"] == 1
    with freeze_time(datetime(2026, 12, 8, 9, tzinfo=HANOI)):
        client.cookies["opendvc_visit"] = "2026-12-07"
        client.get("/huong-dan/", **BROWSER)  # a new day counts again
        cache.delete(visits.STATS_KEY)
        assert visits.stats() == {"today": 1, "yesterday": 1, "week": 2, "month": 2, "total": 2}


def test_counts_move_from_the_cache_to_the_database_and_add_up(client):
    with freeze_time(datetime(2026, 12, 7, 9, tzinfo=HANOI)):
        for _ in range(3):
            client.cookies.clear()
            client.get("/huong-dan/", **BROWSER)
        assert visits.flush() == 3 and visits.flush() == 0
        client.cookies.clear()
        client.get("/huong-dan/", **BROWSER)
        assert visits.flush() == 1
    assert VisitDay.objects.get().visits == 4


def test_the_footer_shows_the_visit_counters(client):
    VisitDay.objects.create(day=datetime(2020, 1, 1).date(), visits=302943)
    html = client.get("/huong-dan/").content.decode()
    assert "Truy cập" in html and "302943" in html
