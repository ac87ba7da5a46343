"""Scorecard benchmark: the dashboard and the API at 10,000 and at 10,000,000 dossiers, and events applied
to the counters per second.

    python bench/scorecard.py [--small 10000] [--large 10000000] [--repeat 15] [--events 300] [--keep]

Builds the PostgreSQL database `opendvc_bench_scorecard` (from BENCH_PG_URL's server), migrates it, loads
the demo catalogue and generates `--small` dossiers of history over the last year with the demo generator
(`scorecard.history`, lean: no timelines or documents, COPY), with the counters it writes. Each page and
API call is then timed in process (Django's test client on the production settings: DEBUG off, Redis
cache) with the scores' cache off (SCORECARD_CACHE_SECONDS=0), so every request computes its scores
from the counters: the median of `--repeat` requests after one warm-up, /healthz measured the same way
as the floor. Then the history grows to `--large` dossiers (in parts of two million, one transaction
each; VACUUM ANALYZE and a CHECKPOINT after each size) and the same requests are timed again; the
figure is the ratio large ÷ small (goal: at most 1.5).

Events, at both sizes, one transaction each, on `--events` open dossiers of the busiest agency: the
counters' refresh alone (the dossier's UPDATE and `refresh_dossier`), then the back office's "process"
action (`actions.process_dossier`: timeline, audit, notices, and the counters through the signal) with the
scorecard and without it (its receiver disconnected): the baseline. Prints Markdown tables for
docs/benchmarks.md. The database is dropped unless `--keep`.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

DB_NAME = "opendvc_bench_scorecard"
GOAL = 1.5
PART = 2_000_000


def configure() -> str:
    import psycopg
    import redis
    from dossiers import REDIS_URL, production_env

    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = base.rsplit("/", 1)[0] + "/" + DB_NAME
    env = production_env(url, tempfile.mkdtemp(prefix="opendvc-bench-static-"))
    env["SCORECARD_CACHE_SECONDS"] = "0"  # every request computes its scores
    os.environ.clear()
    os.environ.update(env)
    redis.Redis.from_url(REDIS_URL).flushdb()
    import django

    django.setup()
    return base


def requests_to_time() -> list[tuple[str, str]]:
    """Last month, this year, a range of 45 days ending a month ago: whole months and days alike."""
    from django.utils import timezone

    today = timezone.localdate()
    month = f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"
    end = today - timedelta(days=30)
    start = end - timedelta(days=44)
    hanoi, ward = "000.00.00.H26", "000.00.20.H26"
    return [
        ("/healthz (floor)", "/healthz"),
        ("ranking of provinces (page)", f"/chi-so-phuc-vu/?period={month}"),
        ("ranking of every agency, this year (page)", f"/chi-so-phuc-vu/?level=agency&period={today.year}"),
        ("a province's page, 12 months (page)", f"/chi-so-phuc-vu/co-quan/{hanoi}/?period={month}"),
        ("comparison of two units (page)", f"/chi-so-phuc-vu/so-sanh/?a={hanoi}&b={ward}&period={month}"),
        ("custom range of 45 days (page)", f"/chi-so-phuc-vu/?start={start}&end={end}"),
        ("GET /api/v1/scorecard", f"/api/v1/scorecard?level=province&period={month}"),
        ("GET /api/v1/scorecard/{agency}", f"/api/v1/scorecard/{hanoi}?period={month}"),
    ]


def time_requests(repeat: int) -> dict[str, float]:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT="bench-monitor")
    out = {}
    for label, path in requests_to_time():
        assert client.get(path).status_code == 200, path  # warm-up (and a check)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            samples.append(time.perf_counter() - started)
        out[label] = statistics.median(samples) * 1000
    return out


def events(count: int, seed: int) -> dict[str, float]:
    """Per second: counter refreshes alone (a dossier's change applied to the counters, one transaction
    each), and the back office's "process" action on open dossiers with the counters and without them (the
    scorecard's receiver disconnected: the baseline)."""
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from opendvc.accounts.models import Account, AccountKind
    from opendvc.dossiers.models import Dossier, Status
    from opendvc.dossiers.services import actions
    from opendvc.dossiers.signals import dossier_event
    from opendvc.scorecard import counters, receivers

    busiest = (
        Dossier.objects.filter(status=Status.PROCESSING)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    official, _created = Account.objects.get_or_create(
        username=f"bench.xuly.{busiest['agency_id']}",
        defaults={
            "kind": AccountKind.OFFICIAL,
            "full_name": "Cán bộ đo hiệu năng",
            "agency_id": busiest["agency_id"],
            "roles": ["desk_clerk", "handler"],
        },
    )
    open_ids = list(
        Dossier.objects.filter(status=Status.PROCESSING, agency_id=busiest["agency_id"]).values_list(
            "pk", flat=True
        )
    )
    random.Random(seed).shuffle(open_ids)
    count = min(count, len(open_ids) // 3)
    refresh_ids, with_ids, without_ids = (open_ids[i * count : (i + 1) * count] for i in range(3))
    Dossier.objects.filter(pk__in=with_ids + without_ids).update(handler=official)

    def rate(work, ids) -> float:
        started = time.perf_counter()
        for dossier_id in ids:
            work(dossier_id)
        return len(ids) / (time.perf_counter() - started)

    def refresh(dossier_id):
        with transaction.atomic():
            Dossier.objects.filter(pk=dossier_id).update(status=Status.PROCESSED, processed_at=timezone.now())
            counters.refresh_dossier(dossier_id)

    def process(dossier_id):
        actions.process_dossier(Dossier.objects.get(pk=dossier_id), actor=official, version=None, results=[])

    out = {"count": count, "refresh": rate(refresh, refresh_ids), "action": rate(process, with_ids)}
    dossier_event.disconnect(dispatch_uid="scorecard.dossier")
    try:
        out["baseline"] = rate(process, without_ids)
    finally:
        dossier_event.connect(receivers._dossier_changed, dispatch_uid="scorecard.dossier")
    return out


def table_sizes() -> dict:
    from django.db import connection

    tables = ("dossiers_dossier", "scorecard_daycounter", "scorecard_monthcounter", "scorecard_contribution")
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            sizes[table] = cursor.fetchone()
    return sizes


def grow(total: int, seed: int) -> float:
    from django.db import connection

    from opendvc.dossiers.models import Dossier
    from opendvc.scorecard import history

    started = time.perf_counter()
    part = 0
    while (missing := total - Dossier.objects.count()) > 0:
        stats, _seconds = history.generate(dossiers=min(PART, missing), days=365, seed=seed + part, lean=True)
        part += 1
        print(f"  … {Dossier.objects.count():,} dossiers ({time.perf_counter() - started:.0f} s)", flush=True)
        if not stats or not stats["dossiers"]:
            break
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # Write the gigabytes just loaded out now, not during the measurements (a checkpoint's writes
        # slowed every request, /healthz included, by 1.2–1.8× in one run).
        cursor.execute("CHECKPOINT")
    return time.perf_counter() - started


def measure(seconds: float, args, seed: int):
    sizes = table_sizes()
    dossiers, days, months = (
        sizes[t] for t in ("dossiers_dossier", "scorecard_daycounter", "scorecard_monthcounter")
    )
    print(
        f"\n{dossiers[0]:,} dossiers ({dossiers[1]}), grown in {seconds:.0f} s; counters: {days[0]:,} days "
        f"({days[1]}), {months[0]:,} months ({months[1]}); contributions {sizes['scorecard_contribution'][1]}"
    )
    timings = time_requests(args.repeat)
    for label, ms in timings.items():
        print(f"  {label:<45} {ms:8.1f} ms")
    rates = events(args.events, seed)
    print(
        f"  events ({rates['count']} each): {rates['refresh']:.0f} counter refreshes/s; the process action "
        f"{rates['action']:.0f}/s with the counters, {rates['baseline']:.0f}/s without"
    )
    return sizes, timings, rates


def report(args, small, large) -> None:
    print(f"\n| request | {args.small:,} dossiers | {args.large:,} dossiers | ratio (goal ≤ {GOAL}) |")
    print("|---|---:|---:|---:|")
    for label in small[1]:
        a, b = small[1][label], large[1][label]
        print(f"| {label} | {a:.1f} ms | {b:.1f} ms | {b / a:.2f} |")
    print(f"\n| events per second | {args.small:,} dossiers | {args.large:,} dossiers |")
    print("|---|---:|---:|")
    rows = [
        ("counter refreshes alone (a dossier's change applied to the counters)", "refresh"),
        ("the back office's “process” action, with the counters", "action"),
        ("the same action without the scorecard (baseline)", "baseline"),
    ]
    for label, key in rows:
        print(f"| {label} | {small[2][key]:.0f} | {large[2][key]:.0f} |")
    ratios = [r["action"] / r["baseline"] for r in (small[2], large[2])]
    print(f"| ratio with ÷ without | {ratios[0]:.2f} | {ratios[1]:.2f} |")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database at the end")
    args = parser.parse_args()

    base = configure()
    import psycopg
    from django.core.management import call_command
    from django.db import connections
    from dossiers import machine

    try:
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("collectstatic", verbosity=0, interactive=False)
        print(f"\n{machine()}")
        results = {}
        for size, seed in ((args.small, 1), (args.large, 1000)):
            seconds = grow(size, seed)
            results[size] = measure(seconds, args, seed)
        report(args, results[args.small], results[args.large])
    finally:
        connections.close_all()
        if not args.keep:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            print(f"\ndropped {DB_NAME} (use --keep to keep it)")


if __name__ == "__main__":
    main()
