from html.parser import HTMLParser

from django.http import QueryDict
from django.utils import translation

from opendvc.dossiers.eforms.prefill import prefill
from opendvc.dossiers.eforms.render import error_summary, render_communes, render_step, render_summary
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.tests.sample import sample, valid
from opendvc.dossiers.eforms.validation import validate

SPEC = load_definition(sample())
REGISTRY = {
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1988-05-12",
    "gender": "male",
    "id_number": "001088012345",
    "address": "Số 12 phố Hàng Bông, phường Hoàn Kiếm, thành phố Hà Nội",
}


class Page(HTMLParser):
    """Elements by id, labels by target, and the text inside each element with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: dict[str, tuple[str, dict]] = {}
        self.labels: dict[str, str] = {}
        self.controls: list[tuple[str, dict]] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self._label_for: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if "id" in attrs:
            assert attrs["id"] not in self.elements, f"duplicate id {attrs['id']}"
            self.elements[attrs["id"]] = (tag, attrs)
            self.text[attrs["id"]] = ""
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append((tag, attrs))
        if tag == "label":
            self._label_for = attrs.get("for")
            self.labels.setdefault(self._label_for, "")
        if tag not in ("input", "br", "meta"):
            self._open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _id = self._open.pop()
            if open_tag == tag:
                break
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.text[element_id] += data
        if self._label_for is not None:
            self.labels[self._label_for] += data


def draw(step, data, errors=None, **kwargs) -> tuple[str, Page]:
    html = render_step(SPEC, step, data, errors or {}, **kwargs)
    return html, Page(html)


def test_every_visible_control_has_a_label_bound_to_it():
    for step in SPEC.step_keys:
        _html, page = draw(step, valid(has_children="yes", purpose="other", children=[{}]))
        assert page.controls
        for tag, attrs in page.controls:
            if attrs.get("class") == "visually-hidden":
                continue
            assert attrs.get("id") in page.labels, (step, tag, attrs)
            assert page.labels[attrs["id"]].strip()


def test_help_and_errors_are_linked_to_their_input():
    data = valid(full_name="", purpose="other")
    errors = validate(SPEC, data).errors
    _html, page = draw("applicant", data, errors)
    _tag, attrs = page.elements["f-full_name"]
    assert attrs["aria-invalid"] == "true"
    described = attrs["aria-describedby"].split()
    assert "f-full_name-hint" in described and "f-full_name-error" in described
    assert "Như trên thẻ căn cước" in page.text["f-full_name-hint"]
    assert "Nhập họ và tên" in page.text["f-full_name-error"]
    assert "aria-invalid" not in page.elements["f-phone"][1]


def test_every_described_by_id_exists():
    data = valid(full_name="", address={"province": "01"}, purpose="other", has_children="yes", children=[{}])
    errors = validate(SPEC, data).errors
    for step in SPEC.step_keys:
        _html, page = draw(step, data, errors, origins={"full_name": "Từ tài khoản"})
        for _id, (_tag, attrs) in page.elements.items():
            for target in attrs.get("aria-describedby", "").split():
                assert target in page.elements, (step, _id, target)


def test_choices_and_yes_no_are_fieldsets_with_a_legend_and_labelled_radios():
    html, page = draw("details", valid())
    assert page.elements["f-has_children"][0] == "fieldset"
    assert '<legend class="label">Bạn có con?' in html
    assert page.elements["f-has_children-no"][1]["checked"] == ""
    assert page.labels["f-has_children-yes"] == "Có" and page.labels["f-purpose-0"] == "Đi làm"


def test_a_repeatable_group_has_add_and_remove_buttons_that_work_without_javascript():
    html, page = draw("details", valid(has_children="yes", children=[{"full_name": "A"}, {"full_name": "B"}]))
    assert 'name="action" value="add:children"' in html and "Thêm người con" in html
    assert 'value="remove:children.1"' in html and 'Xóa<span class="visually-hidden"> Người con 2' in html
    assert page.elements["f-children-1-full_name"][1]["value"] == "B"
    assert 'name="f-children-0-_item"' in html


def test_a_full_group_offers_no_add_and_a_minimal_group_no_remove():
    full, _page = draw("details", valid(has_children="yes", children=[{}, {}, {}]))
    assert "add:children" not in full
    one, _page = draw("details", valid(has_children="yes", children=[{}]))
    assert "remove:children.0" not in one


def test_the_commune_select_lists_the_communes_of_the_chosen_province():
    html, page = draw("applicant", {"address": {"province": "79", "commune": "26743"}}, communes_url="/xa/")
    assert page.labels["f-address-commune"] == "Xã, phường, đặc khu"
    assert ">Phường Bến Thành</option>" in html and "Phường Láng" not in html
    assert '<option value="26743" selected>' in html
    province = page.elements["f-address-province"][1]
    assert province["hx-get"] == "/xa/" and province["hx-target"] == "#f-address-commune-group"
    assert 'value="refresh:address"' in html


def test_without_a_province_the_commune_select_asks_for_it_first():
    html, _page = draw("applicant", {})
    assert "– Chọn tỉnh, thành phố trước –" in html and "hx-get" not in html


def test_the_htmx_endpoint_renders_the_commune_select_of_a_province():
    html = render_communes(QueryDict("field=f-address&f-address-province=38"))
    page = Page(html)
    assert "f-address-commune-group" in page.elements and "Phường Hạc Thành" in html
    assert render_communes(QueryDict("field=<script>")) == ""


def test_locked_fields_are_read_only_and_say_where_they_come_from():
    data, origins, locked = prefill(SPEC, {"registry": REGISTRY, "profile": {"phone": "0912345678"}})
    html, page = draw("applicant", data, origins=origins, locked=locked)
    name = page.elements["f-full_name"][1]
    assert "readonly" in name and name["value"] == "Nguyễn Văn An"
    assert "Từ Cơ sở dữ liệu quốc gia về dân cư – không sửa được" in page.text["f-full_name-origin"]
    assert "f-full_name-origin" in name["aria-describedby"]
    gender = page.elements["f-gender"][1]
    assert gender["value"] == "Nam" and "readonly" in gender
    assert '<input type="hidden" name="f-gender" value="male">' in html
    assert page.elements["f-address-display"][1]["value"].startswith("Số 12 phố Hàng Bông, Phường Hoàn Kiếm")


def test_prefilled_editable_fields_show_their_origin_without_a_lock():
    data, origins, locked = prefill(SPEC, {"profile": {"phone": "0912345678"}})
    _html, page = draw("applicant", data, origins=origins, locked=locked)
    assert page.text["f-phone-origin"].strip() == "Từ tài khoản"
    assert "readonly" not in page.elements["f-phone"][1]


def test_a_condition_on_the_same_step_is_drawn_with_a_hint_and_data_attributes():
    _html, page = draw("details", valid(purpose="work"))
    group = page.elements["f-purpose_other-group"][1]
    assert group["data-when-field"] == "f-purpose" and group["data-when-op"] == "equals"
    assert "Chỉ khai nếu ở mục «Mục đích» bạn chọn «Khác»" in page.text["f-purpose_other-when"]


def test_a_condition_on_an_earlier_step_is_applied_on_the_server():
    hidden, _page = draw("documents", {"purpose": "work"})
    shown, _page = draw("documents", {"purpose": "other"})
    assert "f-power_of_attorney" not in hidden and 'id="f-power_of_attorney"' in shown


def test_user_text_is_escaped():
    html, _page = draw("applicant", {"full_name": '"><script>alert(1)</script>'})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_default_action_button_comes_first():
    html, _page = draw("details", {})
    assert html.lstrip().startswith('<button type="submit" name="action" value="next"')
    assert not render_step(SPEC, "details", {}, default_action=None).lstrip().startswith("<button")


def test_garbage_answers_still_render():
    garbage = {
        "full_name": {"x": 1},
        "address": "Hà Nội",
        "children": "x",
        "has_children": "maybe",
        "gender": ["male"],
        "copies": None,
        "spouse": [1],
    }
    for step in SPEC.step_keys:
        assert render_step(SPEC, step, garbage, {"children": ["x"]})


def test_the_error_summary_links_to_the_control_of_each_error():
    data = valid(
        full_name="",
        gender="",
        address={"province": "01", "commune": "", "detail": "x"},
        has_children="",
        purpose="other",
    )
    errors = validate(SPEC, data).errors
    summary = error_summary(errors, SPEC)
    anchors = {message: anchor for anchor, message in summary}
    assert anchors["Nhập họ và tên"] == "f-full_name"
    assert anchors["Chọn giới tính"] == "f-gender-0"
    assert anchors["Nơi cư trú: chọn xã, phường"] == "f-address-commune"
    assert anchors["Chọn Có hoặc Không cho câu hỏi «Bạn có con?»"] == "f-has_children-yes"
    for step in SPEC.step_keys:
        _html, page = draw(step, data, errors)
        for anchor, _message in summary:
            if SPEC.step_of(anchor.removeprefix("f-").split("-")[0]).key == step:
                assert anchor in page.elements


def test_the_summary_lists_answers_by_step_as_people_read_them():
    data = valid(
        has_children="yes",
        area="85,5",
        children=[{"full_name": "Bé Na", "relationship": "child", "date_of_birth": "2015-01-02"}],
    )
    cleaned = validate(SPEC, data, attachments_present={"2"}).cleaned
    html = render_summary(SPEC, cleaned, change_url="/ho-so/buoc/{step}/")
    for text in (
        '<h2 id="summary-applicant">Người khai</h2>',
        "<dt>Giới tính</dt>",
        "<dd>Nam</dd>",
        "<dd>12/05/1988</dd>",
        "1.500.000 đ",
        "85,5 m²",
        "Số 12 phố Hàng Bông, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "<strong>Người con 1</strong>",
        "<dd>Bé Na</dd>",
        "<dd>Có</dd>",
        'href="/ho-so/buoc/details/"',
        "Đã đính kèm",
    ):
        assert text in html, text
    assert "Mục đích khác" not in html


def test_labels_follow_the_active_language_when_translated():
    schema = sample()
    schema["steps"][0]["fields"][0]["label_en"] = "Full name"
    spec = load_definition(schema)
    with translation.override("en"):
        assert 'for="f-full_name">Full name' in render_step(spec, "applicant", {})
    assert 'for="f-full_name">Họ và tên' in render_step(spec, "applicant", {})
