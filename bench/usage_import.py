"""Import a large Slurm accounting file through the usage import, then import it again.

    python -m bench.usage_import [--rows 1000000] [--accounts 20] [--days 30]

Seeds a database of its own (a temporary SQLite file, or, when DATABASE_URL is set, a
throwaway PostgreSQL database `bench_usage_<pid>` on that server): a cluster, `--accounts`
startups, each with a Slurm account and enough GPU-hours. Writes a `sacct --parsable2
--noheader` file of `--rows` finished jobs (JobID|Account|Start|End|AllocTRES) spread over
`--days` days, then times `slurm_import` on it: the whole-file check, the set-based
de-duplication against jobs already imported, the bulk insert of one usage row per job and
one ledger posting per startup and day. Then it imports the same file again and counts the
ledger transactions that second import created (the target is none), and runs the ledger
check. Prints one JSON line:

    {"rows": …, "seconds": …, "peak_mb": …, "reimport_new_postings": 0, ...}

`seconds` is the first import alone (wall clock; `cpu_seconds` is this process's CPU time
for it, which other load on the machine does not inflate); `peak_mb` the process's peak
resident memory, which includes Django and the seeding. Targets: under 60 seconds, under
500 MB, no new postings.
"""

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def postgres_create(url: str) -> str:
    import psycopg

    name = f"bench_usage_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def postgres_drop(server_url: str, bench_url: str) -> None:
    import psycopg

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_file(path: Path, rows: int, accounts: list[str], days: int, seed: int = 1) -> int:
    """A sacct-style file of finished GPU jobs; returns the GPU-hours it holds (rounded)."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 1)
    span = days * 86400 - 4 * 3600
    with path.open("w", encoding="utf-8", newline="\n") as out:
        buffer = []
        for number in range(rows):
            begins = start + timedelta(seconds=rng.randrange(span))
            ends = begins + timedelta(seconds=rng.randrange(60, 4 * 3600))
            gpus = rng.choice((1, 1, 2, 4, 8))
            buffer.append(
                f"{1_000_000 + number}|{accounts[number % len(accounts)]}|"
                f"{begins:%Y-%m-%dT%H:%M:%S}|{ends:%Y-%m-%dT%H:%M:%S}|"
                f"billing={gpus * 4},cpu={gpus * 4},gres/gpu={gpus},mem={gpus * 32}G,node=1\n"
            )
            if len(buffer) == 10_000:
                out.write("".join(buffer))
                buffer = []
        out.write("".join(buffer))
    return rows


def seed(accounts: int, hours_each: Decimal) -> tuple:
    from nurture.compute.models import Cluster, ComputeAccount
    from nurture.programmes.models import Programme
    from nurture.resources.models import AccountKind, Resource, TransactionKind, Unit
    from nurture.resources.services import account_open, ledger_post
    from nurture.startups.models import Startup

    programme = Programme.objects.create(name="Bench", slug="bench-usage", organisation="Bench")
    source = account_open(
        programme=programme,
        kind=AccountKind.SOURCE,
        resource=Resource.GPU_HOURS,
        unit=Unit.GPU_HOURS,
    )
    cluster = Cluster.objects.create(name="Bench cluster", slug="bench")
    names = []
    for number in range(accounts):
        startup = Startup.objects.create(name=f"Bench startup {number}")
        name = f"bench-{number:03d}"
        ComputeAccount.objects.create(startup=startup, slurm_account=name, namespace=name)
        asset = account_open(
            startup=startup,
            kind=AccountKind.ASSET,
            resource=Resource.GPU_HOURS,
            unit=Unit.GPU_HOURS,
        )
        ledger_post(
            lines=[(source, -hours_each), (asset, hours_each)],
            memo="bench quota",
            kind=TransactionKind.TOP_UP,
        )
        names.append(name)
    return cluster, names


def run(args, work: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from nurture.compute.models import UsageRecord
    from nurture.compute.services import slurm_import
    from nurture.resources.models import LedgerTransaction
    from nurture.resources.selectors import ledger_problems

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    # Each job uses at most 8 GPUs for 4 hours: this is always enough.
    cluster, names = seed(args.accounts, Decimal(32 * args.rows // args.accounts + 1000))
    path = work / "sacct.txt"
    write_file(path, args.rows, names, args.days)
    size_mb = path.stat().st_size / 1e6
    log(f"seeded and wrote {size_mb:.0f} MB in {time.perf_counter() - began:.1f} s")

    with path.open("rb") as upload:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = slurm_import(cluster=cluster, upload=upload, file_name=path.name, actor=None)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    log(f"first import: {result.new} new jobs, {result.record.postings} postings, {seconds:.1f} s")
    before = LedgerTransaction.objects.count()
    with path.open("rb") as upload:
        again_started = time.perf_counter()
        again = slurm_import(cluster=cluster, upload=upload, file_name=path.name, actor=None)
        again_seconds = time.perf_counter() - again_started
    new_postings = LedgerTransaction.objects.count() - before
    log(f"re-import: {again.new} new jobs, {again.known} known, {again_seconds:.1f} s")
    problems = ledger_problems()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": args.rows,
        "seconds": round(seconds, 2),
        # This process's own CPU time: on a shared machine, wall time includes waiting.
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_mb": round(peak_mb, 1),
        "reimport_new_postings": new_postings,
        "reimport_seconds": round(again_seconds, 2),
        "usage_records": UsageRecord.objects.count(),
        "postings": result.record.postings,
        "ledger_problems": len(problems),
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.usage_import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.accounts < 1 or args.days < 1:
        parser.error("--rows, --accounts and --days must be positive")

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "nurture.settings"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ["EMAIL_URL"] = "memory://"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    server_url = os.environ.get("DATABASE_URL", "")
    bench_url = ""
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as var_dir:
        os.environ["NURTURE_VAR_DIR"] = var_dir
        try:
            if server_url:
                bench_url = postgres_create(server_url)
                os.environ["DATABASE_URL"] = bench_url
            line = run(args, Path(var_dir))
        finally:
            if bench_url:
                from django.db import connections

                connections.close_all()
                postgres_drop(server_url, bench_url)
    print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
