"""The registry ports: the demo data, the reference adapters, the HTTP adapters against the local server,
and the choice of adapter in settings."""

import json
import time
import unicodedata
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from opendvc.identity.registries import (
    InsuredPerson,
    PersonRecord,
    RegistryUnavailable,
    Subscriber,
    carrier_registry,
    population_registry,
    social_insurance_registry,
)
from opendvc.identity.registries.http import (
    HttpCarrierRegistry,
    HttpPopulationRegistry,
    HttpSocialInsuranceRegistry,
)
from opendvc.identity.registries.reference import (
    DEMO_DATA_FILE,
    ReferenceCarrierRegistry,
    ReferencePopulationRegistry,
    ReferenceSocialInsuranceRegistry,
    load_reference_data,
    outage,
)
from opendvc.identity.registries.server import ReferenceRegistryServer

# The canonical demo people (their `purpose` in people.json says what each one is for).
AN = "001088012345"
BINH = "079190001234"
CUONG = "038085004321"
DUNG = "001192007777"
EM = "001060009999"
HAI, HAI_OLD_ID = "001087003333", "012345678"
KHANH = "001099000000"
# Some of the added ones.
ANH = "001193021456"  # the carrier dropped her middle name
HUONG = "001178004512"  # the carrier has another date of birth
PHUONG = "001191012367"  # the carrier has no date of birth
LONG, LONG_OLD_ID = "001055002233", "011234567"  # old ID at the carrier and at social insurance
TAM, TAM_OLD_ID = "038152000987", "170123456"  # deceased, with an old ID
YEN = "001189013467"  # the carrier fails on her number only
TUAN = "079087012468"  # every lookup fails
HIEU = "079083017531"  # social insurance fails on his record only

API_KEY = "test-registry-key"

# Province codes of the personal identification number (Circular 59/2021/TT-BCA, the 63 provinces).
# fmt: off
PROVINCE_CODES = {
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
    "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
    "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
    "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
    "089", "091", "092", "093", "094", "095", "096",
}
# fmt: on
CARRIER_PREFIXES = {
    "viettel": {"086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"},
    "vinaphone": {"088", "091", "094", "081", "082", "083", "084", "085"},
    "mobifone": {"089", "090", "093", "070", "076", "077", "078", "079"},
}


def population(**options):
    return ReferencePopulationRegistry(**options)


def carrier(**options):
    return ReferenceCarrierRegistry(**options)


def social_insurance(**options):
    return ReferenceSocialInsuranceRegistry(**options)


def demo_document() -> dict:
    return json.loads(DEMO_DATA_FILE.read_text(encoding="utf-8"))


def write_data(tmp_path, people=(), subscribers=(), unregistered=()):
    path = tmp_path / "people.json"
    document = {
        "people": list(people),
        "subscribers": list(subscribers),
        "unregistered_phones": list(unregistered),
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def person_entry(**fields):
    return {
        "id_number": "001090000001",
        "full_name": "Nguyễn Văn Thử",
        "date_of_birth": "1990-01-01",
        "gender": "male",
        "address": "Số 1 phố Tràng Tiền, phường Hoàn Kiếm, thành phố Hà Nội",
        "phones": [],
        **fields,
    }


# -- the demo data


def test_demo_data_has_at_least_55_people():
    assert len(demo_document()["people"]) >= 55
    assert len(load_reference_data().people) == len(demo_document()["people"])


def test_every_phone_number_appears_once_in_the_demo_data():
    document = demo_document()
    phones = [line["phone"] for person in document["people"] for line in person["phones"]]
    phones += [entry["phone"] for entry in document["subscribers"]]
    phones += document["unregistered_phones"]
    duplicates = sorted({phone for phone in phones if phones.count(phone) > 1})
    assert duplicates == []


def test_every_text_in_the_demo_data_is_nfc():
    def texts(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)

    not_nfc = [text for text in texts(demo_document()) if unicodedata.normalize("NFC", text) != text]
    assert not_nfc == []


def test_demo_id_numbers_encode_a_province_the_birth_century_gender_and_year():
    for person in load_reference_data().people:
        century_and_gender = (0 if person.date_of_birth.year < 2000 else 2) + (person.gender == "female")
        assert person.id_number[:3] in PROVINCE_CODES, person
        assert person.id_number[3] == str(century_and_gender), person
        assert person.id_number[4:6] == f"{person.date_of_birth.year % 100:02d}", person


def test_demo_phone_numbers_use_their_carriers_prefixes():
    for subscriber in load_reference_data().subscribers.values():
        assert subscriber.phone[:3] in CARRIER_PREFIXES[subscriber.carrier], subscriber


def test_demo_people_live_in_ha_noi_ho_chi_minh_city_or_thanh_hoa():
    cities = ("thành phố Hà Nội", "Thành phố Hồ Chí Minh", "tỉnh Thanh Hóa")
    assert [p.id_number for p in load_reference_data().people if not p.address.endswith(cities)] == []


def test_every_demo_person_and_subscriber_says_what_it_demonstrates():
    document = demo_document()
    assert all(entry.get("purpose", "").strip() for entry in document["people"] + document["subscribers"])


def test_demo_data_covers_every_kind_of_case():
    data = load_reference_data()
    people = {person.id_number: person for person in data.people}
    assert sum(person.deceased for person in data.people) >= 3
    assert sum(bool(person.old_id_number) for person in data.people) >= 5
    assert sum(person.id_number[3] in "23" for person in data.people) >= 5
    assert len(data.insured) >= 10
    assert len(data.unregistered_phones) >= 5
    registered_elsewhere = [s for s in data.subscribers.values() if s.id_number not in people]
    differing = [
        s
        for s in data.subscribers.values()
        if s.id_number in people
        and (s.full_name, s.date_of_birth)
        != (people[s.id_number].full_name, people[s.id_number].date_of_birth)
    ]
    assert len(registered_elsewhere) >= 4
    assert len(differing) >= 5


def test_a_data_file_with_a_phone_twice_is_refused(tmp_path):
    path = write_data(
        tmp_path,
        people=[person_entry(phones=[{"phone": "0912000001", "carrier": "vinaphone"}])],
        unregistered=["0912000001"],
    )
    with pytest.raises(ImproperlyConfigured, match="0912000001 appears more than once"):
        ReferenceCarrierRegistry(data_file=path)


def test_a_data_file_with_a_misspelt_field_is_refused(tmp_path):
    phone = {"phone": "0912000001", "carrier": "vinaphone", "registred_with": "012345678"}
    path = write_data(tmp_path, people=[person_entry(phones=[phone])])
    with pytest.raises(ImproperlyConfigured, match="registred_with"):
        ReferencePopulationRegistry(data_file=path)


def test_a_data_file_with_two_people_on_one_id_is_refused(tmp_path):
    path = write_data(tmp_path, people=[person_entry(), person_entry(full_name="Trần Văn Khác")])
    with pytest.raises(ImproperlyConfigured, match="belongs to another person"):
        ReferencePopulationRegistry(data_file=path)


def test_names_written_in_nfd_are_answered_in_nfc(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    phones = [{"phone": "0912000001", "carrier": "vinaphone"}]
    path = write_data(tmp_path, people=[person_entry(full_name=decomposed, gender="female", phones=phones)])
    assert population(data_file=path).lookup("001090000001").full_name == "Nguyễn Thị Hường"
    assert carrier(data_file=path).subscriber("0912000001").full_name == "Nguyễn Thị Hường"


# -- the reference population registry


def test_population_registry_finds_a_person_by_12_digit_id():
    assert population().lookup(AN) == PersonRecord(
        id_number=AN,
        full_name="Nguyễn Văn An",
        date_of_birth=date(1988, 5, 12),
        gender="male",
        address="Số 12 phố Hàng Bông, phường Hoàn Kiếm, thành phố Hà Nội",
    )


def test_population_registry_ignores_spaces_and_dots_in_the_id():
    assert (
        population().lookup(" 001 088 012 345 ")
        == population().lookup("001.088.012.345")
        == population().lookup(AN)
    )


def test_population_registry_finds_a_person_by_old_9_digit_id():
    person = population().lookup(HAI_OLD_ID)
    assert (person.id_number, person.old_id_number, person.full_name) == (HAI, HAI_OLD_ID, "Đỗ Văn Hải")
    assert population().lookup(HAI) == person


def test_population_registry_marks_deceased_people():
    assert population().lookup(EM).deceased is True
    assert population().lookup(TAM_OLD_ID) == population().lookup(TAM)
    assert population().lookup(TAM).deceased is True
    assert population().lookup(AN).deceased is False


@pytest.mark.parametrize(
    "id_number", ["001088012346", "099999999", "", "abc", "00108801234", "0010880123456"]
)
def test_population_registry_gives_none_for_unknown_or_impossible_ids(id_number):
    assert population().lookup(id_number) is None


def test_population_registry_simulates_an_outage_for_one_person():
    with pytest.raises(RegistryUnavailable) as raised:
        population().lookup(KHANH)
    assert raised.value.registry == "population"
    assert population().lookup(AN) is not None


def test_population_registry_that_is_down_answers_nobody():
    with pytest.raises(RegistryUnavailable):
        population(down=True).lookup(AN)


def test_population_registry_takes_its_latency():
    started = time.monotonic()
    population(latency=0.05).lookup(AN)
    assert time.monotonic() - started >= 0.05


# -- the reference carrier registry


def test_carrier_gives_the_owner_of_an_owner_registered_number():
    assert carrier().subscriber("0912345678") == Subscriber(
        phone="0912345678",
        carrier="vinaphone",
        id_number=AN,
        full_name="Nguyễn Văn An",
        date_of_birth=date(1988, 5, 12),
    )


@pytest.mark.parametrize(
    "phone", ["+84 912 345 678", "84912345678", "0912 345 678", "0912-345-678", "912345678"]
)
def test_carrier_accepts_phone_numbers_in_common_forms(phone):
    assert carrier().subscriber(phone).id_number == AN


def test_carrier_knows_every_number_of_a_person_with_several():
    assert (
        carrier().subscriber("0971112233").id_number == carrier().subscriber("0355556666").id_number == CUONG
    )


def test_carrier_gives_the_old_id_a_number_is_still_registered_to():
    subscriber = carrier().subscriber("0945556677")
    assert (subscriber.id_number, subscriber.full_name) == (HAI_OLD_ID, "Đỗ Văn Hải")


def test_carrier_gives_another_persons_id_for_a_number_registered_to_them():
    subscriber = carrier().subscriber("0903334444")
    assert (subscriber.id_number, subscriber.full_name) == ("001190006666", "Phạm Văn Đức")
    assert subscriber.id_number != DUNG


def test_carrier_may_hold_another_name_or_date_of_birth_than_the_population_registry():
    assert carrier().subscriber("0943218765").full_name == "Lê Thị Ánh"
    assert population().lookup(ANH).full_name == "Lê Thị Ngọc Ánh"
    assert carrier().subscriber("0983456120").date_of_birth == date(1978, 1, 1)
    assert population().lookup(HUONG).date_of_birth == date(1978, 10, 1)


def test_carrier_may_hold_no_date_of_birth():
    subscriber = carrier().subscriber("0388765432")
    assert (subscriber.id_number, subscriber.date_of_birth) == (PHUONG, None)


@pytest.mark.parametrize("phone", ["0869999000", "0962000111", "0912000000", "12345", ""])
def test_carrier_gives_none_for_unregistered_or_impossible_numbers(phone):
    assert carrier().subscriber(phone) is None


def test_carrier_simulates_an_outage_for_the_numbers_of_an_unavailable_person():
    with pytest.raises(RegistryUnavailable) as raised:
        carrier().subscriber("0919999000")
    assert raised.value.registry == "carrier"


def test_carrier_can_fail_on_one_number_while_the_population_registry_answers():
    assert population().lookup(YEN).full_name == "Đoàn Thị Yến"
    with pytest.raises(RegistryUnavailable):
        carrier().subscriber("0816789234")


def test_carrier_that_is_down_answers_nobody():
    with pytest.raises(RegistryUnavailable):
        carrier(down=True).subscriber("0912345678")


# -- the reference social-insurance registry


def test_social_insurance_gives_the_insured_person_and_their_phone():
    assert social_insurance().lookup("7912345678") == InsuredPerson(
        social_insurance_number="7912345678", id_number=BINH, full_name="Trần Thị Bình", phone="0987654321"
    )


def test_social_insurance_ignores_spaces_in_the_number():
    assert social_insurance().lookup("79 1234 5678").id_number == BINH


def test_social_insurance_may_know_a_person_by_their_old_id():
    assert social_insurance().lookup("0198765432").id_number == LONG_OLD_ID
    assert population().lookup(LONG_OLD_ID).id_number == LONG


@pytest.mark.parametrize("number", ["7912345679", "791234567", "", "BHXH"])
def test_social_insurance_gives_none_for_unknown_or_impossible_numbers(number):
    assert social_insurance().lookup(number) is None


def test_social_insurance_simulates_an_outage_for_an_unavailable_person():
    with pytest.raises(RegistryUnavailable) as raised:
        social_insurance().lookup("7934567812")
    assert raised.value.registry == "social_insurance"
    with pytest.raises(RegistryUnavailable):
        population().lookup(TUAN)


def test_social_insurance_can_fail_on_one_record_while_the_other_registries_answer():
    assert population().lookup(HIEU) is not None
    assert carrier().subscriber("0356781024").id_number == HIEU
    with pytest.raises(RegistryUnavailable):
        social_insurance().lookup("7989123456")


def test_social_insurance_that_is_down_answers_nobody():
    with pytest.raises(RegistryUnavailable):
        social_insurance(down=True).lookup("7912345678")


# -- the HTTP adapters against the local reference server


@pytest.fixture
def server():
    with ReferenceRegistryServer(api_key=API_KEY) as running:
        yield running


def over_http(cls, server, **options):
    return cls(
        base_url=server.url, **{"api_key": API_KEY, "timeout": 2, "retries": 0, "backoff": 0, **options}
    )


def test_http_population_registry_answers_every_demo_person_like_the_reference(server):
    data, remote = load_reference_data(), over_http(HttpPopulationRegistry, server)
    for key in data.persons_by_id:
        if ("population", key) not in data.unavailable:
            assert remote.lookup(key) == population().lookup(key), key


def test_http_carrier_registry_answers_every_demo_number_like_the_reference(server):
    data, remote = load_reference_data(), over_http(HttpCarrierRegistry, server)
    for phone in data.subscribers:
        if ("carrier", phone) not in data.unavailable:
            assert remote.subscriber(phone) == carrier().subscriber(phone), phone


def test_http_social_insurance_registry_answers_every_record_like_the_reference(server):
    data, remote = load_reference_data(), over_http(HttpSocialInsuranceRegistry, server)
    for number in data.insured:
        if ("social_insurance", number) not in data.unavailable:
            assert remote.lookup(number) == social_insurance().lookup(number), number


def test_http_adapter_sends_numbers_in_national_form(server):
    assert over_http(HttpCarrierRegistry, server).subscriber("+84 912 345 678").id_number == AN
    assert over_http(HttpPopulationRegistry, server).lookup("001 088 012 345").id_number == AN
    assert server.paths == ["/subscribers/0912345678", "/people/001088012345"]


def test_http_adapter_gives_none_for_not_found_without_retrying(server):
    assert over_http(HttpPopulationRegistry, server, retries=2).lookup("001088012346") is None
    assert over_http(HttpCarrierRegistry, server, retries=2).subscriber("0869999000") is None
    assert len(server.paths) == 2


def test_http_adapter_does_not_ask_about_impossible_numbers(server):
    assert over_http(HttpPopulationRegistry, server).lookup("12345") is None
    assert over_http(HttpCarrierRegistry, server).subscriber("not a phone") is None
    assert over_http(HttpSocialInsuranceRegistry, server).lookup("") is None
    assert server.paths == []


def test_http_adapter_with_a_wrong_key_is_unavailable_without_retrying(server):
    registry = over_http(HttpPopulationRegistry, server, api_key="wrong-key", retries=2)
    with pytest.raises(RegistryUnavailable, match="401"):
        registry.lookup(AN)
    assert len(server.paths) == 1


def test_http_adapter_without_a_key_is_unavailable(server):
    with pytest.raises(RegistryUnavailable, match="401"):
        over_http(HttpCarrierRegistry, server, api_key="").subscriber("0912345678")


def test_http_adapter_retries_after_a_503_and_gets_the_answer(server):
    server.fail_next(1)
    assert over_http(HttpPopulationRegistry, server, retries=1).lookup(AN).full_name == "Nguyễn Văn An"
    assert server.paths == [f"/people/{AN}"] * 2


def test_http_adapter_retries_any_5xx(server):
    server.fail_next(1, status=502)
    server.fail_next(1, status=500)
    assert over_http(HttpSocialInsuranceRegistry, server, retries=2).lookup("7912345678").id_number == BINH


def test_http_adapter_is_unavailable_when_503_outlasts_its_retries(server):
    server.fail_next(3)
    with pytest.raises(RegistryUnavailable, match=r"HTTP 503 \(3 attempts\)") as raised:
        over_http(HttpCarrierRegistry, server, retries=2).subscriber("0912345678")
    assert raised.value.registry == "carrier"
    assert len(server.paths) == 3


def test_http_adapter_is_unavailable_when_the_registry_times_out(server):
    server.hang_next(2)
    with pytest.raises(RegistryUnavailable, match="timed out"):
        over_http(HttpPopulationRegistry, server, timeout=0.2, retries=1).lookup(AN)
    assert len(server.paths) == 2


def test_http_adapter_retries_after_a_timeout_and_gets_the_answer(server):
    server.hang_next(1)
    assert over_http(HttpPopulationRegistry, server, timeout=0.2, retries=1).lookup(AN).id_number == AN


def test_http_adapter_waits_a_doubling_backoff_between_retries(server):
    server.fail_next(2)
    started = time.monotonic()
    over_http(HttpPopulationRegistry, server, retries=2, backoff=0.1).lookup(AN)
    assert time.monotonic() - started >= 0.1 + 0.2


def test_http_adapter_is_unavailable_when_nothing_listens():
    with ReferenceRegistryServer(api_key=API_KEY) as stopped:
        url = stopped.url
    registry = HttpPopulationRegistry(base_url=url, api_key=API_KEY, timeout=2, retries=1, backoff=0)
    with pytest.raises(RegistryUnavailable, match="connection failed"):
        registry.lookup(AN)


def test_http_adapter_is_unavailable_for_a_person_the_registry_cannot_answer_for(server):
    with pytest.raises(RegistryUnavailable):
        over_http(HttpPopulationRegistry, server, retries=1).lookup(KHANH)
    assert len(server.paths) == 2


def test_http_adapter_is_unavailable_on_garbage_json_without_retrying(server):
    server.answer_next(1, body=b"<html>Gateway</html>", content_type="text/html")
    with pytest.raises(RegistryUnavailable, match="not a JSON object"):
        over_http(HttpPopulationRegistry, server, retries=2).lookup(AN)
    assert len(server.paths) == 1


PERSON_JSON = {
    "id_number": AN,
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1988-05-12",
    "gender": "male",
    "address": "Số 12 phố Hàng Bông, phường Hoàn Kiếm, thành phố Hà Nội",
    "old_id_number": "",
    "deceased": False,
}


@pytest.mark.parametrize(
    "body",
    [
        [PERSON_JSON],
        {key: value for key, value in PERSON_JSON.items() if key != "full_name"},
        {**PERSON_JSON, "full_name": ""},
        {**PERSON_JSON, "date_of_birth": "12/05/1988"},
        {**PERSON_JSON, "gender": "nam"},
        {**PERSON_JSON, "deceased": "no"},
        {**PERSON_JSON, "id_number": 1088012345},
        {**PERSON_JSON, "id_number": "001088099999"},
    ],
    ids=[
        "list",
        "missing-name",
        "empty-name",
        "other-date-format",
        "other-gender",
        "text-flag",
        "number",
        "other-id",
    ],
)
def test_http_adapter_is_unavailable_on_an_answer_of_the_wrong_shape(server, body):
    server.answer_next(1, body=json.dumps(body).encode())
    with pytest.raises(RegistryUnavailable, match=r"malformed|not a JSON object"):
        over_http(HttpPopulationRegistry, server).lookup(AN)


def test_http_adapter_accepts_the_registry_answer_and_normalises_it_to_nfc(server):
    body = {**PERSON_JSON, "full_name": unicodedata.normalize("NFD", "Nguyễn Văn An")}
    server.answer_next(1, body=json.dumps(body).encode())
    assert over_http(HttpPopulationRegistry, server).lookup(AN) == population().lookup(AN)


def test_http_adapter_does_not_take_a_bare_404_for_not_found(server):
    server.answer_next(1, status=404, body=b"Not Found", content_type="text/plain")
    with pytest.raises(RegistryUnavailable, match="404"):
        over_http(HttpPopulationRegistry, server).lookup(AN)


def test_http_adapter_does_not_retry_a_refused_request(server):
    server.answer_next(1, status=400, body=b'{"error": "invalid"}')
    with pytest.raises(RegistryUnavailable, match="HTTP 400"):
        over_http(HttpPopulationRegistry, server, retries=2).lookup(AN)
    assert len(server.paths) == 1


def test_http_adapter_refuses_a_base_url_that_is_not_http():
    with pytest.raises(ValueError, match="http"):
        HttpPopulationRegistry(base_url="registry.example:8080", api_key=API_KEY)


# -- the adapter chosen in settings

REFERENCE = "opendvc.identity.registries.reference"


def test_settings_choose_the_reference_adapters_and_their_options():
    adapters = {
        **settings.IDENTITY_ADAPTERS,
        "population": {"class": f"{REFERENCE}.ReferencePopulationRegistry", "latency": 0.01},
        "carrier": {"class": f"{REFERENCE}.ReferenceCarrierRegistry", "latency": 0},
        "social_insurance": {"class": f"{REFERENCE}.ReferenceSocialInsuranceRegistry", "latency": 0},
    }
    with override_settings(IDENTITY_ADAPTERS=adapters):
        assert isinstance(population_registry(), ReferencePopulationRegistry)
        assert population_registry().latency == 0.01
        assert isinstance(carrier_registry(), ReferenceCarrierRegistry)
        assert isinstance(social_insurance_registry(), ReferenceSocialInsuranceRegistry)


def test_settings_choose_the_http_adapters(server):
    options = {"base_url": server.url, "api_key": API_KEY, "timeout": 2, "retries": 0}
    adapters = {
        **settings.IDENTITY_ADAPTERS,
        "population": {"class": "opendvc.identity.registries.http.HttpPopulationRegistry", **options},
        "carrier": {"class": "opendvc.identity.registries.http.HttpCarrierRegistry", **options},
        "social_insurance": {
            "class": "opendvc.identity.registries.http.HttpSocialInsuranceRegistry",
            **options,
        },
    }
    with override_settings(IDENTITY_ADAPTERS=adapters):
        assert population_registry().lookup(AN).full_name == "Nguyễn Văn An"
        assert carrier_registry().subscriber("0912345678").id_number == AN
        assert social_insurance_registry().lookup("7912345678").id_number == BINH
    assert server.paths == [f"/people/{AN}", "/subscribers/0912345678", "/insured/7912345678"]


def test_an_outage_in_settings_takes_down_only_that_registry():
    with override_settings(IDENTITY_ADAPTERS=outage("carrier")):
        with pytest.raises(RegistryUnavailable):
            carrier_registry().subscriber("0912345678")
        assert population_registry().lookup(AN) is not None
    assert carrier_registry().subscriber("0912345678").id_number == AN


def test_an_outage_of_an_unknown_port_is_refused():
    with pytest.raises(ValueError, match="sms"):
        outage("sms")
