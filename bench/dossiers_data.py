"""Generated dossiers for bench/dossiers.py: one INSERT … SELECT over generate_series, in PostgreSQL.

Every dossier is for an active procedure at an agency that performs it (the procedure's agency kinds),
submitted on one of the 365 days before today during office hours, with a status that depends on its age
(old dossiers are mostly returned), a receipt, due, processing and return date that fit the status, and a
code in the real format `<agency code>-YYMMDD-NNNN` numbered per agency per receipt day. The per-agency,
per-day counters (`DossierCodeSequence`) are set to match, so real submissions made afterwards continue
the numbering instead of colliding with it. Personal-data columns are empty (an empty encrypted value
reads back as empty; an empty `data` reads back as {}); events are not generated (the status lookup does
not read them, and new events are appended at the right-hand edge of their indexes whatever the table's
size).
"""

import time

NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Huỳnh Thị Giang",
    "Phan Văn Hải",
    "Vũ Thị Hoa",
    "Võ Văn Khánh",
    "Đặng Thị Lan",
    "Bùi Văn Minh",
    "Đỗ Thị Ngọc",
    "Hồ Văn Phúc",
    "Ngô Thị Quyên",
    "Dương Văn Sơn",
    "Lý Thị Thu",
]

PAIRS = """
CREATE TEMP TABLE bench_pairs AS
SELECT (row_number() OVER (ORDER BY p.id, a.id) - 1)::int AS n, p.id AS procedure_id, a.id AS agency_id,
       a.code AS agency_code,
       -- calendar days the processing takes (working days × 1.4 for weekends)
       greatest(1, CASE p.processing_time_unit
           WHEN 'hours' THEN 1
           WHEN 'months' THEN coalesce(p.processing_time, 1) * 30
           WHEN 'days' THEN coalesce(p.processing_time, 1)
           ELSE ceil(coalesce(p.processing_time, 1) * 1.4) END)::int AS days
FROM catalog_procedure p
JOIN catalog_procedure_agency_kinds pk ON pk.procedure_id = p.id
JOIN catalog_agency a ON a.kind_id = pk.agencykind_id
WHERE p.status = 'active'
"""

# Status by age: recent dossiers are still open; older ones mostly returned (cumulative thresholds).
INSERT = """
INSERT INTO dossiers_dossier (
    code, procedure_id, agency_id, applicant_id, applicant_name, applicant_id_number, applicant_id_digest,
    applicant_phone, applicant_email, channel, source, external_id, status, form_definition_id, data,
    delivery, delivery_address, handler_id, submitted_at, received_at, due_at, processed_at, returned_at,
    closed_at, paused_since, supplement_requests, apologies, marked_late, reminded_at, version, updated_at)
WITH picks AS MATERIALIZED (
    SELECT g, floor(random() * %(pairs)s)::int AS pick,
           current_date - 1 - floor(random() * 365)::int AS day,
           random() AS rs, random() AS rc, random() AS rt, random() AS rl, random() AS rd
    FROM generate_series(1, %(count)s) AS g
), base AS (
    SELECT k.*, p.procedure_id, p.agency_id, p.agency_code, p.days,
           CASE WHEN current_date - k.day > p.days * 1.5 + 10 THEN
               CASE WHEN rs < 0.78 THEN 10 WHEN rs < 0.82 THEN 9 WHEN rs < 0.87 THEN 3 WHEN rs < 0.92 THEN 7
                    WHEN rs < 0.94 THEN 8 WHEN rs < 0.96 THEN 4 WHEN rs < 0.98 THEN 5 WHEN rs < 0.99 THEN 6
                    ELSE 2 END
           ELSE
               CASE WHEN rs < 0.10 THEN 1 WHEN rs < 0.25 THEN 2 WHEN rs < 0.55 THEN 4 WHEN rs < 0.65 THEN 5
                    WHEN rs < 0.70 THEN 6 WHEN rs < 0.80 THEN 9 WHEN rs < 0.92 THEN 10 WHEN rs < 0.96 THEN 3
                    WHEN rs < 0.99 THEN 7 ELSE 8 END
           END AS status,
           CASE WHEN rc < 0.60 THEN 'online' WHEN rc < 0.95 THEN 'counter' ELSE 'post' END AS channel,
           ((k.day + time '07:30' + rt * interval '9 hours 30 minutes') AT TIME ZONE 'Asia/Ho_Chi_Minh')
               AS submitted_at
    FROM picks k JOIN bench_pairs p ON p.n = k.pick
), received AS (
    SELECT b.*,
           CASE WHEN status IN (1, 3) THEN NULL
                WHEN channel = 'online' THEN least(submitted_at + rl * interval '20 hours', now())
                ELSE submitted_at END AS received_at
    FROM base b
), dated AS (
    SELECT r.*,
           coalesce(received_at, submitted_at) + days * interval '1 day' AS due_at,
           CASE WHEN status IN (9, 10)
                THEN least(received_at + days * (0.3 + rl * 0.85) * interval '1 day', now()) END
               AS processed_at
    FROM received r
), finished AS (
    SELECT d.*,
           CASE WHEN status = 10 THEN least(processed_at + rd * interval '2 days', now()) END AS returned_at,
           CASE WHEN status = 5 THEN received_at + days * 0.3 * interval '1 day' END AS paused_since
    FROM dated d
), closed AS (
    SELECT f.*,
           CASE WHEN status = 10 THEN returned_at
                WHEN status = 3 THEN submitted_at + rl * interval '1 day'
                WHEN status IN (7, 8) THEN least(received_at + days * rd * 0.5 * interval '1 day', now())
           END AS closed_at,
           (coalesce(received_at, submitted_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS receipt_day
    FROM finished f
)
SELECT agency_code || '-' || to_char(receipt_day, 'YYMMDD') || '-'
           || lpad((row_number() OVER (PARTITION BY agency_id, receipt_day ORDER BY submitted_at, g))::text,
                   4, '0'),
       procedure_id, agency_id, NULL, (%(names)s::text[])[1 + g %% %(name_count)s], '', '',
       '', '', channel, CASE WHEN rd < 0.1 AND channel <> 'online' THEN 'agency_system' ELSE 'portal' END,
       NULL, status, NULL, '',
       CASE WHEN channel = 'post' OR rt < 0.1 THEN 'post' WHEN rc < 0.40 THEN 'electronic' ELSE 'desk' END,
       '', NULL, submitted_at, received_at, due_at, processed_at, returned_at,
       closed_at, paused_since, (status = 5)::int, 0, false, NULL,
       CASE status WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 2 WHEN 4 THEN 3 WHEN 5 THEN 4 WHEN 6 THEN 4
                   WHEN 7 THEN 3 WHEN 8 THEN 4 WHEN 9 THEN 4 ELSE 5 END,
       coalesce(closed_at, processed_at, paused_since, received_at, submitted_at)
FROM closed
"""

SEQUENCES = """
INSERT INTO dossiers_dossiercodesequence (agency_id, day, last)
SELECT agency_id, to_date(split_part(right(code, 11), '-', 1), 'YYMMDD'), max(right(code, 4)::int)
FROM dossiers_dossier
GROUP BY 1, 2
ON CONFLICT (agency_id, day) DO UPDATE SET last = greatest(dossiers_dossiercodesequence.last, excluded.last)
"""


def generate(count: int) -> float:
    """Insert `count` dossiers and their code counters; VACUUM ANALYZE; CHECKPOINT. Returns the seconds."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Asia/Ho_Chi_Minh'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.766)")
        cursor.execute("DROP TABLE IF EXISTS bench_pairs")
        cursor.execute(PAIRS)
        cursor.execute("SELECT count(*) FROM bench_pairs")
        pairs = cursor.fetchone()[0]
        cursor.execute(INSERT, {"pairs": pairs, "count": count, "names": NAMES, "name_count": len(NAMES)})
        cursor.execute(SEQUENCES)
        cursor.execute("DROP TABLE bench_pairs")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
        cursor.execute("ANALYZE dossiers_dossiercodesequence")
        # Write the generated pages out now, not during the first measurements.
        cursor.execute("CHECKPOINT")
    return time.perf_counter() - started


def sample_codes(count: int, *, unknown_share: float) -> tuple[list[str], list[str]]:
    """`count` random existing codes and about `unknown_share` as many codes in the same format that do
    not exist (numbers 9000–9999, beyond any agency's daily count here)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.18)")
        cursor.execute(
            "SELECT code FROM dossiers_dossier TABLESAMPLE BERNOULLI (%s) ORDER BY random() LIMIT %s",
            [min(100.0, max(0.01, 200.0 * count / max(1, _rows(cursor)))), count],
        )
        known = [row[0] for row in cursor.fetchall()]
        unknown = [
            code[:-4] + f"9{i % 1000:03d}"
            for i, code in enumerate(known[: max(1, int(count * unknown_share))])
        ]
        cursor.execute("SELECT count(*) FROM dossiers_dossier WHERE code = ANY(%s)", [unknown])
        assert cursor.fetchone()[0] == 0, "an 'unknown' code exists"
    return known, unknown


def _rows(cursor) -> int:
    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'dossiers_dossier'")
    return max(1, cursor.fetchone()[0])


def describe() -> dict:
    """Counts and sizes of the generated data, for the report."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT agency_id), count(DISTINCT procedure_id) FROM dossiers_dossier"
        )
        total, agencies, procedures = cursor.fetchone()
        cursor.execute("SELECT status, count(*) FROM dossiers_dossier GROUP BY 1 ORDER BY 1")
        statuses = dict(cursor.fetchall())
        cursor.execute("SELECT max(last) FROM dossiers_dossiercodesequence")
        busiest = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size('dossiers_dossier')), "
            "pg_size_pretty(pg_indexes_size('dossiers_dossier')), "
            "pg_size_pretty(pg_relation_size('dossiers_dossier_code_key'))"
        )
        table, indexes, code_index = cursor.fetchone()
    return {
        "total": total,
        "agencies": agencies,
        "procedures": procedures,
        "statuses": statuses,
        "busiest_day": busiest,
        "table": table,
        "indexes": indexes,
        "code_index": code_index,
    }
