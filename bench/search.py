"""Catalogue search benchmark: our search against a naive `icontains` scan, measured in the same run.

    python bench/search.py --database sqlite|postgres [--records 100000] [--queries 1000]

Builds a throwaway database (var/bench.sqlite3, or PostgreSQL database `opendvc_bench`), loads the demo
catalogue, generates `--records` procedures from the demo names (other verbs, objects, qualifiers and
localities), then times `--queries` mixed queries (real-world queries, names without diacritics, typos,
abbreviations, English) through `find_procedures` (first page of 20, as the page and API use it) and
through a naive scan of name/keywords/description with `icontains`. Prints p50/p95/p99 latency and
queries per second for both, and their ratio.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

QUALIFIERS = [
    "",
    "",
    "",
    " cho hộ gia đình, cá nhân",
    " cho tổ chức",
    " đối với trường hợp đặc biệt",
    " tại cấp xã",
    " theo hình thức trực tuyến",
    " có yếu tố nước ngoài",
    " lần thứ hai trở lên",
    " đối với doanh nghiệp nhỏ",
    " trong khu công nghiệp",
    " cho người khuyết tật",
    " tại vùng biên giới",
]
VERBS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Xác nhận",
    "Đăng ký",
    "Thông báo",
    "Công nhận",
    "Hỗ trợ",
    "Thẩm định",
]
LOCALITIES = [
    "Hà Nội",
    "Hồ Chí Minh",
    "Thanh Hóa",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Nghệ An",
    "Huế",
    "Quảng Ninh",
    "Lâm Đồng",
    "Khánh Hòa",
    "Gia Lai",
    "Đắk Lắk",
    "An Giang",
    "Cà Mau",
]


def configure(database: str, *, fresh: bool) -> str:
    if database == "sqlite":
        path = ROOT / "var" / "bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if fresh:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        with psycopg.connect(base, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'opendvc_bench'").fetchone()
            if fresh or not exists:
                conn.execute("DROP DATABASE IF EXISTS opendvc_bench")
                conn.execute("CREATE DATABASE opendvc_bench")
        url = base.rsplit("/", 1)[0] + "/opendvc_bench"
    os.environ.update(DATABASE_URL=url, DEBUG="1", DJANGO_SETTINGS_MODULE="opendvc.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    return url


def generate(records: int, rng: random.Random) -> float:
    from django.db import transaction

    from opendvc.catalog.models import Procedure
    from opendvc.catalog.search.index import reindex

    demo = list(Procedure.objects.prefetch_related("agency_kinds"))
    started = time.perf_counter()
    created = 0
    batch = 5000
    while created < records:
        rows, kinds = [], []
        for _ in range(min(batch, records - created)):
            base = rng.choice(demo)
            words = base.name_vi.split()
            verb = rng.choice(VERBS)
            obj = " ".join(words[2:] if words[:2] == ["Đăng", "ký"] else words[1:]) or base.name_vi
            name = f"{verb} {obj[0].lower()}{obj[1:]}{rng.choice(QUALIFIERS)}"
            if rng.random() < 0.3:
                name += f" tại {rng.choice(LOCALITIES)}"
            created += 1
            rows.append(
                Procedure(
                    code=f"8.{created:06d}",
                    name_vi=name[:500],
                    name_en=base.name_en,
                    field_id=base.field_id,
                    description_vi=base.description_vi,
                    for_citizens=base.for_citizens,
                    for_businesses=base.for_businesses,
                    online_level=base.online_level,
                    agency_levels=base.agency_levels,
                    channels=base.channels,
                    result_vi=base.result_vi,
                    keywords="\n".join(rng.sample(base.keyword_list, k=min(2, len(base.keyword_list)))),
                    status="active" if rng.random() < 0.97 else "abolished",
                )
            )
            kinds.append(list(base.agency_kinds.all()))
        with transaction.atomic():
            made = Procedure.objects.bulk_create(rows)
            through = Procedure.agency_kinds.through
            through.objects.bulk_create(
                [
                    through(procedure_id=p.pk, agencykind_id=k.pk)
                    for p, ks in zip(made, kinds, strict=True)
                    for k in ks
                ]
            )
    reindex()
    return time.perf_counter() - started


def queries(count: int, rng: random.Random) -> list[str]:
    from opendvc.catalog.models import Procedure
    from opendvc.catalog.tests.test_search_quality import QUERIES
    from opendvc.core.text import fold

    real = [q for q, _ in QUERIES]
    names = list(Procedure.objects.filter(code__lt="8").values_list("name_vi", flat=True))
    result = []
    while len(result) < count:
        kind = rng.random()
        if kind < 0.4:
            result.append(rng.choice(real))
        elif kind < 0.7:  # a few words of a name, without diacritics
            words = fold(rng.choice(names)).split()
            start = rng.randrange(len(words))
            result.append(" ".join(words[start : start + rng.randint(2, 4)]))
        elif kind < 0.85:  # a name with one typo
            name = list(rng.choice(names).lower())
            i = rng.randrange(1, len(name) - 1)
            name[i], name[i + 1] = name[i + 1], name[i]
            result.append("".join(name))
        else:
            result.append(rng.choice(names))
    return result


def measure(label: str, run, items: list[str]) -> dict:
    timings = []
    started = time.perf_counter()
    for q in items:
        t0 = time.perf_counter()
        run(q)
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(timings, n=100)
    figures = {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "qps": len(items) / elapsed}
    print(
        f"{label:<22} p50 {figures['p50']:8.2f} ms  p95 {figures['p95']:8.2f} ms  "
        f"p99 {figures['p99']:8.2f} ms  {figures['qps']:8.1f} queries/s"
    )
    return figures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=200,
        help="queries for the naive scan (it is slow; its figures are per query)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a benchmark database that already holds the records"
    )
    args = parser.parse_args()
    configure(args.database, fresh=not args.reuse)

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from opendvc.catalog.models import Procedure
    from opendvc.catalog.search.vocabulary import vocabulary
    from opendvc.catalog.selectors import find_procedures

    call_command("migrate", verbosity=0)
    rng = random.Random(766)
    if args.reuse and Procedure.objects.filter(code__startswith="8.").count() >= args.records:
        seconds = 0.0
    else:
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        seconds = generate(args.records, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    total = Procedure.objects.count()
    print(f"\n{connection.vendor}: {total} procedures ({args.records} made and indexed in {seconds:.0f} s)")
    items = queries(args.queries, rng)
    t0 = time.perf_counter()
    vocabulary()
    print(f"vocabulary built in {(time.perf_counter() - t0) * 1000:.0f} ms (once per catalogue change)")

    def ours(q):
        find_procedures(query=q, page_size=20)

    def naive(q):
        match = Q(name_vi__icontains=q) | Q(keywords__icontains=q) | Q(description_vi__icontains=q)
        list(Procedure.objects.filter(status="active").filter(match).order_by("name_vi")[:20])

    for q in items[:20]:  # warm caches and connections for both
        ours(q)
        naive(q)
    fast = measure("search (ours)", ours, items)
    slow = measure("naive icontains scan", naive, items[: args.naive_queries])
    print(
        f"ratio naive/ours: p50 {slow['p50'] / fast['p50']:.1f}x  p95 {slow['p95'] / fast['p95']:.1f}x  "
        f"throughput {fast['qps'] / slow['qps']:.1f}x"
    )
    found = sum(1 for q in items[:200] if find_procedures(query=q, page_size=1).count)
    naive_found = sum(
        1
        for q in items[:200]
        if Procedure.objects.filter(status="active")
        .filter(Q(name_vi__icontains=q) | Q(keywords__icontains=q) | Q(description_vi__icontains=q))
        .exists()
    )
    print(f"queries with at least one result (first 200): ours {found}, naive {naive_found}")


if __name__ == "__main__":
    main()
