"""Dossier benchmark: the public status lookup against /healthz of the same server, and submissions.

    python bench/dossiers.py [--dossiers 1000000] [--duration 15] [--concurrency 8]
                             [--servers sync:2,gthread:2x4,sync:5] [--submissions 500] [--reuse] [--keep]

Builds the PostgreSQL database `opendvc_bench_dossiers` (from BENCH_PG_URL's server), migrates it, loads
the demo catalogue and generates `--dossiers` dossiers with one INSERT … SELECT (bench/dossiers_data.py).
Then, for each server in `--servers` (gunicorn sync workers `sync:N`, threaded workers `gthread:NxT`,
`+nohc` for no per-request connection health check), started the way docs/operations.md deploys it (DEBUG
off, Redis for cache and rate limits, production keys checked by the settings' guard, access log on), it
alternates measurements of `--duration` seconds, twice each, at the same concurrency: /healthz, the API
status lookup `GET /api/v1/dossiers/{code}/status`, the public tracking page `/tra-cuu-ho-so/?ma=…`, and
the prototype of a cheaper lookup (bench/dossiers_fastpath.py) without and with a cache; random existing
codes and 5 % unknown ones. It prints requests per second, p50/p95/p99 and CPU per request of each, and
the ratio to /healthz (the goal is at least 0.60). Then, in process: a breakdown of one lookup (queries,
Redis round trips, time per part), and `submit_draft` one after the other and from 4 threads, against a
bare dossier-and-event insert measured the same way; last, the figures as Markdown tables. The database
is dropped at the end unless `--keep`.
"""

import argparse
import base64
import itertools
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import dossiers_data  # noqa: E402
import dossiers_load  # noqa: E402
import dossiers_submit  # noqa: E402
import redis  # noqa: E402

DB_NAME = "opendvc_bench_dossiers"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
GOAL = 0.60
UNKNOWN_SHARE = 0.05


def production_env(database_url: str, static_root: str) -> dict:
    """The environment of a production web machine (docs/operations.md), with benchmark-only keys."""
    env = {k: v for k, v in os.environ.items() if k not in ("TESTING", "CELERY_BROKER_URL", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="dossiers_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(BENCH)]),
        BENCH_STATIC_ROOT=static_root,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        # Fixed benchmark keys (not secrets: the database is thrown away), so that --reuse can read
        # what an earlier run encrypted.
        SECRET_KEY="opendvc-benchmark-only-secret-key-0123456789",
        PERSONAL_DATA_KEYS=base64.urlsafe_b64encode(b"opendvc-bench-dossiers-fernet-k!").decode(),
        PERSONAL_DATA_HASH_KEY="opendvc-benchmark-only-lookup-hash-key",
        ALLOW_REFERENCE_ADAPTERS="1",  # reference registries and the outbox: no external service here
        PKI_TEST_CA_ENABLED="0",
        TOKEN_PLUGIN_URL="https://127.0.0.1:8987/",
        # As behind the TLS load balancer: the client address comes from X-Forwarded-For.
        TRUSTED_PROXY_COUNT="1",
    )
    return env


def configure(*, fresh: bool) -> tuple[str, dict, Path]:
    import psycopg

    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if fresh or not exists:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = base.rsplit("/", 1)[0] + "/" + DB_NAME
    static_root = Path(tempfile.mkdtemp(prefix="opendvc-bench-static-"))
    env = production_env(url, str(static_root))
    os.environ.clear()
    os.environ.update(env)
    redis.Redis.from_url(REDIS_URL).flushdb()  # the benchmark's own Redis database: cache, limits, queue
    import django

    django.setup()
    return url, env, static_root


def drop(base_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


# ------------------------------------------------------------------------------------------- reporting


def machine() -> str:
    import django
    from django.db import connection

    with open("/proc/meminfo") as info:
        memory = int(info.readline().split()[1]) // (1024 * 1024)
    with open("/proc/cpuinfo") as info:
        model = next(
            (row.split(":", 1)[1].strip() for row in info if row.startswith("model name")),
            platform.processor(),
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    redis_version = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    gunicorn = (
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"], capture_output=True, text=True
        )
        .stdout.split()[-1]
        .strip("()")
    )
    return (
        f"{os.cpu_count()} × {model}, {memory} GB; Python {platform.python_version()}, Django "
        f"{django.get_version()}, PostgreSQL {pg}, Redis {redis_version}, gunicorn {gunicorn}"
    )


def line(label: str, r) -> str:
    codes = ", ".join(f"{status}: {n}" for status, n in sorted(r.statuses.items()))
    return (
        f"  {label:<24} {r.rps:8.1f} req/s  p50 {r.percentile(50):6.2f}  p95 {r.percentile(95):6.2f}  "
        f"p99 {r.percentile(99):6.2f} ms  [{codes}]  unexpected {r.unexpected}  errors {r.errors}  "
        f"CPU busy {r.machine_busy:.0%}  client {r.client_cpu / r.seconds:.0%} of a core"
    )


# ---------------------------------------------------------------------------------------------- phases


def phases(known: list[str], unknown: list[str]) -> list[dossiers_load.Phase]:
    """/healthz, the API lookup and the tracking page; known and unknown codes interleaved."""
    import random

    rng = random.Random(766)
    codes = [(c, True) for c in known] + [(c, False) for c in unknown]
    rng.shuffle(codes)
    api = [(f"/api/v1/dossiers/{c}/status", ok) for c, ok in codes]
    page = [(f"/tra-cuu-ho-so/?ma={c}", ok) for c, ok in codes]
    fast = [(f"/bench/dossiers/{c}/status", ok) for c, ok in codes]
    return [
        dossiers_load.Phase("healthz", ["/healthz"]),
        dossiers_load.Phase(
            "status (API)", [p for p, _ in api], {p: (200,) if ok else (404,) for p, ok in api}
        ),
        dossiers_load.Phase(
            "tracking page", [p for p, _ in page], {p: (200,) if ok else (404,) for p, ok in page}
        ),
        dossiers_load.Phase(
            "status (prototype)", [p for p, _ in fast], {p: (200,) if ok else (404,) for p, ok in fast}
        ),
        # An upper bound for a cache: 1,000 codes, all answered from Redis after the first second.
        dossiers_load.Phase(
            "prototype + cache, hits", [f"/bench/dossiers/{c}/status-cached" for c in known[:1000]]
        ),
    ]


def serve_and_measure(args, env, log_dir: Path, known, unknown) -> list[dict]:
    rows = []
    ip_start = 1
    for spec in args.servers.split(","):
        spec, _, variant = spec.partition("+")
        kind, _, size = spec.partition(":")
        workers, _, threads = size.partition("x")
        server_env = dict(env, BENCH_CONN_HEALTH_CHECKS="0") if variant == "nohc" else env
        server = dossiers_load.Server(
            root=ROOT,
            env=server_env,
            workers=int(workers),
            threads=int(threads or 1) if kind == "gthread" else 1,
            log_path=log_dir / f"gunicorn-{spec.replace(':', '-')}.log",
        )
        try:
            server.wait_ready()
            if variant == "nohc":
                server.label += ", no connection health checks"
            print(f"\n{server.label}, {args.concurrency} connections, {args.duration:.0f} s × 2 rounds each:")
            rounds: dict[str, list] = {}
            for _round in range(2):
                for phase in phases(known, unknown):
                    result = dossiers_load.measure(
                        server.address,
                        phase,
                        warmup=args.warmup,
                        duration=args.duration,
                        concurrency=args.concurrency,
                        ip_start=ip_start,
                        who=(server.process.pid, DB_NAME),
                    )
                    ip_start += 5_000_000 // 8  # a fresh range of addresses for every round
                    rounds.setdefault(phase.label, []).append(result)
            combined = {label: dossiers_load.combine(results) for label, results in rounds.items()}
        finally:
            server.stop()
        health = combined["healthz"]
        for label, result in combined.items():
            print(line(label, result))
            cpu = result.cpu_ms_per_request()
            print(
                "    CPU ms per request: "
                + ", ".join(f"{kind} {ms:.2f}" for kind, ms in cpu.items())
                + f"; total {sum(cpu.values()):.2f}"
            )
            if result.sample_paths:
                print(f"    unexpected answers, e.g.: {result.sample_paths}")
        for label in ("status (API)", "tracking page", "status (prototype)", "prototype + cache, hits"):
            r = combined[label]
            verdict = "goal met" if r.rps / health.rps >= GOAL else "BELOW the goal"
            print(
                f"  {label} / healthz: throughput {r.rps / health.rps:.2f} ({verdict}: ≥ {GOAL:.2f}), "
                f"p99 {r.percentile(99) / health.percentile(99):.1f}×"
            )
        rows.append({"server": server.label, **combined})
    return rows


# ------------------------------------------------------------------------------------------- breakdown


def breakdown(known: list[str], unknown: list[str], iterations: int = 1000) -> None:
    """Where the time of one lookup goes, in process (no HTTP, no gunicorn): per-request counts and means."""
    import dossiers_fastpath
    import redis as redis_module
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from opendvc.dossiers import api, selectors

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="vi")
    commands = {"n": 0}
    original_execute = redis_module.Redis.execute_command
    original_pipeline = redis_module.client.Pipeline.execute

    def counting_execute(self, *a, **kw):
        commands["n"] += 1
        return original_execute(self, *a, **kw)

    def counting_pipeline(self, *a, **kw):
        commands["n"] += 1
        return original_pipeline(self, *a, **kw)

    def ip(i):
        return f"10.250.{(i >> 8) & 255}.{i & 255}"

    def counted(path, i):
        commands["n"] = 0
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(path, HTTP_X_FORWARDED_FOR=ip(i))
        return answer, len(captured), commands["n"], captured

    redis_module.Redis.execute_command = counting_execute
    redis_module.client.Pipeline.execute = counting_pipeline
    try:
        for i in range(50):  # warm up: connections, translations, URL resolver, name table
            client.get(f"/api/v1/dossiers/{known[i]}/status", HTTP_X_FORWARDED_FOR=ip(i))
            client.get(f"/bench/dossiers/{known[i]}/status", HTTP_X_FORWARDED_FOR=ip(i))
            client.get("/healthz")
        print("\nPer request (in process; production adds one `SELECT 1` health check per request that uses")
        print("the database, CONN_HEALTH_CHECKS, which the test client skips):")
        rows = [
            ("API lookup, known code", f"/api/v1/dossiers/{known[100]}/status", 200),
            ("API lookup, unknown code", f"/api/v1/dossiers/{unknown[0]}/status", 404),
            ("tracking page, known code", f"/tra-cuu-ho-so/?ma={known[101]}", 200),
            ("prototype, known code", f"/bench/dossiers/{known[102]}/status", 200),
            ("prototype, unknown code", f"/bench/dossiers/{unknown[1]}/status", 404),
        ]
        lookup_sql = None
        for n, (label, path, expected) in enumerate(rows):
            answer, queries, redis_commands, captured = counted(path, 100 + n)
            assert answer.status_code == expected, (path, answer.status_code, answer.content[:300])
            lookup_sql = lookup_sql or captured[0]["sql"]
            print(f"  {label:<28} {queries} SQL queries, {redis_commands} Redis round trips")
    finally:
        redis_module.Redis.execute_command = original_execute
        redis_module.client.Pipeline.execute = original_pipeline

    same = 0
    for i, code in enumerate(known[:200] + unknown[:20]):
        ours = client.get(f"/api/v1/dossiers/{code}/status", HTTP_X_FORWARDED_FOR=ip(2000 + i))
        fast = client.get(f"/bench/dossiers/{code}/status", HTTP_X_FORWARDED_FOR=ip(3000 + i))
        same += ours.status_code == fast.status_code and ours.content == fast.content
    print(f"The prototype answers byte for byte as the API for {same} of 220 codes (200 known, 20 unknown)")

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY OFF) " + lookup_sql)
        plan = [row[0] for row in cursor.fetchall()]
    print("Plan of the API's lookup query:\n    " + "\n    ".join(plan))

    factory = RequestFactory(HTTP_HOST="127.0.0.1")

    def limits(i):  # what the API does today: check the misses, then check and count the lookups
        from django_ratelimit.core import get_usage

        from opendvc.core.limits import enforce

        request = factory.get("/", HTTP_X_FORWARDED_FOR=ip(i))
        per_ip, misses = api._lookup_limits(f"10.251.{(i >> 8) & 255}.{i & 255}")
        get_usage(request, group=misses.group, key=lambda g, r: misses.key, rate=misses.rate, increment=False)
        enforce(request, [per_ip])

    def lua_limits(i):
        key = f"10.252.{(i >> 8) & 255}.{i & 255}"
        dossiers_fastpath._limits()(
            keys=[f"opendvc:fast:ip:{key}:0", f"opendvc:fast:miss:{key}"], args=[60, 60, 20]
        )

    def select_one(_i):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def code(i):
        return known[i % len(known)]

    parts = [
        ("/healthz", lambda i: client.get("/healthz")),
        (
            "API lookup",
            lambda i: client.get(f"/api/v1/dossiers/{code(i)}/status", HTTP_X_FORWARDED_FOR=ip(i)),
        ),
        ("  selectors.public_status()", lambda i: selectors.public_status(code(i))),
        ("  rate limits (django-ratelimit)", limits),
        ("tracking page", lambda i: client.get(f"/tra-cuu-ho-so/?ma={code(i)}", HTTP_X_FORWARDED_FOR=ip(i))),
        (
            "prototype lookup",
            lambda i: client.get(f"/bench/dossiers/{code(i)}/status", HTTP_X_FORWARDED_FOR=ip(i)),
        ),
        ("  its SQL statement", lambda i: connection.cursor().execute(dossiers_fastpath.LOOKUP, [code(i)])),
        ("  its limits (Lua, one round trip)", lua_limits),
        ("SELECT 1 round trip (health check)", select_one),
    ]
    print(f"Mean time per request or part, in process, {iterations} iterations each:")
    for label, work in parts:
        t0 = time.perf_counter()
        for i in range(iterations):
            work(i + 5000)
        print(f"  {label:<36} {(time.perf_counter() - t0) / iterations * 1e6:8.0f} µs")


# --------------------------------------------------------------------------------------------- submits


def submissions(k: int) -> list:
    from django.db import connection

    from opendvc.accounts.models import Account
    from opendvc.dossiers.models import Dossier

    dossiers_submit._citizens = itertools.count(Account.objects.count() + 1)
    dossiers_submit._bare = itertools.count(
        Dossier.objects.filter(code__startswith="BENCH-BARE-").count() + 1
    )
    procedure = dossiers_submit.procedure_with_form()
    communes = dossiers_submit.agencies(procedure)
    codes = [a.code for a in communes]
    t0 = time.perf_counter()
    sequential = dossiers_submit.prepare(procedure, codes, k)
    spread = dossiers_submit.prepare(procedure, codes, k)
    one_agency = dossiers_submit.prepare(procedure, codes[:1], k)
    print(f"\n{3 * k} drafts prepared in {time.perf_counter() - t0:.0f} s; {len(codes)} communes")
    dossiers_submit.bare("warm-up", procedure, communes, 20, threads=1)
    timings = [
        dossiers_submit.bare("bare insert, 1 thread", procedure, communes, k, threads=1),
        dossiers_submit.submit("submit_draft, 1 thread", sequential, threads=1),
        dossiers_submit.bare("bare insert, 4 threads", procedure, communes, k, threads=4),
        dossiers_submit.submit("submit_draft, 4 threads", spread, threads=4),
        dossiers_submit.submit("submit_draft, 4 thr. 1 agency", one_agency, threads=4),
    ]
    connection.close()
    base = {1: timings[0], 4: timings[2]}
    for t in timings:
        threads = 4 if "4 thr" in t.label else 1
        ratio = base[threads].per_second / t.per_second
        print(
            f"  {t.label:<30} {t.per_second:7.1f} /s  p50 {t.percentile(50):6.1f}  p99 "
            f"{t.percentile(99):6.1f} ms  (bare insert is {ratio:.1f}× as fast)"
        )
    return timings


def markdown(rows: list[dict], timings: list) -> None:
    """The figures again as the tables of docs/benchmarks.md."""
    if rows:
        print(
            "\n| server | endpoint | req/s | p50 ms | p99 ms | ratio to /healthz (req/s) | p99 ratio "
            "| CPU ms/req |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for row in rows:
            health = row["healthz"]
            for label, r in row.items():
                if label == "server":
                    continue
                cpu = sum(r.cpu_ms_per_request().values())
                print(
                    f"| {row['server']} | {label} | {r.rps:,.0f} | {r.percentile(50):.1f} | "
                    f"{r.percentile(99):.1f} | {r.rps / health.rps:.2f} | "
                    f"{r.percentile(99) / health.percentile(99):.1f}× | {cpu:.2f} |"
                )
    if timings:
        base = {1: timings[0], 4: timings[2]}
        print("\n| writes | per second | p50 ms | p99 ms | bare insert ÷ this |")
        print("|---|---|---|---|---|")
        for t in timings:
            threads = 4 if "4 thr" in t.label else 1
            print(
                f"| {t.label} | {t.per_second:.1f} | {t.percentile(50):.1f} | {t.percentile(99):.1f} | "
                f"{base[threads].per_second / t.per_second:.1f}× |"
            )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per measurement (×2 rounds)")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=8, help="client connections, same for all")
    parser.add_argument("--servers", default="sync:2,gthread:2x4,sync:5", help="sync:N, gthread:NxT, +nohc")
    parser.add_argument("--codes", type=int, default=10_000, help="existing codes sampled for lookups")
    parser.add_argument("--submissions", type=int, default=500, help="drafts submitted per measurement")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a benchmark database that has the dossiers"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database at the end")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-submissions", action="store_true")
    args = parser.parse_args()

    base_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    _url, env, static_root = configure(fresh=not args.reuse)
    from django.core.management import call_command

    from opendvc.dossiers.models import Dossier

    try:
        call_command("migrate", verbosity=0)
        generated = Dossier.objects.exclude(code__startswith="BENCH-").count() >= args.dossiers
        if args.reuse and generated:
            seconds = None
        else:
            call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
            seconds = dossiers_data.generate(args.dossiers)
        call_command("collectstatic", verbosity=0, interactive=False)
        facts = dossiers_data.describe()
        print(f"\n{machine()}")
        made = f"generated in {seconds:.0f} s (INSERT … SELECT, VACUUM ANALYZE, CHECKPOINT)"
        if seconds is None:
            made = "reused"
        print(
            f"{facts['total']:,} dossiers {made}: {facts['agencies']} agencies, {facts['procedures']} "
            f"procedures, busiest agency-day {facts['busiest_day']} dossiers; table {facts['table']}, "
            f"indexes {facts['indexes']} (code index {facts['code_index']})"
        )
        total = facts["total"]
        print("statuses: " + ", ".join(f"{s}: {n / total:.1%}" for s, n in sorted(facts["statuses"].items())))
        known, unknown = dossiers_data.sample_codes(args.codes, unknown_share=UNKNOWN_SHARE)
        print(f"lookups: {len(known)} sampled codes and {len(unknown)} unknown ones, in random order")
        rows, timings = [], []
        if not args.skip_http:
            with tempfile.TemporaryDirectory(prefix="opendvc-bench-logs-") as logs:
                rows = serve_and_measure(args, env, Path(logs), known, unknown)
        breakdown(known, unknown)
        if not args.skip_submissions:
            timings = submissions(args.submissions)
        markdown(rows, timings)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        redis.Redis.from_url(REDIS_URL).flushdb()
        if not args.keep:
            drop(base_url)
            print(f"\ndropped {DB_NAME} (use --keep to keep it)")


if __name__ == "__main__":
    main()
