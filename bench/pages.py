"""How fast the busiest pages are, compared with a bare page on the same server.

    python -m bench.pages [--seconds 3] [--rounds 3] [--threads 2] [--applications 5000]

Seeds a database of its own (a temporary SQLite file, or, when DATABASE_URL is set, a
throwaway PostgreSQL database `bench_pages_<pid>` on that server, dropped afterwards) with the
demo programme plus bulk-created applications up to 5,000, serves it with gunicorn (2 workers,
the command line `nurture serve` uses) on a free loopback port, signs in through the login
form as a programme manager and as a founder, and measures with a pool of keep-alive
http.client connections:

- list: the programme manager's application list of the open cohort (first page, 50 rows);
- dashboard: a founder's dashboard;
- bare: the base layout with no data, same middleware, same signed-in user (the ceiling).

Prints one JSON line on stdout; details (query counts, p95 of every page) go to stderr.
Targets: list and dashboard at least half the bare page's throughput, list p95 under 100 ms.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 15


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- A database of its own ------------------------------------------------------------------


def postgres_create(url: str) -> str:
    """Create `bench_pages_<pid>` on the server of `url`; return the new database's URL."""
    import psycopg

    name = f"bench_pages_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_drop(server_url: str, bench_url: str) -> None:
    import psycopg

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(total: int) -> dict:
    """The demo programme, then bulk-created applications up to `total`, most in the open call."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from nurture.accounts.models import Role, User
    from nurture.applications.models import Application, ApplicationState
    from nurture.core import demo
    from nurture.privacy.models import NoticeKind
    from nurture.privacy.services import notice_current
    from nurture.programmes.models import Cohort, Sector
    from nurture.startups.models import MemberRole, Startup, StartupMember

    demo.demo_load()
    rng = random.Random(5000)
    now = timezone.now()
    cohorts = list(Cohort.objects.select_related("call").order_by("starts_on"))
    open_cohort, closed = cohorts[-1], cohorts[:-1]
    sectors = {s.slug: s for s in Sector.objects.all()}
    notice = notice_current(kind=NoticeKind.COLLECTION)
    missing = total - Application.objects.count()
    n_open = (missing * 7) // 10
    n_closed = missing - n_open
    password = make_password(demo.PASSWORDS[Role.FOUNDER])

    users, startups, plans = [], [], []
    for i in range(n_open):
        sector = rng.choice(list(demo.SECTOR_TEXTS))
        stems = demo.SECTOR_TEXTS[sector]["stems"]
        name = f"{rng.choice(demo.STARTUP_PREFIXES)}{rng.choice(stems).lower()} {i:05d}"
        founded = timezone.localdate() - timedelta(days=rng.randrange(60, 1200))
        plan = demo.StartupPlan(
            name=name,
            sector=sector,
            pair=rng.randrange(3),
            registered_in_hk=rng.random() < 0.7,
            br_number=f"{rng.randrange(60_000_000, 79_999_999)}",
            founded=founded,
            created_at=open_cohort.call.opens_at - timedelta(days=rng.randrange(1, 400)),
            founders=[],
        )
        plans.append(plan)
        users.append(
            User(
                email=f"bench.founder{i:05d}@{demo.DEMO_DOMAIN}",
                full_name=f"Bench Founder {i:05d}",
                role=Role.FOUNDER,
                password=password,
                email_verified_at=plan.created_at,
                date_joined=plan.created_at,
            )
        )
        startups.append(
            Startup(
                name=name,
                registered_in_hk=plan.registered_in_hk,
                business_registration_number=plan.br_number if plan.registered_in_hk else "",
                date_founded=founded,
                sector=sectors[sector],
                created_at=plan.created_at,
            )
        )
    users = User.objects.bulk_create(users, batch_size=500)
    startups = Startup.objects.bulk_create(startups, batch_size=500)
    StartupMember.objects.bulk_create(
        [
            StartupMember(startup=s, user=u, role=MemberRole.FOUNDER, joined_at=s.created_at)
            for s, u in zip(startups, users, strict=True)
        ],
        batch_size=500,
    )

    open_states = [ApplicationState.SUBMITTED] * 6 + [ApplicationState.DRAFT] * 3
    open_states.append(ApplicationState.WITHDRAWN)
    closed_states = [ApplicationState.REJECTED] * 8 + [ApplicationState.WAITLISTED] * 2
    applications = []
    for index, (startup, plan) in enumerate(zip(startups, plans, strict=True)):
        targets = [(open_cohort, rng.choice(open_states))]
        if index < n_closed:
            targets.append((closed[index % len(closed)], rng.choice(closed_states)))
        for cohort, state in targets:
            call = cohort.call
            end = min(call.closes_at, now)
            created = call.opens_at + (end - call.opens_at) * rng.random() * 0.5
            submitted = None
            if state != ApplicationState.DRAFT:
                submitted = created + (end - created) * rng.random()
            answers = demo.application_answers(rng, plan, complete=state != "draft")
            applications.append(
                Application(
                    cohort=cohort,
                    startup=startup,
                    state=state,
                    sector=startup.sector,
                    created_at=created,
                    updated_at=submitted or created,
                    submitted_at=submitted,
                    withdrawn_at=submitted if state == ApplicationState.WITHDRAWN else None,
                    collection_notice=notice,
                    **answers,
                )
            )
    Application.objects.bulk_create(applications, batch_size=500)
    settle()
    return {
        "applications": Application.objects.count(),
        "open_cohort": open_cohort.pk,
        "open_cohort_applications": open_cohort.applications.count(),
    }


def settle() -> None:
    """Bring the planner's statistics up to date after the bulk load, as a database in use has
    them: PostgreSQL's autovacuum would do this minutes later, and without it the planner
    takes the cohort for a dozen rows and the visibility map is empty (no index-only scans).
    SQLite keeps no statistics unless asked and plans the same either way."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def query_counts(paths: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Queries each page makes, measured in-process with the test client (for the report)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from nurture.accounts.models import User

    counts = {}
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for page, (email, path) in paths.items():
        client = Client()
        user = User.objects.get(email=email)
        client.force_login(user)
        # Staff sessions pass the two-factor code step (the demo gives them a device).
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        counts[page] = len(queries) if status == 200 else -status
    return counts


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_start(port: int, env: dict) -> subprocess.Popen:
    from nurture.core.management.commands.serve import gunicorn_argv

    argv = gunicorn_argv(host=HOST, port=port, workers=2, access_log=False)
    # Its own session: a Ctrl-C on the benchmark reaches only the benchmark, which stops it.
    return subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)


def server_wait(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 seconds")


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- Clients --------------------------------------------------------------------------------


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(port: int, email: str, password: str) -> str:
    """Sign in through the login form, as a browser would; return the Cookie header."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    html = response.read().decode()
    jar = cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urlencode({"username": email, "password": password, "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    jar.update(cookies_of(response))
    if response.status == 302 and "/accounts/login/code/" in response.getheader("Location", ""):
        # Staff: the two-factor code step, with a code from the demo's published secret.
        response = _login_code(conn, jar)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"Could not sign in as {email} (status {response.status}).")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _login_code(conn, jar: dict[str, str]) -> http.client.HTTPResponse:
    import base64
    import time

    from django_otp.oath import TOTP

    from nurture.core import demo

    # Signing in gave the session a new CSRF secret: the code page's form has the token.
    conn.request(
        "GET",
        "/accounts/login/code/",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
    )
    response = conn.getresponse()
    html = response.read().decode()
    jar.update(cookies_of(response))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    key = base64.b32decode(demo.DEMO_TOTP_SECRET)
    for attempt in range(2):
        generator = TOTP(key)
        # Each time step's code is accepted once per account: a second try takes the next one.
        generator.time = time.time() + 30 * attempt
        body = urlencode({"code": f"{generator.token():06d}", "csrfmiddlewaretoken": token})
        conn.request(
            "POST",
            "/accounts/login/code/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            },
        )
        response = conn.getresponse()
        response.read()
        jar.update(cookies_of(response))
        if response.status == 302:
            return response
        time.sleep(1.1)  # django-otp's wait after a wrong code
    return response


def hammer(
    port: int, path: str, cookies: list[str], threads: int, seconds: float, warmup: int
) -> dict:
    """Requests from `threads` keep-alive connections for `seconds`, after a warm-up.

    Connection i sends the i-th cookie (round robin), so one run can mix signed-in users.
    """
    errors: list[str] = []
    latencies: list[list[float]] = [[] for _ in range(threads)]
    window = {}

    def open_window() -> None:
        window["began"] = time.perf_counter()
        window["ends"] = window["began"] + seconds

    # Measuring starts when every connection has finished its warm-up.
    barrier = threading.Barrier(threads, action=open_window, timeout=REQUEST_TIMEOUT * 4)

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        headers = {"Cookie": cookies[slot % len(cookies)], "Accept": "text/html"}

        def one() -> float:
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
            return time.perf_counter() - began

        try:
            for _ in range(warmup):
                one()
            barrier.wait()
            while time.perf_counter() < window["ends"] and not errors:
                latencies[slot].append(one())
        except (OSError, threading.BrokenBarrierError) as exc:
            errors.append(f"{path}: {exc!r}")
            barrier.abort()
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(worker, slot) for slot in range(threads)]:
            future.result()
    if errors:
        raise RuntimeError(errors[0])
    elapsed = time.perf_counter() - window["began"]
    flat = sorted(x for slot in latencies for x in slot)
    return {"requests": len(flat), "seconds": elapsed, "latencies": flat}


def p95_ms(latencies: list[float]) -> float:
    return 1000 * latencies[min(int(0.95 * len(latencies)), len(latencies) - 1)]


# --- Main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=3.0, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    # As many client connections as gunicorn workers: every worker busy, no queue, so p95 is
    # the time a request takes on a busy server rather than the length of a queue.
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10, help="requests per connection")
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="bench-pages-")
    server_url = os.environ.get("DATABASE_URL", "")
    bench_url = ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nurture.settings",
        "NURTURE_VAR_DIR": var_dir,
        "NURTURE_BENCH_BARE_PAGE": "1",
        "DEBUG": "0",
        "TASK_BACKEND": "immediate",
        "EMAIL_URL": "memory://",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    server = None
    try:
        if server_url:
            bench_url = postgres_create(server_url)
            env["DATABASE_URL"] = bench_url
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.urls import reverse

        from nurture.accounts.models import Role
        from nurture.core import demo

        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        seeded = seed(args.applications)
        log(f"seeded {seeded} in {time.perf_counter() - began:.1f} s")
        manager, founder = (
            (demo.LOGIN_EMAILS[role], demo.PASSWORDS[role])
            for role in (Role.PROGRAMME_MANAGER, Role.FOUNDER)
        )
        paths = {
            "list": reverse("programmes:application_list", args=[seeded["open_cohort"]]),
            "dashboard": reverse("core:dashboard"),
            "bare": reverse("core:bench_bare"),
        }
        who = {"list": manager, "dashboard": founder, "bare": manager}
        queries = query_counts({page: (who[page][0], path) for page, path in paths.items()})
        log(f"queries per page: {queries}")
        connections.close_all()

        port = free_port()
        server = server_start(port, env)
        server_wait(port, server)
        cookies = {"manager": login(port, *manager), "founder": login(port, *founder)}
        # The bare page is requested as both users, half the connections each: it is the
        # ceiling for the list (programme manager) and for the dashboard (founder) alike.
        pages = {
            "bare": (paths["bare"], [cookies["manager"], cookies["founder"]]),
            "list": (paths["list"], [cookies["manager"]]),
            "dashboard": (paths["dashboard"], [cookies["founder"]]),
        }
        totals = {page: {"requests": 0, "seconds": 0.0, "latencies": []} for page in pages}
        # Rounds interleave the pages, so that a burst of load from elsewhere on the machine
        # does not fall on one page only.
        for _ in range(args.rounds):
            for page, (path, page_cookies) in pages.items():
                run = hammer(port, path, page_cookies, args.threads, args.seconds, args.warmup)
                totals[page]["requests"] += run["requests"]
                totals[page]["seconds"] += run["seconds"]
                totals[page]["latencies"] += run["latencies"]
        rps = {page: t["requests"] / t["seconds"] for page, t in totals.items()}
        p95 = {page: p95_ms(sorted(t["latencies"])) for page, t in totals.items()}
        log(
            "details: "
            + json.dumps(
                {
                    "p95_ms": {k: round(v, 1) for k, v in p95.items()},
                    "requests": {k: t["requests"] for k, t in totals.items()},
                    "threads": args.threads,
                    "database": "postgresql" if bench_url else "sqlite",
                }
            )
        )
        figures = {
            "list_rps": round(rps["list"], 1),
            "dashboard_rps": round(rps["dashboard"], 1),
            "bare_rps": round(rps["bare"], 1),
            "list_ratio": round(rps["list"] / rps["bare"], 3),
            "dashboard_ratio": round(rps["dashboard"] / rps["bare"], 3),
            "list_p95_ms": round(p95["list"], 1),
        }
        print(json.dumps(figures), flush=True)
        return 0
    finally:
        if server is not None:
            server_stop(server)
        if bench_url:
            from django.db import connections

            connections.close_all()
            postgres_drop(server_url, bench_url)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
