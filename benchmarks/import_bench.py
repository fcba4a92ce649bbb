"""Import benchmark: a synthetic list of N rows x 20 columns of Arabic and Latin text,
imported into SQLite (a fresh workspace) and into PostgreSQL (a throwaway cluster from the
machine's binaries, as the tests use). Prints wall time, rows/s and peak memory (max RSS of
the importing process) for each run.

    .venv/bin/python benchmarks/import_bench.py --rows 1000000 --runs 1
    .venv/bin/python benchmarks/import_bench.py --rows 100000 --runs 3 --databases sqlite

Targets (issue 2): 1,000,000 rows in at most 3 min into SQLite, 2 min into PostgreSQL,
peak memory at most 3 GB. The data are synthetic (random combinations of common names).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIVEN_AR = [
    "محمد",
    "أحمد",
    "علي",
    "حسن",
    "حسين",
    "خالد",
    "عمر",
    "مصطفى",
    "إبراهيم",
    "يوسف",
    "عبد",
    "الله",
    "عبد",
    "الرحمن",
    "سامر",
    "ماهر",
    "فادي",
    "رامي",
]
GIVEN_LA = [
    "Mohammad",
    "Ahmad",
    "Ali",
    "Hassan",
    "Hussein",
    "Khaled",
    "Omar",
    "Mustafa",
    "Ibrahim",
    "Yousef",
    "Samer",
    "Maher",
    "Fadi",
]
FAMILY_AR = [
    "الحسن",
    "الأحمد",
    "الخطيب",
    "الحلبي",
    "الشامي",
    "العلي",
    "المصري",
    "الحمصي",
    "الديري",
    "الزعبي",
    "السيد",
    "النجار",
]
FAMILY_LA = [
    "al-Hassan",
    "al-Ahmad",
    "Khatib",
    "Halabi",
    "Shami",
    "al-Ali",
    "Masri",
    "Homsi",
    "Deiri",
    "Zoubi",
    "Sayed",
    "Najjar",
]
MOTHERS = [
    "فاطمة",
    "عائشة",
    "خديجة",
    "مريم",
    "زينب",
    "سعاد",
    "نور",
    "ليلى",
    "Fatima",
    "Aisha",
    "Maryam",
    "Zainab",
    "Souad",
]
GOVERNORATES = [
    "دمشق",
    "Damascus",
    "ريف دمشق",
    "Rif Dimashq",
    "حمص",
    "Homs",
    "حماة",
    "Hama",
    "حلب",
    "Aleppo",
    "درعا",
    "Daraa",
    "دير الزور",
    "Deir ez-Zor",
    "إدلب",
    "Idlib",
    "Lattakia",
]
PLACES = [
    "دوما",
    "داريا",
    "المعضمية",
    "الزبداني",
    "حرستا",
    "Douma",
    "Daraya",
    "Zabadani",
    "Harasta",
    "Babbila",
    "القابون",
]
FACILITIES = ["فرع فلسطين", "الفرع 215", "سجن صيدنايا", "Sednaya", "Branch 227", "مطار المزة", ""]
PARTIES = ["المخابرات الجوية", "الأمن العسكري", "Military Intelligence", "أمن الدولة", ""]
STATUS = ["متوفى", "معتقل", "مختفي قسرياً", "dead", "detained", "disappeared", "مفرج عنه"]
CAUSES = ["تحت التعذيب", "torture", "إعدام ميداني", "نقص الرعاية الطبية", "unknown", ""]
HEADER = [
    "record_id",
    "full_name",
    "mother_name",
    "sex",
    "birth_date",
    "age",
    "governorate",
    "district",
    "place",
    "registry_number",
    "arrest_date",
    "arrest_place",
    "arresting_party",
    "detention_facility",
    "detainee_number",
    "death_date",
    "death_place",
    "cause_of_death",
    "status",
    "notes",
]


def fake_date(rng: random.Random, lo: int, hi: int) -> str:
    year, month, day = rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{year}",
            f"{year}-{month:02d}",
            f"{day:02d}/{month:02d}/{year}",
            f"{year}-{month:02d}-{day:02d}",
            "",
        ]
    )


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """Write the synthetic list (UTF-8, comma-delimited)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            arabic = rng.random() < 0.6
            given, family = (GIVEN_AR, FAMILY_AR) if arabic else (GIVEN_LA, FAMILY_LA)
            name = " ".join([*rng.sample(given, 3), rng.choice(family)])
            writer.writerow(
                [
                    f"R{i:07d}",
                    name,
                    rng.choice(MOTHERS),
                    rng.choice(["ذكر", "أنثى", "male", "F"]),
                    fake_date(rng, 1940, 2000),
                    str(rng.randint(15, 80)),
                    rng.choice(GOVERNORATES),
                    rng.choice(PLACES),
                    rng.choice(PLACES),
                    f"{rng.choice(PLACES)} {rng.randint(1, 999)}",
                    fake_date(rng, 2011, 2020),
                    rng.choice(PLACES),
                    rng.choice(PARTIES),
                    rng.choice(FACILITIES),
                    str(rng.randint(1, 99999)),
                    fake_date(rng, 2011, 2020),
                    rng.choice(FACILITIES),
                    rng.choice(CAUSES),
                    rng.choice(STATUS),
                    rng.choice(
                        ["", "ملاحظة: شهادة من العائلة", "seen in photographs", "بلاغ رسمي"]
                    ),
                ]
            )


def child_import(workspace: Path, file: Path) -> None:
    """Run in a fresh process: open the workspace, import, print time and peak memory."""
    from uncounted.records.importer import import_file
    from uncounted.store import workspace as ws
    from uncounted.store.db import open_database

    open_database(ws.load(workspace))
    before = _cpu()
    start = time.perf_counter()
    report = import_file(file, "bench", actor="bench")
    seconds = time.perf_counter() - start
    cpu = _cpu() - before
    own, helper = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    peak = (own.ru_maxrss + helper.ru_maxrss) * 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "rows": report.rows_read,
                "peak_bytes": peak,
                "problems": report.problem_total,
            }
        )
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the importer's helper, which
    reads and derives big files). Peak memory is reported as the sum of the two peaks: an
    upper bound of what they held at once."""
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def run_once(database: str, file: Path, tmp: Path, pg_url: str | None) -> dict:
    from uncounted.store import workspace as ws

    root = Path(tempfile.mkdtemp(dir=tmp, prefix=f"{database}-"))
    ws.create(root)
    env = {**os.environ}
    env.pop("UNCOUNTED_DATABASE_URL", None)
    if database == "postgresql":
        env["UNCOUNTED_DATABASE_URL"] = pg_url
        _reset_pg(pg_url)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(root), str(file)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _reset_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="uncounted-bench-") as tmp_name:
        tmp = Path(tmp_name)
        file = tmp / "list.csv"
        start = time.perf_counter()
        generate(file, args.rows)
        print(
            f"generated {args.rows:,} rows x {len(HEADER)} columns "
            f"({file.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s"
        )
        pg_url = None
        databases = args.databases.split(",")
        if "postgresql" in databases:
            from uncounted.testing.pgserver import start_cluster, stop_cluster

            pg_url = start_cluster()
        try:
            for database in databases:
                results = [run_once(database, file, tmp, pg_url) for _ in range(args.runs)]
                seconds = statistics.median(r["seconds"] for r in results)
                cpu = statistics.median(r["cpu_seconds"] for r in results)
                peak = max(r["peak_bytes"] for r in results)
                print(
                    f"{database}: median {seconds:.1f} s wall, {cpu:.1f} s CPU of the importer "
                    f"and its helper, over {len(results)} run(s) ({args.rows / seconds:,.0f} rows/s); "
                    f"runs {[round(r['seconds'], 1) for r in results]}; "
                    f"peak RSS {peak / 2**30:.2f} GiB; load average {os.getloadavg()[0]:.1f}"
                )
        finally:
            if pg_url:
                stop_cluster()


if __name__ == "__main__":
    main()
