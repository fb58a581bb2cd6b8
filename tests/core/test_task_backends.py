"""Programme e-mails travel through each configured task backend and arrive once."""

import os

import pytest
import redis
from django.core import mail
from django.core.management import call_command

from nurture.core.mail import send_bilingual_mail

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {
    "startup_name": "Demo Startup",
    "cohort_name": "2031 Spring",
    "submitted_at": "2031-01-02 10:00",
    "link": "http://testserver/applications/1/",
}


@pytest.fixture
def backend(settings, request):
    # django-tasks drops its backend connections whenever TASKS changes.
    settings.TASKS = {"default": request.param}
    return request.param


@pytest.mark.parametrize("backend", [{"BACKEND": "django_tasks_db.DatabaseBackend"}], indirect=True)
def test_the_database_queue_delivers_after_a_worker_runs(backend):
    send_bilingual_mail(
        to=["team@example.com"], template="applications/email/received", context=CONTEXT
    )
    assert mail.outbox == []
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    assert [m.to for m in mail.outbox] == [["team@example.com"]]


@pytest.mark.parametrize(
    "backend",
    [{"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}],
    indirect=True,
)
def test_the_redis_queue_delivers_after_a_worker_runs(backend, settings):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    connection = django_rq.get_connection("default")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    queue = django_rq.get_queue("default")
    queue.empty()
    send_bilingual_mail(
        to=["team@example.com"], template="applications/email/received", context=CONTEXT
    )
    assert mail.outbox == []
    # A worker that runs jobs in this process, so the test's mail outbox sees the message.
    SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)
    assert [m.to for m in mail.outbox] == [["team@example.com"]]
