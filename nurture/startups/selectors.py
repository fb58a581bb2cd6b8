"""Reads of startups for a founder's dashboard, written out (nurture/core/sql.py).

A founder's dashboard is the page founders open most. Its startups, their applications and
the founder's pending invitations are two written-out queries instead of three ORM querysets
whose compiling cost more than their running. `tests/startups/test_selectors.py` holds both
to the ORM's answers.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from nurture.applications.models import Application
from nurture.core.sql import Columns, fetch
from nurture.programmes.models import Call, Cohort, Sector

from .models import Invitation, Startup, StartupMember

_STARTUP = Columns(Startup, "s")
_SECTOR = Columns(Sector, "t")
# Only what the dashboard shows of each application, its cohort and call: the answers are long
# texts that the page never displays.
_APPLICATION = Columns(Application, "a", ("cohort_id", "startup_id", "state"))
_COHORT = Columns(Cohort, "c", ("name", "year", "intake", "starts_on"))
_CALL = Columns(Call, "k", ("cohort_id", "opens_at", "closes_at"))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _startups_sql() -> str:
    columns = ", ".join(part.sql() for part in (_STARTUP, _SECTOR, _APPLICATION, _COHORT, _CALL))
    return (
        f"SELECT {columns} FROM {_table(Startup)} s"  # noqa: S608
        f" INNER JOIN {_table(StartupMember)} m ON m.startup_id = s.id"
        f" LEFT OUTER JOIN {_table(Sector)} t ON t.id = s.sector_id"
        f" LEFT OUTER JOIN {_table(Application)} a ON a.startup_id = s.id"
        f" LEFT OUTER JOIN {_table(Cohort)} c ON c.id = a.cohort_id"
        f" LEFT OUTER JOIN {_table(Call)} k ON k.cohort_id = c.id"
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
    for row in fetch(_startups_sql(), [user.pk]):
        values = iter(row)
        startup = _STARTUP.load(values)
        sector = _SECTOR.load(values)
        startup = startups.setdefault(startup.pk, startup)
        startup._state.fields_cache["sector"] = sector
        application = _APPLICATION.load(values)
        if application is None:  # a startup without applications
            continue
        cohort = _COHORT.load(values)
        call = _CALL.load(values)
        if call is not None:
            call._state.fields_cache["cohort"] = cohort
        cohort._state.fields_cache["call"] = call
        application._state.fields_cache["startup"] = startup
        application._state.fields_cache["cohort"] = cohort
        applications.append(application)
    applications.sort(key=lambda application: application.cohort.starts_on, reverse=True)
    return list(startups.values()), applications


_INVITATION = Columns(Invitation, "i")
_INVITING_STARTUP = Columns(Startup, "s", ("name",))


def pending_invitations(email: str) -> list[Invitation]:
    """Invitations to `email` (case aside, as the ORM's iexact compares) that are still
    pending (`Invitation.is_pending`), newest first, each with its startup's name."""
    oldest = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    email_sql = connection.ops.lookup_cast("iexact", "EmailField") % "i.email"
    sql = (
        f"SELECT {_INVITATION.sql()}, {_INVITING_STARTUP.sql()}"  # noqa: S608
        f" FROM {_table(Invitation)} i INNER JOIN {_table(Startup)} s ON s.id = i.startup_id"
        f" WHERE {email_sql} {connection.operators['iexact'] % '%s'}"
        " AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.created_at > %s"
        " ORDER BY i.created_at DESC, i.id DESC"
    )
    field = Invitation._meta.get_field("created_at")
    params = [
        connection.ops.prep_for_iexact_query(email),
        field.get_db_prep_value(oldest, connection),
    ]
    invitations = []
    for row in fetch(sql, params):
        values = iter(row)
        invitation = _INVITATION.load(values)
        invitation._state.fields_cache["startup"] = _INVITING_STARTUP.load(values)
        invitations.append(invitation)
    return invitations
