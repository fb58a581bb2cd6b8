"""Ledger postings under contention, compared with pgbench on the same PostgreSQL server.

    DATABASE_URL=postgres://... python -m bench.ledger [--seconds 20] [--workers 16]
        [--accounts 4] [--warmup 3]

Creates a throwaway database `bench_ledger_<pid>` on the server of DATABASE_URL, migrates it,
and opens a few shared startup accounts. `--workers` processes (each with its own connection)
then post debits of 1.00 from those accounts through `ledger_post`, each under its own
idempotency key, for `--seconds`, after a short warm-up. The shared accounts are funded with
ten times what the warm-up's rate would use, so that their running dry never caps the rate
measured. When the time is up, every worker races the others to empty one more account,
funded with 25 debits per worker, until a debit is refused for lack of funds: the point
where an overdraft would show. Afterwards it counts

- overdrafts: accounts that may not go negative but are below zero;
- lost: postings the workers saw succeed that the database does not hold, or the reverse,
  plus every 1.00 by which a shared account's balance differs from its funding less the
  debits that succeeded on it, plus every debit by which the drained account's successes
  differ from its funding, plus every problem `ledger-check` finds.

Then, in the same run, `pgbench` (TPC-B-like) on a separate database initialised with
`pgbench -i -s 16`, with as many clients as workers, for as long. Both databases are dropped.
Prints one JSON line on stdout; details go to stderr.
Targets: ratio (postings per second / pgbench tps) at least 0.2, zero overdrafts, zero lost.
"""

import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from urllib.parse import unquote, urlsplit, urlunsplit

DEBIT = Decimal("1.00")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def database_create(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


def database_drop(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nurture.settings")
    import django

    django.setup()


# --- The ledger side ------------------------------------------------------------------------


def seed(accounts: int) -> dict:
    """A programme, and `accounts` startups each with a balance and a spending account."""
    from nurture.programmes.models import Programme
    from nurture.resources.models import AccountKind, Resource, Unit
    from nurture.resources.services import account_open
    from nurture.startups.models import Startup

    programme = Programme.objects.create(name="Bench", slug="bench", organisation="Bench")
    pairs = []
    for number in range(accounts):
        startup = Startup.objects.create(name=f"Bench startup {number}")
        opened = [
            account_open(
                startup=startup, kind=kind, resource=Resource.CLOUD_CREDITS, unit=Unit.USD
            ).pk
            for kind in (AccountKind.ASSET, AccountKind.SPEND)
        ]
        pairs.append(opened)
    source = account_open(
        programme=programme, kind=AccountKind.SOURCE, resource=Resource.CLOUD_CREDITS, unit=Unit.USD
    )
    return {"source": source.pk, "pairs": pairs}


def fund(source_id: int, account_ids: list[int], debits: int) -> None:
    from nurture.resources.models import Account, TransactionKind
    from nurture.resources.services import ledger_post

    source = Account.objects.get(pk=source_id)
    for account in Account.objects.filter(pk__in=account_ids):
        ledger_post(
            lines=[(source, -DEBIT * debits), (account, DEBIT * debits)],
            memo="bench funding",
            kind=TransactionKind.TOP_UP,
        )


def worker(url, index, pairs, tag, start, seconds, results, drain=None) -> None:
    """Post debits until the deadline; report successes per account, refusals and errors.

    Then, if `drain` names an (asset, spend) pair, race the other workers to empty that
    account: post debits on it until one is refused for lack of funds.
    """
    django_setup(url)
    from django.db import connection

    from nurture.resources.models import Account, TransactionKind
    from nurture.resources.services import LedgerError, ledger_post

    accounts = Account.objects.in_bulk([pk for pair in pairs for pk in pair])
    lines_for = [[(accounts[asset], -DEBIT), (accounts[spend], DEBIT)] for asset, spend in pairs]
    posted = [0] * len(pairs)
    refused = errors = 0
    connection.ensure_connection()
    start.wait()
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        # Each worker walks the shared accounts from its own offset, so every account is
        # contended by several workers at once.
        choice = (index + number) % len(pairs)
        number += 1
        try:
            ledger_post(
                lines=lines_for[choice],
                memo="",
                kind=TransactionKind.USAGE,
                idempotency_key=f"bench:{tag}:{index}:{number}",
            )
            posted[choice] += 1
        except LedgerError:
            refused += 1
        except Exception as exc:  # counted and reported, never silently dropped
            errors += 1
            if errors <= 3:
                log(f"worker {index}: {exc!r}")
    drained = 0
    if drain is not None:
        drain_accounts = Account.objects.in_bulk(drain)
        drain_lines = [(drain_accounts[drain[0]], -DEBIT), (drain_accounts[drain[1]], DEBIT)]
        while True:
            try:
                ledger_post(
                    lines=drain_lines,
                    memo="",
                    kind=TransactionKind.USAGE,
                    idempotency_key=f"bench:{tag}-drain:{index}:{drained}",
                )
                drained += 1
            except LedgerError:
                break
            except Exception as exc:
                errors += 1
                log(f"worker {index} (drain): {exc!r}")
                break
    connection.close()
    results.put({"posted": posted, "refused": refused, "errors": errors, "drained": drained})


def run_workers(url, pairs, tag, workers, seconds, drain=None) -> list[dict]:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [
        context.Process(
            target=worker, args=(url, index, pairs, tag, start, seconds, results, drain)
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    # Give every process time to import Django and connect before the clock starts.
    time.sleep(max(3.0, workers * 0.4))
    start.set()
    reports = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return reports


def ledger_run(url: str, workers: int, seconds: float, accounts: int, warmup: float) -> dict:
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    from nurture.resources.models import Account, AccountKind, LedgerTransaction, TransactionKind
    from nurture.resources.selectors import ledger_problems

    call_command("migrate", verbosity=0, interactive=False)
    warm = seed(accounts)
    fund(warm["source"], [asset for asset, _spend in warm["pairs"]], 10**9)
    connection.close()
    reports = run_workers(url, warm["pairs"], "warmup", workers, warmup)
    warm_rate = sum(sum(report["posted"]) for report in reports) / warmup
    log(f"warm-up: {warm_rate:.0f} postings/s")

    from nurture.programmes.models import Programme

    Programme.objects.filter(slug="bench").update(slug="bench-warmup")
    main = seed(accounts + 1)
    # The last pair is drained after the timed run: every worker debits it at once until it
    # is refused, so the runs always reach the point where an overdraft would show.
    drain = main["pairs"].pop()
    drain_debits = 25 * workers
    fund(main["source"], [drain[0]], drain_debits)
    # Ten times what the run would use at the warm-up's rate: the rate measured is the
    # ledger's, not the funding's (a slow warm-up once capped it). The drain shows refusals.
    per_account = max(1000, int(warm_rate * seconds * 10 / accounts))
    fund(main["source"], [asset for asset, _spend in main["pairs"]], per_account)
    connection.close()
    reports = run_workers(url, main["pairs"], "main", workers, seconds, drain)

    posted = [sum(report["posted"][i] for report in reports) for i in range(accounts)]
    refused = sum(report["refused"] for report in reports)
    drained = sum(report["drained"] for report in reports)
    errors = sum(report["errors"] for report in reports)
    usage = LedgerTransaction.objects.filter(
        kind=TransactionKind.USAGE, idempotency_key__startswith="bench:main:"
    ).count()
    balances = Account.objects.in_bulk([asset for asset, _spend in main["pairs"]])
    drift = sum(
        abs(balances[asset].balance - DEBIT * (per_account - posted[i])) / DEBIT
        for i, (asset, _spend) in enumerate(main["pairs"])
    )
    problems = ledger_problems()
    for problem in problems:
        log(f"ledger-check: {problem}")
    overdrafts = Account.objects.exclude(kind=AccountKind.SOURCE).filter(balance__lt=0).count()
    drain_balance = Account.objects.get(pk=drain[0]).balance
    drain_held = LedgerTransaction.objects.filter(
        kind=TransactionKind.USAGE, idempotency_key__startswith="bench:main-drain:"
    ).count()
    lost = (
        abs(sum(posted) - usage)
        + int(drift)
        + len(problems)
        # The drained account: exactly its funding was debited, no more, none lost.
        + abs(drained - drain_debits)
        + abs(drain_held - drained)
        + int(abs(drain_balance) / DEBIT)
    )
    log(
        f"drain: {workers} workers emptied an account funded with {drain_debits} debits: "
        f"{drained} succeeded, database holds {drain_held}, balance left {drain_balance}"
    )
    log(
        f"ledger: {sum(posted)} postings in {seconds}s by {workers} workers on {accounts} "
        f"accounts funded with {per_account} debits each; {refused} refused for lack of funds, "
        f"{errors} errors; database holds {usage}"
    )
    connection.close()
    return {
        "postings_per_s": sum(posted) / seconds,
        "overdrafts": overdrafts,
        "lost": lost + errors,
        "refused": refused,
    }


# --- The pgbench side -----------------------------------------------------------------------


def pgbench_run(server_url: str, clients: int, seconds: float) -> float:
    pgbench = shutil.which("pgbench") or "/usr/bin/pgbench"
    parts = urlsplit(server_url)
    name = f"bench_pgbench_{os.getpid()}"
    env = {**os.environ}
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    connect = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        unquote(parts.username or "postgres"),
    ]
    database_create(server_url, name)
    try:
        subprocess.run(
            [pgbench, *connect, "-i", "-s", "16", "-q", name],
            check=True,
            env=env,
            capture_output=True,
        )
        done = subprocess.run(
            [pgbench, *connect, "-c", str(clients), "-j", "2", "-T", str(int(seconds)), name],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        database_drop(server_url, name)
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    if not match:
        raise RuntimeError(f"pgbench printed no tps:\n{done.stdout}\n{done.stderr}")
    log(f"pgbench: {match.group(0)}")
    return float(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args(argv)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        log(
            "bench.ledger needs a PostgreSQL server: set DATABASE_URL, for example "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.ledger"
        )
        return 2
    name = f"bench_ledger_{os.getpid()}"
    url = database_create(server_url, name)
    try:
        ledger = ledger_run(url, args.workers, args.seconds, args.accounts, args.warmup)
    finally:
        from django.db import connections

        connections.close_all()
        database_drop(server_url, name)
    tps = pgbench_run(server_url, args.workers, args.seconds)
    print(
        json.dumps(
            {
                "postings_per_s": round(ledger["postings_per_s"], 1),
                "pgbench_tps": round(tps, 1),
                "ratio": round(ledger["postings_per_s"] / tps, 3),
                "overdrafts": ledger["overdrafts"],
                "lost": ledger["lost"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
