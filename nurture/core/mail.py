"""Programme e-mails: one message carrying English and Traditional Chinese, sent by a task.

A template `<name>` is three files under templates/: `<name>_subject.txt` and `<name>.txt`,
rendered once per language. Callers invoke `send_bilingual_mail` from `transaction.on_commit`
so nothing is sent for work that was rolled back.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

LANGUAGES = ("en", "zh-hant")
SEPARATOR = "\n\n" + "—" * 24 + "\n\n"


def render_bilingual(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render a template once per language. A context value may itself be a dictionary of
    languages ({"en": …, "zh-hant": …}); each half of the message then uses its own."""
    subjects, bodies = [], []
    for language in LANGUAGES:
        local = {
            key: value[language] if isinstance(value, dict) and language in value else value
            for key, value in context.items()
        }
        with translation.override(language):
            subjects.append(render_to_string(f"{template}_subject.txt", local).strip())
            bodies.append(render_to_string(f"{template}.txt", local).strip())
    return " | ".join(subjects), SEPARATOR.join(bodies) + "\n"


@task()
def send_templated_mail(to: list[str], template: str, context: dict[str, Any]) -> int:
    subject, body = render_bilingual(template, context)
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    return message.send()


def send_bilingual_mail(*, to: list[str], template: str, context: dict[str, Any]) -> None:
    """Queue a bilingual e-mail; the context must hold only JSON-serialisable values."""
    send_templated_mail.enqueue(to=list(to), template=template, context=context)
