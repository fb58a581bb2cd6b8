"""Conflict detection when an application is submitted, without touching the applications
app: a post_save receiver for the submitted state."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from nurture.applications.models import Application, ApplicationState


@receiver(post_save, sender=Application, dispatch_uid="reviewers.detect_on_submit")
def detect_conflicts_on_submit(sender, instance: Application, created, update_fields, **kwargs):
    if kwargs.get("raw") or instance.state != ApplicationState.SUBMITTED:
        return
    if not created and update_fields is not None and "state" not in update_fields:
        return
    from .services import conflicts_detect

    startup = instance.startup
    transaction.on_commit(lambda: conflicts_detect(startups=[startup]))
