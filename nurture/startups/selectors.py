"""Reads of startups for a founder's dashboard, written out (nurture/core/sql.py).

A founder's dashboard is the page founders open most. Its startups, their applications and
the founder's pending invitations are two written-out queries instead of three ORM querysets
whose compiling cost more than their running. `tests/startups/test_selectors.py` holds both
to the ORM's answers.
"""

import functools
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from nurture.applications.models import Application
from nurture.core.sql import Columns, fetch, relate, table
from nurture.programmes.models import Call, Cohort, Sector

from .models import Invitation, Startup, StartupMember

_STARTUP = Columns(Startup, "s")
_SECTOR = Columns(Sector, "t")
# Only what the dashboard shows of each application, its cohort and call: the answers are long
# texts that the page never displays.
_APPLICATION = Columns(Application, "a", ("cohort_id", "startup_id", "state"))
_COHORT = Columns(Cohort, "c", ("name", "year", "intake", "starts_on"))
_CALL = Columns(Call, "k", ("cohort_id", "opens_at", "closes_at"))


@functools.cache
def _startups_sql(vendor: str) -> str:
    columns = ", ".join(part.sql() for part in (_STARTUP, _SECTOR, _APPLICATION, _COHORT, _CALL))
    return (
        f"SELECT {columns} FROM {table(Startup)} s"  # noqa: S608
        f" INNER JOIN {table(StartupMember)} m ON m.startup_id = s.id"
        f" LEFT OUTER JOIN {table(Sector)} t ON t.id = s.sector_id"
        f" LEFT OUTER JOIN {table(Application)} a ON a.startup_id = s.id"
        f" LEFT OUTER JOIN {table(Cohort)} c ON c.id = a.cohort_id"
        f" LEFT OUTER JOIN {table(Call)} k ON k.cohort_id = c.id"
        " WHERE m.user_id = %s ORDER BY s.name, s.id"
    )


def startups_with_applications(user) -> tuple[list[Startup], list[Application]]:
    """The user's startups (by name, with their sector) and all their applications (latest
    cohort first, each with its startup, cohort and the cohort's call), in one query.

    The same as `Startup.objects.filter(memberships__user=user).select_related("sector")`
    and those startups' applications with `select_related("startup", "cohort__call")`.
    """
    startups: dict[int, Startup] = {}
    applications = []
    for row in fetch(_startups_sql(connection.vendor), [user.pk]):
        values = iter(row)
        startup = _STARTUP.load(values)
        sector = _SECTOR.load(values)
        startup = startups.setdefault(startup.pk, startup)
        relate(startup, "sector", sector)
        application = _APPLICATION.load(values)
        if application is None:  # a startup without applications
            continue
        cohort = _COHORT.load(values)
        relate(cohort, "call", _CALL.load(values), back="cohort")
        relate(application, "startup", startup)
        relate(application, "cohort", cohort)
        applications.append(application)
    applications.sort(key=lambda application: application.cohort.starts_on, reverse=True)
    return list(startups.values()), applications


_INVITATION = Columns(Invitation, "i")
_INVITING_STARTUP = Columns(Startup, "s", ("name",))


@functools.cache
def _invitations_sql(vendor: str) -> str:
    email = connection.ops.lookup_cast("iexact", "EmailField") % "i.email"
    return (
        f"SELECT {_INVITATION.sql()}, {_INVITING_STARTUP.sql()}"  # noqa: S608
        f" FROM {table(Invitation)} i INNER JOIN {table(Startup)} s ON s.id = i.startup_id"
        f" WHERE {email} {connection.operators['iexact'] % '%s'}"
        " AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.created_at > %s"
        " ORDER BY i.created_at DESC, i.id DESC"
    )


def pending_invitations(email: str) -> list[Invitation]:
    """Invitations to `email` (case aside, as the ORM's iexact compares) that are still
    pending (`Invitation.is_pending`), newest first, each with its startup's name."""
    oldest = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    field = Invitation._meta.get_field("created_at")
    params = [
        connection.ops.prep_for_iexact_query(email),
        field.get_db_prep_value(oldest, connection),
    ]
    invitations = []
    for row in fetch(_invitations_sql(connection.vendor), params):
        values = iter(row)
        invitation = _INVITATION.load(values)
        relate(invitation, "startup", _INVITING_STARTUP.load(values))
        invitations.append(invitation)
    return invitations
