"""The fuzzers of tests/security for longer: no 500, nothing half-saved, no leak.

    python -m bench.fuzz [--minutes 5] [--seed N]

Runs, against a database of its own (a temporary SQLite file under a temporary
NURTURE_VAR_DIR, or, when DATABASE_URL is set, a throwaway PostgreSQL database
`bench_fuzz_<pid>` on that server, dropped afterwards), alternating rounds of

- Hypothesis over every form (tests/security/fuzzing.FORM_TARGETS), through Django's test
  client, each submission a valid one with a few fields made hostile;
- schemathesis over /api/openapi.json, through the WSGI application in this process, as the
  founder of one startup with an API token, path ids mostly those of real objects, its own
  and another startup's;

until the time is up (a hard alarm stops it a minute later in any case). Prints one JSON line:
{"requests": ..., "server_errors": 0, "leaks": 0, ...}; the reference is zero for all but
requests. Each 500 is described on stderr.
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def postgres_create(url: str) -> str:
    import psycopg

    name = f"bench_fuzz_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def postgres_drop(server_url: str, fuzz_url: str) -> None:
    import psycopg

    name = urlsplit(fuzz_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Tally:
    def __init__(self) -> None:
        self.form_requests = 0
        self.api_requests = 0
        self.server_errors = 0
        self.leaks = 0
        self.half_saved = 0

    def line(self, seconds: float) -> dict:
        return {
            "requests": self.form_requests + self.api_requests,
            "server_errors": self.server_errors,
            "leaks": self.leaks,
            "half_saved": self.half_saved,
            "form_requests": self.form_requests,
            "api_requests": self.api_requests,
            "seconds": round(seconds, 1),
        }


def run(minutes: float, seed: int | None) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings, setup_test_environment
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.errors import FlakyStrategyDefinition

    from tests.security import fuzzing

    setup_test_environment()
    # The fuzzers' own limits are not what is measured: the login lockout and the API rate
    # limits would turn most requests into 429s.
    override_settings(
        AXES_FAILURE_LIMIT=10**9,
        API_RATE_ANON="off",
        API_RATE_USER="off",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ).enable()
    call_command("migrate", verbosity=0)
    world = fuzzing.world_build()
    operations = fuzzing.api_operations(fuzzing.api_schema())
    tally = Tally()
    round_settings = settings(
        max_examples=20,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )

    def form_round(target) -> None:
        @round_settings
        @given(data=st.data())
        def fuzz(data):
            submission = data.draw(fuzzing.form_submission(target, world))
            result = fuzzing.form_post(target, world, submission, raise_errors=False)
            tally.form_requests += 1
            if result.status >= 500:
                tally.server_errors += 1
                log(f"500 from form {target.name}: {submission!r}"[:2000])
            if result.half_saved:
                tally.half_saved += 1
                log(f"half-saved by form {target.name}: {submission!r}"[:2000])
            if result.leaked:
                tally.leaks += 1
                log(f"leak of {result.leaked} from form {target.name}: {submission!r}"[:2000])

        try:
            fuzz()
        except FlakyStrategyDefinition:
            # A valid submission that got through changed what the next one starts from (a
            # name now taken, a slot now booked): Hypothesis cannot replay the round. Its
            # requests are counted; the next round starts afresh.
            log(f"round of {target.name} ended early: the world changed under it")

    def api_round() -> None:
        @round_settings
        @given(data=st.data())
        def fuzz(data):
            case = data.draw(fuzzing.api_case(operations, world))
            result = fuzzing.api_call(case, world)
            tally.api_requests += 1
            if result.status >= 500:
                tally.server_errors += 1
                log(f"{result.status} from {case.method} {case.formatted_path} {case.body!r}")
            if result.leaked:
                tally.leaks += 1
                log(f"leak of {result.leaked} from {case.method} {case.formatted_path}")

        try:
            fuzz()
        except FlakyStrategyDefinition:
            log("API round ended early: the world changed under it")

    if seed is not None:
        import random

        random.seed(seed)
    started = time.monotonic()
    deadline = started + minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        target = fuzzing.FORM_TARGETS[rounds % len(fuzzing.FORM_TARGETS)]
        form_round(target)
        if time.monotonic() < deadline:
            api_round()
        rounds += 1
    return tally.line(time.monotonic() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.minutes > 120:
        parser.error("--minutes must be between 0 and 120")

    # A hard stop, whatever a round is doing: bounded and self-stopping.
    signal.signal(signal.SIGALRM, lambda *_: sys.exit("bench.fuzz: stopped by its time limit"))
    signal.alarm(int(args.minutes * 60) + 60)

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "nurture.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["EMAIL_URL"] = "memory://"
    os.environ["TASK_BACKEND"] = "immediate"
    server_url = os.environ.get("DATABASE_URL", "")
    fuzz_url = ""
    with tempfile.TemporaryDirectory(prefix="nurture-fuzz-") as var_dir:
        os.environ["NURTURE_VAR_DIR"] = var_dir
        if server_url:
            fuzz_url = postgres_create(server_url)
            os.environ["DATABASE_URL"] = fuzz_url
        try:
            line = run(args.minutes, args.seed)
        finally:
            if fuzz_url:
                from django.db import connections

                connections.close_all()
                postgres_drop(server_url, fuzz_url)
    signal.alarm(0)
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
