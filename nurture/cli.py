"""The `nurture` command: Django's management commands plus a few of the project's own.

nurture demo                load the fictional demo programme (idempotent)
nurture serve               serve on http://127.0.0.1:8000 with gunicorn
                            (--host, --port, --workers; --dev for runserver with autoreload)
nurture worker              run queued background tasks (database queue, or RQ)
nurture reminders           send deadline reminders for draft applications
nurture ledger-check        verify that every balance equals the sum of its entries
nurture rotate-field-keys   re-encrypt bank details with the newest FIELD_ENCRYPTION_KEYS key
nurture platform-reminders  remind staff to revoke platform accounts whose programme ended
nurture idempotency-purge   forget API answers stored for Idempotency-Key replays after 24 h
nurture <command>           any manage.py command (migrate, createsuperuser, ...)
"""

import os
import sys

ALIASES = {
    "worker": "db_worker",
    "reminders": "send_deadline_reminders",
    "ledger-check": "ledger_check",
    "rotate-field-keys": "rotate_field_keys",
    "platform-reminders": "send_platform_revocation_reminders",
    "idempotency-purge": "idempotency_purge",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nurture.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "worker" and os.environ.get("TASK_BACKEND") == "rq":
        # Tasks queued on Redis are run by RQ's workers, as many as needed.
        argv[1:2] = ["rqworker", "default", "--job-class", "django_tasks_rq.backend.Job"]
    elif len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    if len(argv) == 1:
        print(__doc__)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
