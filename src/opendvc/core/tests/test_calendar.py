from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from freezegun import freeze_time

from opendvc.core.calendar import (
    add_working_days,
    counting_start,
    due_at,
    is_working_day,
    next_working_day,
    working_days_between,
    working_days_late,
    year_days,
)
from opendvc.core.models import AuditEvent, CalendarDay, CalendarDayKind

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Calendar years live in the cache; a rolled-back CalendarDay of another test must not linger."""
    cache.clear()
    yield
    cache.clear()


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=HCM)


def make_day(day: date, kind: str, name: str = "Ngày do quản trị nhập") -> CalendarDay:
    return CalendarDay.objects.create(date=day, kind=kind, name_vi=name)


# --- Working days -----------------------------------------------------------------------------------------


def test_the_tet_2026_weekdays_are_not_working_days():
    assert [is_working_day(date(2026, 2, day)) for day in range(13, 24)] == [
        True,  # Fri 13
        False,  # Sat 14
        False,  # Sun 15
        False,  # Mon 16 Giao thừa
        False,  # Tue 17 Tết
        False,  # Wed 18
        False,  # Thu 19
        False,  # Fri 20
        False,  # Sat 21
        False,  # Sun 22
        True,  # Mon 23
    ]


def test_the_observed_hung_kings_day_and_the_swapped_day_off_are_not_working_days():
    assert not is_working_day(date(2026, 4, 27))  # Hùng Kings' day falls on Sun 26 Apr, observed Mon 27
    assert not is_working_day(date(2026, 8, 31))  # day off swapped from Sat 22 Aug


def test_the_saturday_swapped_for_a_day_off_is_a_working_day():
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 29))


def test_the_next_working_day_skips_weekends_and_holidays():
    assert next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert next_working_day(date(2026, 3, 2)) == date(2026, 3, 3)


def test_working_days_between_counts_the_end_but_not_the_start():
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 4
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 2)) == 0


def test_adding_working_days_lands_on_the_nth_working_day_after():
    assert add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 23)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


# --- Receipt and working-day periods ----------------------------------------------------------------------


def test_a_dossier_received_the_friday_before_tet_is_counted_from_the_monday_after():
    received = at(2026, 2, 13, 10, 0)
    assert counting_start(received) == date(2026, 2, 23)
    assert due_at(received, 5, "working_days") == at(2026, 2, 27, 17, 0)


def test_a_dossier_received_after_the_cutoff_is_due_one_working_day_later():
    before = due_at(at(2026, 3, 2, 14, 59), 3, "working_days")
    after = due_at(at(2026, 3, 2, 15, 1), 3, "working_days")
    assert (before, after) == (at(2026, 3, 5, 17, 0), at(2026, 3, 6, 17, 0))


def test_a_dossier_received_exactly_at_the_cutoff_counts_that_day():
    assert counting_start(at(2026, 3, 2, 15, 0)) == date(2026, 3, 3)


def test_a_dossier_received_on_a_saturday_counts_as_received_on_monday():
    assert counting_start(at(2026, 3, 7, 9, 0)) == date(2026, 3, 10)
    assert due_at(at(2026, 3, 7, 9, 0), 1, "working_days") == at(2026, 3, 10, 17, 0)


def test_the_cutoff_is_read_in_local_time():
    received = datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("UTC"))  # 15:30 in Hà Nội
    assert counting_start(received) == date(2026, 3, 4)


def test_the_cutoff_hour_and_end_of_day_come_from_settings(settings):
    settings.DOSSIER_CUTOFF_HOUR = 12
    settings.WORKDAY_END = "16:30"
    assert due_at(at(2026, 3, 2, 13, 0), 1, "working_days") == at(2026, 3, 4, 16, 30)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        due_at(datetime(2026, 3, 2, 10, 0), 1, "working_days")


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        due_at(at(2026, 3, 2, 10, 0), 1, "weeks")


# --- Supplement pauses ------------------------------------------------------------------------------------


def test_a_pause_over_the_hung_kings_holidays_adds_only_the_working_days_inside_it():
    received = at(2026, 4, 20, 9, 0)
    assert due_at(received, 10, "working_days") == at(2026, 5, 7, 17, 0)
    # Fri 24 Apr 10:00 to Mon 4 May 10:00: of 25 Apr – 4 May only 28, 29 Apr and 4 May are working days.
    pause = (at(2026, 4, 24, 10, 0), at(2026, 5, 4, 10, 0))
    assert due_at(received, 10, "working_days", pauses=[pause]) == at(2026, 5, 12, 17, 0)


def test_overlapping_pauses_count_each_working_day_once():
    received = at(2026, 3, 2, 9, 0)
    pauses = [(at(2026, 3, 3, 9, 0), at(2026, 3, 5, 9, 0)), (at(2026, 3, 4, 9, 0), at(2026, 3, 6, 9, 0))]
    assert due_at(received, 5, "working_days", pauses=pauses) == at(2026, 3, 12, 17, 0)


@freeze_time("2026-04-29 03:00:00")  # 10:00 in Hà Nội
def test_an_open_pause_counts_as_ending_now():
    pause = (at(2026, 4, 24, 10, 0), None)  # 28 and 29 Apr are the working days waited so far
    assert due_at(at(2026, 4, 20, 9, 0), 10, "working_days", pauses=[pause]) == at(2026, 5, 11, 17, 0)


def test_a_pause_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        due_at(at(2026, 3, 2, 9, 0), 5, "working_days", pauses=[(at(2026, 3, 4, 9, 0), at(2026, 3, 3, 9, 0))])


# --- Other units ------------------------------------------------------------------------------------------


def test_hours_run_across_a_weekend_within_working_hours():
    assert due_at(at(2026, 3, 6, 14, 0), 4, "hours") == at(2026, 3, 9, 9, 0)


def test_hours_for_a_dossier_received_after_the_cutoff_start_the_next_working_morning():
    assert due_at(at(2026, 3, 6, 15, 30), 4, "hours") == at(2026, 3, 9, 12, 0)


def test_hours_for_a_dossier_received_before_opening_start_at_opening(settings):
    settings.WORKDAY_START = "07:30"
    assert due_at(at(2026, 3, 9, 6, 45), 2, "hours") == at(2026, 3, 9, 9, 30)


def test_hours_paused_for_a_supplement_extend_by_the_working_hours_waited():
    received = at(2026, 3, 9, 8, 0)
    assert due_at(received, 16, "hours") == at(2026, 3, 10, 15, 0)
    pause = (at(2026, 3, 9, 16, 0), at(2026, 3, 10, 9, 0))  # 16–17 Mon and 8–9 Tue
    assert due_at(received, 16, "hours", pauses=[pause]) == at(2026, 3, 10, 17, 0)


def test_months_landing_on_a_sunday_end_on_the_monday():
    assert due_at(at(2026, 1, 8, 10, 0), 1, "months") == at(2026, 2, 9, 17, 0)


def test_months_from_the_end_of_a_long_month_end_on_the_last_day_of_a_short_one():
    # 30 Jan + 1 month = 28 Feb 2026, a Saturday: the period ends Monday 2 March.
    assert due_at(at(2026, 1, 30, 10, 0), 1, "months") == at(2026, 3, 2, 17, 0)


def test_calendar_days_ending_on_a_day_off_end_on_the_next_working_day():
    assert due_at(at(2026, 3, 2, 10, 0), 5, "days") == at(2026, 3, 9, 17, 0)
    assert due_at(at(2026, 3, 2, 10, 0), 4, "days") == at(2026, 3, 6, 17, 0)


# --- Lateness ---------------------------------------------------------------------------------------------


def test_a_dossier_finished_by_the_due_time_is_not_late():
    assert working_days_late(at(2026, 3, 5, 17, 0), at(2026, 3, 5, 17, 0)) == 0


def test_lateness_counts_working_days_only():
    due = at(2026, 2, 13, 17, 0)
    assert working_days_late(due, at(2026, 2, 24, 9, 0)) == 2


def test_finishing_after_the_due_time_on_the_due_day_is_one_day_late():
    assert working_days_late(at(2026, 3, 5, 17, 0), at(2026, 3, 5, 17, 30)) == 1


# --- Days an administrator enters -------------------------------------------------------------------------


def test_an_admin_make_up_saturday_is_a_working_day():
    make_day(date(2026, 3, 14), CalendarDayKind.WORKING_DAY)
    assert is_working_day(date(2026, 3, 14))
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 14)


def test_an_admin_day_off_monday_is_not_a_working_day():
    make_day(date(2026, 3, 16), CalendarDayKind.DAY_OFF)
    assert not is_working_day(date(2026, 3, 16))
    assert next_working_day(date(2026, 3, 13)) == date(2026, 3, 17)


def test_an_admin_working_day_overrides_a_public_holiday():
    make_day(date(2026, 11, 24), CalendarDayKind.WORKING_DAY)
    assert is_working_day(date(2026, 11, 24))


def test_the_year_is_cached_and_forgotten_when_an_admin_adds_or_removes_a_day():
    assert is_working_day(date(2026, 3, 16))
    with CaptureQueriesContext(connection) as queries:
        assert due_at(at(2026, 3, 2, 9, 0), 60, "working_days") == at(2026, 5, 28, 17, 0)
    assert len(queries) == 0
    day = make_day(date(2026, 3, 16), CalendarDayKind.HOLIDAY)
    assert not is_working_day(date(2026, 3, 16))
    day.delete()
    assert is_working_day(date(2026, 3, 16))


def test_a_long_period_reads_the_database_once_per_year():
    with CaptureQueriesContext(connection) as queries:
        due_at(at(2026, 11, 2, 9, 0), 60, "working_days")
    assert len(queries) == 2  # 2026 and 2027


def test_the_year_lists_holidays_swaps_and_admin_days():
    make_day(date(2026, 3, 14), CalendarDayKind.WORKING_DAY, "Làm bù cho ngày 16/3")
    with translation.override("vi"):
        days = {item["date"]: item for item in year_days(2026)}
    assert days[date(2026, 2, 17)] == {
        "date": date(2026, 2, 17),
        "kind": "holiday",
        "name": "Tết Nguyên Đán",
        "name_vi": "Tết Nguyên Đán",
        "name_en": "Lunar New Year",
        "source": "holidays",
        "is_working_day": False,
    }
    assert (days[date(2026, 4, 27)]["kind"], days[date(2026, 8, 31)]["kind"]) == ("day_off", "day_off")
    assert days[date(2026, 8, 22)]["kind"] == "working_day" and days[date(2026, 8, 22)]["is_working_day"]
    assert days[date(2026, 3, 14)]["source"] == "admin" and days[date(2026, 3, 14)]["is_working_day"]
    assert date(2026, 4, 26) not in days  # a Sunday holiday changes nothing
    assert date(2026, 3, 13) not in days
    assert list(days) == sorted(days)


def test_the_year_names_days_in_the_active_language():
    with translation.override("en"):
        days = {item["date"]: item["name"] for item in year_days(2026)}
    assert days[date(2026, 2, 17)] == "Lunar New Year"


# --- Admin ------------------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("quantri", password="Mk-quan-tri-2026"))
    return client


def test_the_admin_lists_the_days_of_the_chosen_year(superuser_client):
    make_day(date(2026, 3, 14), CalendarDayKind.WORKING_DAY, "Làm bù cho ngày 16/3/2026")
    make_day(date(2025, 12, 29), CalendarDayKind.DAY_OFF, "Nghỉ thêm cuối năm 2025")
    page = superuser_client.get("/quan-tri/core/calendarday/", {"nam": "2026"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Làm bù cho ngày 16/3/2026" in html and "Nghỉ thêm cuối năm 2025" not in html
    assert "Ngày làm việc bù (thứ Bảy/Chủ nhật đi làm)" in html and "Thứ Bảy" in html
    assert "2025" in superuser_client.get("/quan-tri/core/calendarday/").content.decode()


def test_a_day_added_in_the_admin_day_first_changes_the_calendar_and_is_audited(superuser_client):
    assert not is_working_day(date(2026, 4, 11))
    response = superuser_client.post(
        "/quan-tri/core/calendarday/add/",
        {"date": "11/04/2026", "kind": "working_day", "name_vi": "Làm bù", "name_en": "", "note": ""},
    )
    assert response.status_code == 302
    assert is_working_day(date(2026, 4, 11))  # Saturday 11 April, not 4 November
    assert AuditEvent.objects.filter(action="calendar.day_saved", details__date="2026-04-11").exists()


def test_days_deleted_in_the_admin_give_the_day_back_to_the_holidays_and_are_audited(superuser_client):
    day = make_day(date(2026, 11, 24), CalendarDayKind.WORKING_DAY)
    assert is_working_day(date(2026, 11, 24))
    response = superuser_client.post(
        "/quan-tri/core/calendarday/",
        {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert not is_working_day(date(2026, 11, 24))  # Vietnam Cultural Day again
    assert AuditEvent.objects.filter(action="calendar.day_deleted", details__date="2026-11-24").exists()
