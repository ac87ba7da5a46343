import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 100 * 1024  # HTML + CSS + JS of a page, without images


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def test_home_shows_search_popular_procedures_life_events_and_audience_entries(client):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and "Thủ tục được quan tâm" in html
    assert "Sự kiện của công dân" in html and "Dành cho doanh nghiệp" in html


def test_search_page_lists_ranked_results_and_keeps_the_query(client):
    response = client.get("/tim-kiem/", {"q": "lam giay khai sinh"})
    html = response.content.decode()
    assert 'value="lam giay khai sinh"' in html
    assert (
        html.index("Đăng ký khai sinh") < html.index("Đăng ký kết hôn") if "Đăng ký kết hôn" in html else True
    )


def test_search_page_tells_which_words_were_read_differently(client):
    html = client.get("/tim-kiem/", {"q": "dang ky khia sinh"}).content.decode()
    assert "khia" in html and "khai" in html


def test_online_services_list_only_online_procedures_and_filters_by_level(client):
    everything = client.get("/dich-vu-cong/").context["result"]
    full = client.get("/dich-vu-cong/", {"level": "full"}).context["result"]
    assert 0 < full.count < everything.count
    assert {p.online_level for p in everything.items} <= {"full", "partial"}


def test_unknown_filter_in_a_link_shows_a_message_not_an_error(client):
    response = client.get("/dich-vu-cong/", {"field": "NOPE", "page": "abc"})
    assert response.status_code == 200
    assert "không còn hợp lệ" in response.content.decode()


def test_a_very_long_query_is_cut_with_a_message(client):
    response = client.get("/tim-kiem/", {"q": "khai sinh " * 50})
    assert response.status_code == 200 and "quá dài" in response.content.decode()


def test_procedure_page_shows_every_part_and_the_submit_button(client):
    html = client.get("/thu-tuc/1.001193/").content.decode()
    for heading in (
        "Trình tự thực hiện",
        "Thành phần hồ sơ",
        "Phí, lệ phí",
        "Kết quả",
        "Căn cứ pháp lý",
        "Cơ quan thực hiện",
        "Nộp hồ sơ",
    ):
        assert heading in html, heading


def test_agency_chooser_narrows_from_province_to_commune(client):
    page = client.get("/thu-tuc/1.001193/")
    choice = page.context["choice"]
    province = choice.provinces[0]
    in_province = client.get("/thu-tuc/1.001193/", {"province": province.code}).context["choice"]
    assert in_province.communes
    commune = in_province.communes[0]
    chosen = client.get("/thu-tuc/1.001193/", {"province": province.code, "commune": commune.code}).context[
        "choice"
    ]
    assert chosen.performing and all(
        a.commune_id == commune.pk for a in chosen.performing if a.level == "commune"
    )
    assert (
        commune.address
        in client.get(
            "/thu-tuc/1.001193/", {"province": province.code, "commune": commune.code}
        ).content.decode()
    )


def test_agency_chooser_answers_htmx_with_the_fragment_only(client):
    province = client.get("/thu-tuc/1.001193/").context["choice"].provinces[0]
    response = client.get(
        "/thu-tuc/1.001193/",
        {"province": province.code},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="agency-chooser",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agency-chooser">') and "<html" not in html


def test_suggestions_fragment_lists_matching_procedures(client):
    html = client.get("/tim-kiem/goi-y/", {"q": "khai si"}).content.decode()
    assert "Đăng ký khai sinh" in html


def test_life_event_page_lists_procedures_in_order(client):
    event = client.get("/su-kien/").context["citizen_events"][0]
    response = client.get(f"/su-kien/{event.slug}/")
    steps = list(response.context["event"].steps.all())
    assert steps and [s.position for s in steps] == sorted(s.position for s in steps)


def test_agency_directory_and_agency_page(client):
    html = client.get("/co-quan/").content.decode()
    assert "Bộ Tư pháp" in html and "thành phố Hà Nội" in html
    assert client.get("/co-quan/000.00.00.H26/").status_code == 200


def test_unknown_pages_get_the_designed_404(client):
    for url in ("/khong-co/", "/thu-tuc/9.999999/", "/su-kien/khong-co/", "/co-quan/X/"):
        response = client.get(url)
        assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()


def test_english_through_the_language_switch(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Birth registration" in html and 'lang="en"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cong-dan/",
        "/doanh-nghiep/",
        "/dich-vu-cong/",
        "/tim-kiem/?q=khai+sinh",
        "/thu-tuc/1.001193/",
        "/su-kien/",
        "/co-quan/",
    ],
)
def test_pages_stay_under_the_size_budget(client, url):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    html = client.get(url).content
    assets = ["css/opendvc.css", "django_htmx/htmx-2.min.js", "django_htmx/django-htmx.js"]
    size = len(html) + sum(Path(finders.find(a)).stat().st_size for a in assets)
    assert size < PAGE_BUDGET, (url, size)
