"""Background work for reviews (django-tasks): the deadline reminders.

Queue `send_review_reminders` from a scheduler (cron, or `nurture review_reminders` itself);
each reminder is sent at most once, so running it often is harmless.
"""

from django_tasks import task

from . import services


@task()
def send_review_reminders() -> int:
    return services.review_reminders_send()
