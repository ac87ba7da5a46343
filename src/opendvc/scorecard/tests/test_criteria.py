"""Each criterion on hand-built facts, with the expected score worked out here (domain.md: full points at
or above the target, else rate × points / target; N/A when nothing is counted)."""

from datetime import date

import pytest
from freezegun import freeze_time

from opendvc.catalog.models import Agency
from opendvc.scorecard import compute
from opendvc.scorecard.counters import apply, keyed
from opendvc.scorecard.facts import DossierFacts, FeedbackFacts, dossier_contributions, feedback_contributions
from opendvc.scorecard.periods import Reading, month, parse

pytestmark = pytest.mark.django_db
HOAN_KIEM = "000.00.20.H26"
NOVEMBER = month(date(2026, 11, 1))


@pytest.fixture
def agency():
    return Agency.objects.get(code=HOAN_KIEM)


def dossier(agency, **facts) -> DossierFacts:
    base = {
        "agency_id": agency.pk,
        "procedure_code": "1.001193",
        "channel": "counter",
        "received_on": date(2026, 11, 2),
        "finished_on": None,
        "finished_late": False,
        "processed": False,
        "closed_on": None,
        "late_from": date(2026, 11, 20),
    }
    return DossierFacts(**{**base, **facts})


def record(*facts) -> None:
    rows = []
    for f in facts:
        rows += dossier_contributions(f) if isinstance(f, DossierFacts) else feedback_contributions(f)
    apply(keyed(rows))


def criterion(agency, code, period=NOVEMBER):
    result = compute.unit_result(agency, period, use_cache=False)
    return next(c for g in result.groups for c in g.criteria if c.criterion.code == code)


@freeze_time("2026-12-05")
def test_timeliness_counts_finished_dossiers_and_those_still_open_at_the_end_of_the_period(agency):
    record(
        dossier(agency, finished_on=date(2026, 11, 10), processed=True),  # on time
        dossier(agency, finished_on=date(2026, 11, 25), processed=True, finished_late=True),  # late
        dossier(agency, late_from=date(2026, 12, 10)),  # open at the end of November, not due yet: on time
        dossier(agency, late_from=date(2026, 11, 28)),  # open and already late at the end of November
        dossier(agency, closed_on=date(2026, 11, 5)),  # withdrawn: not counted
        dossier(
            agency, received_on=date(2026, 10, 1), finished_on=date(2026, 10, 20), processed=True
        ),  # October
    )
    result = criterion(agency, "dossiers_on_time")
    # (1 on time + 2 open − 1 overdue) / (2 finished + 2 open) = 2/4 = 50 %; 20 points at 80 %: 0.5 × 20 / 0.8
    assert (result.numerator, result.denominator, result.rate, result.score) == (2, 4, 0.5, 12.5)


@freeze_time("2026-12-05")
def test_a_dossier_finished_after_the_period_counts_as_open_then(agency):
    record(dossier(agency, finished_on=date(2026, 12, 2), processed=True, late_from=date(2026, 11, 30)))
    november = criterion(agency, "dossiers_on_time")
    assert (november.numerator, november.denominator) == (0, 1)  # open and late on 30 November
    december = criterion(agency, "dossiers_on_time", month(date(2026, 12, 1)))
    assert (december.numerator, december.denominator, december.score) == (1, 1, 20)


@freeze_time("2026-11-15")
def test_a_period_not_over_yet_is_measured_today(agency):
    record(dossier(agency, late_from=date(2026, 11, 20)))  # due on the 20th: not late on the 15th
    assert criterion(agency, "dossiers_on_time").rate == 1.0


def test_the_online_share_has_its_own_target_of_half(agency):
    record(
        dossier(agency, channel="online"), dossier(agency), dossier(agency), dossier(agency, channel="online")
    )
    result = criterion(agency, "dossiers_online")
    assert (result.rate, result.score) == (0.5, 6)  # 50 % reaches the 50 % target: full 6 points
    record(dossier(agency), dossier(agency), dossier(agency), dossier(agency))  # now 2 of 8: 25 %
    assert criterion(agency, "dossiers_online").score == 3.0  # 0.25 × 6 / 0.5


def test_payments_count_dossiers_owing_fees_and_procedures_paid_online(agency):
    record(
        dossier(agency, fee_owed=True, paid_online_on=date(2026, 11, 3), procedure_code="2.000635"),
        dossier(agency, fee_owed=True, paid_online_on=date(2026, 11, 4), procedure_code="2.000635"),
        dossier(agency, fee_owed=True),
        dossier(agency, fee_owed=True),
    )
    paid = criterion(agency, "dossiers_paid_online")
    assert (paid.rate, paid.score) == (0.5, 3.75)  # 0.5 × 6 / 0.8
    procedures = criterion(agency, "fee_procedures_paid_online")
    assert procedures.numerator == 1  # one procedure, paid twice, counts once


def test_digitisation_criteria_read_documents_results_reuse_sharing_and_the_population_database(agency):
    record(
        dossier(
            agency,
            digital_documents=True,
            reused_documents=True,
            external=True,
            registry_verified=True,
            finished_on=date(2026, 11, 5),
            processed=True,
            electronic_result=True,
        ),
        dossier(agency, digital_documents=True, finished_on=date(2026, 11, 6), processed=True),
    )
    scores = {
        code: criterion(agency, code)
        for code in (
            "electronic_results",
            "digitised_components",
            "reused_data",
            "data_shared",
            "population_database",
        )
    }
    assert {code: r.rate for code, r in scores.items()} == {
        "electronic_results": 0.5,
        "digitised_components": 1.0,
        "reused_data": 0.5,
        "data_shared": 0.5,
        "population_database": 0.5,
    }
    assert scores["electronic_results"].score == 3.75  # 0.5 × 6 / 0.8
    assert scores["data_shared"].score == 2.5  # 0.5 × 4 / 0.8


def test_satisfaction_reads_ratings_with_a_90_percent_target_and_feedback_votes(agency):
    day = date(2026, 11, 12)
    record(
        *(dossier(agency, rated_on=day, rating="satisfied") for _ in range(8)),
        dossier(agency, rated_on=day, rating="acceptable"),
        dossier(agency, rated_on=day, rating="unsatisfied"),
        FeedbackFacts(agency.pk, handled_on=day, handled_on_time=True, published_on=day, likes=6, dislikes=2),
        FeedbackFacts(agency.pk, handled_on=day, handled_on_time=False, published_on=None),
    )
    ratings = criterion(agency, "dossier_satisfaction")
    assert (ratings.rate, ratings.score) == (0.8, 5.33)  # 0.8 × 6 / 0.9
    assert criterion(agency, "feedback_on_time").rate == 0.5
    votes = criterion(agency, "feedback_satisfaction")
    assert (votes.numerator, votes.denominator, votes.score) == (6, 8, 5.62)  # 0.75 × 6 / 0.8 = 5.625


def test_catalogue_criteria_count_the_procedures_the_agencys_kind_performs(agency):
    from opendvc.catalog.models import OnlineLevel, Procedure

    performed = Procedure.objects.active().filter(agency_kinds=agency.kind_id)
    online = criterion(agency, "procedures_online")
    assert online.denominator == performed.count() > 30
    assert (
        online.numerator == performed.filter(online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL]).count()
    )
    assert criterion(agency, "procedures_published_on_time").rate is not None


def test_a_procedure_missing_a_part_is_not_complete_and_fees_are_integrated_through_an_ancestors_merchant(
    agency,
):
    from django.db.models import Count, Exists, OuterRef
    from django.utils import timezone

    from opendvc.catalog.models import Fee, OnlineLevel, Procedure
    from opendvc.payments.models import MerchantAccount

    performed = Procedure.objects.active().filter(agency_kinds=agency.kind_id)
    whole = (
        performed.annotate(
            steps_n=Count("steps", distinct=True), documents_n=Count("documents", distinct=True)
        )
        .filter(steps_n__gt=0, documents_n__gt=0, processing_time__isnull=False, fees__isnull=False)
        .exclude(result_vi="")
        .exclude(legal_basis="")
        .first()
    )
    complete = criterion(agency, "procedures_complete")
    Procedure.objects.filter(pk=whole.pk).update(legal_basis="", updated_at=timezone.now())
    after = criterion(agency, "procedures_complete")
    assert (after.numerator, after.denominator) == (complete.numerator - 1, complete.denominator)

    integrated = criterion(agency, "fee_procedures_integrated")
    assert integrated.denominator > 0 and integrated.numerator == 0 and integrated.score == 0
    # The ward's city has a merchant account: the ward's fee procedures offered online can be paid online.
    MerchantAccount.objects.create(agency=agency.parent, provider="vnpay", name="Hà Nội", tmn_code="HN01")
    charged = Fee.objects.filter(procedure=OuterRef("pk")).exclude(amount=0)  # a set amount or one by rule
    payable = performed.filter(Exists(charged), online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL])
    now_integrated = criterion(agency, "fee_procedures_integrated")
    assert now_integrated.numerator == payable.count() > 0
    rate = now_integrated.numerator / now_integrated.denominator
    expected = 2 if rate >= 0.8 else round(rate * 2 / 0.8, 2)
    assert now_integrated.score == expected


def test_criteria_without_data_are_not_available_and_leave_the_total_fair(agency):
    result = compute.unit_result(agency, NOVEMBER, use_cache=False)
    codes = {c.criterion.code: c for g in result.groups for c in g.criteria}
    assert not codes["catalogue_updated_on_time"].available  # the portal cannot know: "N/A" with a reason
    assert codes["catalogue_updated_on_time"].criterion.unavailable.startswith("Cổng không lưu")
    assert not codes["dossiers_on_time"].available  # no dossier in the period: N/A
    assert result.available_points < 100
    assert result.total == round(100 * result.score / result.available_points, 2)


def test_a_province_adds_up_its_agencies_counters_before_dividing(agency):
    other = Agency.objects.get(code="000.00.21.H26")
    record(
        dossier(agency, channel="online"),
        dossier(other),
        dossier(other),
        dossier(other),
    )
    hanoi = Agency.objects.get(code="000.00.00.H26")
    result = compute.unit_result(hanoi, NOVEMBER, use_cache=False)
    online = next(c for g in result.groups for c in g.criteria if c.criterion.code == "dossiers_online")
    assert (online.numerator, online.denominator) == (1, 4)  # not the average of 100 % and 0 %


def test_the_ranking_orders_provinces_and_says_how_they_moved(agency):
    record(
        dossier(agency, channel="online"), dossier(agency, channel="online", received_on=date(2026, 10, 2))
    )
    ranking = compute.ranking(NOVEMBER, "province", use_cache=False)
    assert [r.rank for r in ranking] == sorted(r.rank for r in ranking)
    hanoi = next(r for r in ranking if r.unit.code == "000.00.00.H26")
    assert hanoi.previous_total is not None and hanoi.change == round(hanoi.total - hanoi.previous_total, 2)


def test_periods_parse_months_quarters_years_and_ranges():
    assert (parse("2026-11").start, parse("2026-11").end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse("2026-Q1").end == date(2026, 3, 31) and parse("2026-q1").code == "2026-Q1"
    assert parse("2026").previous().code == "2025"
    custom = parse("2026-02-10..2026-02-19")
    assert custom.previous().code == "2026-01-31..2026-02-09" and not custom.reading().months
    assert parse("2026-01-01..2026-03-31").reading() == Reading(months=[date(2026, m, 1) for m in (1, 2, 3)])
    for bad in (
        "2026-13",
        "26-11",
        "2026-03-01..2026-01-01",
        "1999",
        "x",
        "9999-12",
        "0001-Q1",
        "2100-12-01..2101-01-05",
    ):
        with pytest.raises(ValueError):
            parse(bad)


def test_a_range_reads_whole_months_from_the_month_counters_and_at_most_half_a_month_of_days_per_edge():
    # Mid-January and early April are short edges: read by day.
    plan = parse("2026-01-20..2026-04-10").reading()
    assert plan.months == [date(2026, 2, 1), date(2026, 3, 1)]
    assert plan.days == [(date(2026, 1, 20), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 10))]
    assert plan.less_days == []
    # Most of January and of April: the whole months, less the days outside the range.
    plan = parse("2026-01-05..2026-04-25").reading()
    assert plan.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert plan.days == []
    assert plan.less_days == [(date(2026, 1, 1), date(2026, 1, 4)), (date(2026, 4, 26), date(2026, 4, 30))]
    # Two short edges meeting at a month's end are one range of days.
    plan = parse("2026-02-20..2026-03-05").reading()
    assert (plan.months, plan.days) == ([], [(date(2026, 2, 20), date(2026, 3, 5))])
    # The middle of a month: the month less both its ends.
    plan = parse("2026-03-04..2026-03-28").reading()
    assert plan.less_days == [(date(2026, 3, 1), date(2026, 3, 3)), (date(2026, 3, 29), date(2026, 3, 31))]
    assert parse("2026-02-01..2026-03-31").reading().months == [date(2026, 2, 1), date(2026, 3, 1)]
    assert parse("2026-11").reading().months == [date(2026, 11, 1)]


@freeze_time("2026-12-05")
def test_a_month_read_whole_less_its_days_outside_the_range_counts_only_the_days_inside(agency):
    # 5 January – 25 February: both months read whole, less 1–4 January and 26–28 February.
    record(
        dossier(agency, received_on=date(2026, 1, 2), finished_on=date(2026, 1, 3), processed=True),  # before
        dossier(agency, received_on=date(2026, 1, 20), channel="online", late_from=date(2026, 2, 26)),
        dossier(
            agency,
            received_on=date(2026, 2, 5),
            finished_on=date(2026, 2, 27),
            processed=True,
            finished_late=True,
            late_from=date(2026, 2, 20),
        ),
        dossier(agency, received_on=date(2026, 2, 27), channel="online"),  # after
    )
    period = parse("2026-01-05..2026-02-25")
    assert len(period.reading().less_days) == 2
    online = criterion(agency, "dossiers_online", period)
    assert (online.numerator, online.denominator) == (1, 2)  # 20 January online, 5 February not
    # Nothing finished inside; open on 25 February: both, the one due on the 20th already late.
    on_time = criterion(agency, "dossiers_on_time", period)
    assert (on_time.numerator, on_time.denominator) == (1, 2)


def test_a_range_spanning_months_scores_as_the_sum_of_its_days(agency):
    """The same counters read by month and by day give the same rate."""
    apply(
        keyed(
            [
                (agency.pk, date(2026, 1, 20), "received", "", 4),
                (agency.pk, date(2026, 2, 5), "received", "", 6),
            ]
        )
    )
    apply(
        keyed(
            [
                (agency.pk, date(2026, 1, 20), "received_online", "", 1),
                (agency.pk, date(2026, 2, 5), "received_online", "", 6),
            ]
        )
    )
    ranged = compute.evaluate(
        compute.in_force(date(2026, 3, 1)), [compute.unit_of(agency)], parse("2026-01-10..2026-03-05")
    )
    online = next(c for g in ranged[0].groups for c in g.criteria if c.criterion.code == "dossiers_online")
    assert (online.numerator, online.denominator) == (7, 10)


def test_a_trend_takes_as_many_queries_for_twelve_months_as_for_three_and_equals_each_month_alone(agency):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opendvc.scorecard.periods import recent_months

    for day, metric, value in [
        (date(2025, 12, 3), "received", 5), (date(2025, 12, 3), "open", 5), (date(2026, 1, 8), "open", -2),
        (date(2026, 1, 8), "finished_on_time", 2), (date(2026, 2, 2), "overdue", 1),
        (date(2026, 3, 4), "open", -1), (date(2026, 3, 4), "finished_late", 1),
        (date(2026, 3, 4), "overdue", -1), (date(2026, 3, 9), "overdue", 1),
        (date(2026, 2, 10), "paid_online_procedure", 1), (date(2026, 2, 10), "paid_online", 1),
    ]:  # fmt: skip
        key = "1.000894" if metric == "paid_online_procedure" else ""
        apply(keyed([(agency.pk, day, metric, key, value)]))
    with freeze_time("2026-03-05 10:00:00+07:00"):
        months = recent_months(12)
        unit = compute.unit_of(agency)
        spec = compute.in_force(months[-1].end)
        compute.evaluate_months(spec, unit, months[-3:])  # the catalogue's counts are cached from here on
        with CaptureQueriesContext(connection) as three:
            compute.evaluate_months(spec, unit, months[-3:])
        with CaptureQueriesContext(connection) as twelve:
            batched = compute.evaluate_months(spec, unit, months)
        alone = [compute.evaluate(spec, [unit], m)[0] for m in months]
    assert len(twelve) == len(three) <= 8
    assert [(r.period, r.numbers, r.total) for r in batched] == [
        (r.period, r.numbers, r.total) for r in alone
    ]
    assert batched[-1].numbers["overdue@end"] == 0  # 9 March has not come yet on 5 March
    assert batched[-2].numbers["overdue@end"] == 1  # late since 2 February, still open at the end of February
