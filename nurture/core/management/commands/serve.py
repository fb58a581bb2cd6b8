import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from nurture.core import demo

from .demo import write_logins


def gunicorn_argv(*, host: str, port: int, workers: int = 2, access_log: bool = True) -> list[str]:
    """The gunicorn command line that serves the site; `bench.pages` starts the same one."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "nurture.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        bind,
        "--graceful-timeout",
        "5",
        # No control socket: it would live in $HOME and collide between two servers.
        "--no-control-socket",
    ]
    if access_log:
        argv += ["--access-logfile", "-"]
    return argv


class Command(BaseCommand):
    help = (
        "Serve Nurture on http://127.0.0.1:8000 with gunicorn, or with Django's development "
        "server (--dev, reloads on code changes). Prints the demo logins first."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to bind")
        parser.add_argument("--port", type=int, default=8000, help="port to bind")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument(
            "--dev", action="store_true", help="runserver with autoreload and DEBUG on"
        )

    def handle(self, *args, host, port, workers, dev, **options):
        # The autoreloader runs this command again in a child process; print only once.
        if os.environ.get("RUN_MAIN") != "true":
            self._greet(host, port)
        if dev:
            # Read by the settings module of the child process that actually serves.
            os.environ.setdefault("DEBUG", "1")
            address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            call_command("runserver", address)
            return
        connections.close_all()
        sys.stdout.flush()
        argv = gunicorn_argv(host=host, port=port, workers=workers)
        # gunicorn replaces this process, so Ctrl-C reaches its master, which stops the workers.
        os.execv(argv[0], argv)  # noqa: S606 (a fixed argument list, no shell)

    def _greet(self, host: str, port: int) -> None:
        try:
            logins = demo.demo_logins()
        except DatabaseError:
            logins = []
            self.stderr.write("The database is not ready: run `nurture migrate` first.")
        if logins:
            self.stdout.write(self.style.WARNING(demo.DEMO_NOTICE))
            write_logins(self.stdout, logins)
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        shown = f"[{shown}]" if ":" in shown else shown
        self.stdout.write(self.style.SUCCESS(f"Nurture: http://{shown}:{port}/  (Ctrl-C to stop)"))
