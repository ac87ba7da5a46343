"""The demo history generator: realistic dossiers whose counters are exactly what a rebuild computes, and
codes that real dossiers made later continue instead of colliding with."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Dossier, DossierEvent, Status
from opendvc.dossiers.services.codes import next_code
from opendvc.scorecard import counters, history
from opendvc.scorecard.models import Contribution

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def generated():
    with freeze_time(NOW):
        stats, _seconds = history.generate(dossiers=1500, days=120, seed=1)
    return stats


def test_the_generated_history_gives_the_same_counters_as_a_rebuild_from_the_records(generated):
    live = counters.snapshot()
    assert generated["dossiers"] > 1000 and generated["feedback"] > 0 and generated["payments"] > 0
    with freeze_time(NOW):
        counters.rebuild()
    assert counters.snapshot() == live
    assert Contribution.objects.filter(source="dossier").count() == Dossier.objects.count()


def test_the_history_has_open_overdue_and_finished_dossiers_with_their_timelines(generated):
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.RETURNED, Status.PROCESSING}.issubset(statuses)
    assert Dossier.objects.filter(status=Status.PROCESSING, due_at__lt=NOW).exists()  # overdue
    assert Dossier.objects.filter(marked_late=True).exists()  # a second supplement request
    returned = Dossier.objects.filter(status=Status.RETURNED).first()
    assert list(returned.events.values_list("action", flat=True))[-1] in ("return", "rate")
    assert not Dossier.objects.filter(received_at__date__gte=date(2026, 12, 7)).exists()  # up to yesterday


def test_dossiers_arrive_on_working_days_only(generated):
    from opendvc.core.calendar import is_working_day

    days = {
        d.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        for d in Dossier.objects.values_list("received_at", flat=True)
    }
    assert all(is_working_day(day) for day in days)


def test_a_real_dossier_made_later_continues_the_numbering_of_its_day(generated):
    first = Dossier.objects.order_by("received_at").first()
    day = first.received_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    used = Dossier.objects.filter(agency=first.agency, code__contains=f"-{day:%y%m%d}-").count()
    assert next_code(first.agency, day) == f"{first.agency.code}-{day:%y%m%d}-{used + 1:04d}"


def test_the_lean_history_for_benchmarks_has_no_timelines_and_still_matches_a_rebuild():
    with freeze_time(NOW):
        history.generate(dossiers=500, days=30, seed=2, lean=True)
        live = counters.snapshot()
        counters.rebuild()
    assert DossierEvent.objects.count() == 0
    assert counters.snapshot() == live


def test_the_command_generates_the_history_once(capsys):
    with freeze_time(NOW):
        call_command("load_demo_history", dossiers=300, days=20)
        count = Dossier.objects.count()
        call_command("load_demo_history", dossiers=300, days=20)
    assert Dossier.objects.count() == count > 200
    assert "already there" in capsys.readouterr().out


def test_every_agency_performing_procedures_gets_history(generated):
    agencies = set(Dossier.objects.values_list("agency_id", flat=True).distinct())
    plan = history.Generator(dossiers=1, days=1, seed=1, lean=True)
    plan.plan()
    assert agencies == {a.pk for a in plan.agencies}
    assert Agency.objects.filter(pk__in=agencies, level="commune").exists()


def test_the_real_time_read_of_one_dossier_gives_the_same_facts_as_the_bulk_read(generated):
    from opendvc.scorecard.facts import load_dossier_facts, load_one_dossier_facts

    ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    bulk = load_dossier_facts(ids)
    assert all(load_one_dossier_facts(pk) == bulk[pk] for pk in ids)
    assert load_one_dossier_facts(-1) is None
    facts = list(bulk.values())
    assert any(f.paid_online_on for f in facts) and any(f.rated_on for f in facts)
    assert any(f.electronic_result for f in facts) and any(f.late_from for f in facts)
