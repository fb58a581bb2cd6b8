import decimal
import functools
from dataclasses import dataclass
from datetime import UTC

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState, Stage
from nurture.audit.models import AuditEntry
from nurture.core.sql import Columns, fetch, relate, table
from nurture.startups.models import StartupMember

from .models import Call, Cohort, Programme, Sector


def programme_default() -> Programme | None:
    return Programme.objects.filter(is_active=True).order_by("id").first()


CALLS_CACHE_KEY = "programmes:calls-current"
# Calls change a few times a year, and every dashboard lists the open ones. An edit reaches
# this process at once (calls_forget) and other processes at most this late; a call opening
# or closing is exact, since the cached calls are filtered by the time of each request.
CALLS_CACHE_SECONDS = 60


def calls_current() -> list[Call]:
    """Calls that are open now or open in the future, soonest deadline first."""
    now = timezone.now()
    cached = cache.get(CALLS_CACHE_KEY)
    if cached is None:
        cached = list(
            Call.objects.filter(closes_at__gt=now)
            .select_related("cohort__programme")
            .order_by("closes_at")
        )
        cache.set(CALLS_CACHE_KEY, cached, CALLS_CACHE_SECONDS)
    return [call for call in cached if call.closes_at > now]


def calls_forget(**kwargs) -> None:
    """Drop the cached calls; connected to the saves and deletes of calls, their cohorts and
    programmes in apps.py."""
    cache.delete(CALLS_CACHE_KEY)


def calls_open() -> list[Call]:
    now = timezone.now()
    return [call for call in calls_current() if call.opens_at <= now]


def cohorts_with_counts():
    """Cohorts with their application counts per state, in one query."""
    counts = {
        f"n_{state}": Count("applications", filter=Q(applications__state=state))
        for state in ApplicationState.values
    }
    return (
        Cohort.objects.select_related("programme", "call")
        .annotate(n_applications=Count("applications"), **counts)
        .order_by("-starts_on")
    )


# --- A cohort's applications, for the programme manager's list and exports ------------------


def _choice_rank(field: str, values: list[str]) -> Case:
    """Sort a choice field in the order of its choices (idea before growth), not by code."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


# Column key -> expression; the list's headers and the exports share these keys.
APPLICATION_SORTS = {
    "startup": lambda: Lower("startup__name"),
    "sector": lambda: Lower("sector__name"),
    "stage": lambda: _choice_rank("stage", Stage.values),
    "state": lambda: _choice_rank("state", ApplicationState.values),
    "submitted": lambda: F("submitted_at"),
    "funding": lambda: F("funding_raised_usd"),
    "team": lambda: F("team_size"),
}
DEFAULT_APPLICATION_SORT = "-submitted"

# Drafts are the founders' work in progress; the list shows them only when asked (see the
# application_list view). "all" includes them.
STATE_ALL_BUT_DRAFTS = ""
STATE_ALL = "all"


@dataclass(frozen=True)
class ApplicationQuery:
    """The filters, search and sort of the application list (already validated)."""

    sector: Sector | None = None
    state: str = STATE_ALL_BUT_DRAFTS
    stage: str = ""
    search: str = ""
    sort: str = DEFAULT_APPLICATION_SORT

    def as_params(self) -> dict[str, str]:
        """The non-default values, as they appear in the query string (for audit entries)."""
        params = {
            "sector": self.sector.slug if self.sector else "",
            "state": self.state,
            "stage": self.stage,
            "q": self.search,
            "sort": self.sort if self.sort != DEFAULT_APPLICATION_SORT else "",
        }
        return {key: value for key, value in params.items() if value}


def _search(queryset, text: str):
    """Startup name, product, AI description, or a founder's e-mail address."""
    for word in text.split():
        member = StartupMember.objects.filter(
            startup_id=OuterRef("startup_id"), user__email__icontains=word
        )
        queryset = queryset.filter(
            Q(startup__name__icontains=word)
            | Q(product_description__icontains=word)
            | Q(ai_description__icontains=word)
            | Exists(member)
        )
    return queryset


def cohort_applications_matching(*, cohort: Cohort, query: ApplicationQuery, with_state=True):
    """A cohort's applications filtered by everything in `query` (the state only if asked)."""
    queryset = Application.objects.filter(cohort=cohort)
    if query.sector is not None:
        queryset = queryset.filter(sector=query.sector)
    if query.stage:
        queryset = queryset.filter(stage=query.stage)
    if query.search.strip():
        queryset = _search(queryset, query.search)
    if with_state:
        if query.state == STATE_ALL_BUT_DRAFTS:
            queryset = queryset.exclude(state=ApplicationState.DRAFT)
        elif query.state != STATE_ALL:
            queryset = queryset.filter(state=query.state)
    return queryset


def cohort_applications(*, cohort: Cohort, query: ApplicationQuery):
    """The rows of the list: filtered, sorted, with what each row shows joined in."""
    key = query.sort.removeprefix("-")
    expression = APPLICATION_SORTS.get(key, APPLICATION_SORTS["submitted"])()
    descending = query.sort.startswith("-") if key in APPLICATION_SORTS else True
    order = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return (
        cohort_applications_matching(cohort=cohort, query=query)
        .select_related("startup", "sector")
        .order_by(order, "pk")
    )


# What the list's heading shows of its cohort, its programme and its call.
_HEADING_COHORT = Columns(Cohort, "c", ("name", "year", "intake", "capacity", "programme_id"))
_HEADING_PROGRAMME = Columns(Programme, "p", ("name", "name_zh_hant"))
_HEADING_CALL = Columns(Call, "k", ("cohort_id", "opens_at", "closes_at"))
_BIGINT = 2**63


@functools.cache
def _heading_sql(vendor: str, count_filters: str | None = None) -> str:
    """The heading's query; with `count_filters` (the SQL of `_filters_sql`), also one row per
    state with the number of the cohort's applications that match them (`g.state`, `g.n`).
    Built once per database and filter combination."""
    columns = ", ".join(part.sql() for part in (_HEADING_COHORT, _HEADING_PROGRAMME, _HEADING_CALL))
    counts = ""
    if count_filters is not None:
        columns += ", g.state, g.n"
        counts = (
            " LEFT OUTER JOIN (SELECT a.state AS state, COUNT(*) AS n"  # noqa: S608
            f" FROM {table(Application)} a"
            f" WHERE a.cohort_id = %s{count_filters} GROUP BY a.state) g ON 1 = 1"
        )
    return (
        f"SELECT {columns} FROM {table(Cohort)} c"  # noqa: S608
        f" INNER JOIN {table(Programme)} p ON p.id = c.programme_id"
        f" LEFT OUTER JOIN {table(Call)} k ON k.cohort_id = c.id"
        f"{counts} WHERE c.id = %s"
    )


def _heading_from(row) -> Cohort:
    values = iter(row)
    cohort = _HEADING_COHORT.load(values)
    relate(cohort, "programme", _HEADING_PROGRAMME.load(values))
    relate(cohort, "call", _HEADING_CALL.load(values), back="cohort")
    return cohort


def cohort_heading(pk: int) -> Cohort | None:
    """The cohort of the application list, with only what its heading shows of the cohort,
    its programme and its call (any other field loads when read), or None.

    The same objects as `Cohort.objects.select_related("programme", "call").only(...)`, in a
    query written out for the page that programme managers open most
    (`tests/programmes/test_list_rows.py` compares them).
    """
    if not -_BIGINT <= pk < _BIGINT:
        return None
    rows = fetch(_heading_sql(connection.vendor), [pk])
    return _heading_from(rows[0]) if rows else None


def cohort_heading_and_counts(
    pk: int, query: ApplicationQuery
) -> tuple[Cohort | None, dict[str, int] | None]:
    """`cohort_heading` and `cohort_application_state_counts` in one query, when the counts can
    be written out (no search); otherwise the heading and None for the counts. (None, None)
    when there is no such cohort."""
    if query.search.strip() or not -_BIGINT <= pk < _BIGINT:
        return cohort_heading(pk), None
    filters, params = _filters_sql(query)
    rows = fetch(_heading_sql(connection.vendor, filters), [pk, *params, pk])
    if not rows:
        return None, None
    counts = dict.fromkeys(ApplicationState.values, 0)
    for *_heading, state, n in rows:
        if state is not None:
            counts[state] = n
    return _heading_from(rows[0]), counts


# What each row of the list shows: `cohort_application_rows` gives dicts with these keys.
LIST_COLUMNS = (
    "pk",
    "state",
    "stage",
    "submitted_at",
    "funding_raised_usd",
    "team_size",
    "startup__name",
    "sector__name",
    "sector__name_zh_hant",
)


def cohort_application_rows(
    *, cohort: Cohort, query: ApplicationQuery, offset: int, limit: int
) -> list[dict]:
    """One window of the list's rows (`LIST_COLUMNS`), in the order of `cohort_applications`.

    Without a search the query is written out, as the per-state counts are: compiling it
    through the ORM costs more than running it, on the page programme managers open most.
    `tests/programmes/test_list_rows.py` holds it to the ORM's rows for every sort, direction
    and filter. With a search, the ORM builds it.
    """
    if limit <= 0:
        return []
    if query.search.strip():
        rows = cohort_applications(cohort=cohort, query=query).values(*LIST_COLUMNS)
        return list(rows[offset : offset + limit])
    sql, params = _rows_sql(query)
    fetched = fetch(sql, [cohort.pk, *params, limit, offset])
    convert = _sqlite_values if connection.vendor == "sqlite" else None
    rows = []
    for values in fetched:
        row = dict(zip(LIST_COLUMNS, values, strict=True))
        if convert:
            convert(row)
        rows.append(row)
    return rows


_CENTS = decimal.Decimal("0.01")
# As Django's SQLite backend reads a DecimalField: 15 significant digits, then the places.
_SQLITE_DECIMALS = decimal.Context(prec=15)


def _sqlite_values(row: dict) -> None:
    """What the ORM makes of SQLite's datetimes (naive, in UTC) and numeric decimals."""
    submitted = row["submitted_at"]
    if submitted is not None:
        row["submitted_at"] = submitted.replace(tzinfo=UTC)
    funding = row["funding_raised_usd"]
    if funding is not None:
        if isinstance(funding, float):
            funding = _SQLITE_DECIMALS.create_decimal_from_float(funding)
        row["funding_raised_usd"] = decimal.Decimal(funding).quantize(_CENTS)


def _rows_sql(query: ApplicationQuery) -> tuple[str, list]:
    """The written-out rows query (no search) and its filter and sort parameters; the cohort
    comes first and the limit and offset last."""
    startup = Application._meta.get_field("startup").related_model
    sql = (
        "SELECT a.id, a.state, a.stage, a.submitted_at, a.funding_raised_usd, a.team_size,"  # noqa: S608
        f" s.name, t.name, t.name_zh_hant FROM {table(Application)} a"
        f" INNER JOIN {table(startup)} s ON s.id = a.startup_id"
        f" LEFT OUTER JOIN {table(Sector)} t ON t.id = a.sector_id WHERE a.cohort_id = %s"
    )
    filters, params = _filters_sql(query)
    sql += filters
    if query.state == STATE_ALL_BUT_DRAFTS:
        sql += " AND a.state <> %s"
        params.append(ApplicationState.DRAFT)
    elif query.state != STATE_ALL:
        sql += " AND a.state = %s"
        params.append(query.state)
    key = query.sort.removeprefix("-")
    if key not in _ROW_SORTS:
        key, descending = "submitted", True
    else:
        descending = query.sort.startswith("-")
    expression, sort_params = _ROW_SORTS[key]
    direction = "DESC" if descending else "ASC"
    # NULLS LAST: PostgreSQL and every SQLite that Django 5.2 supports (3.31 and later).
    sql += f" ORDER BY {expression} {direction} NULLS LAST, a.id ASC LIMIT %s OFFSET %s"
    return sql, params + sort_params


def _filters_sql(query: ApplicationQuery) -> tuple[str, list]:
    """The sector and stage filters, on the applications aliased `a` (rows and counts)."""
    sql, params = "", []
    if query.sector is not None:
        sql += " AND a.sector_id = %s"
        params.append(query.sector.pk)
    if query.stage:
        sql += " AND a.stage = %s"
        params.append(query.stage)
    return sql, params


def _rank_sql(column: str, values: list[str]) -> tuple[str, list]:
    """`_choice_rank` written out: the position of the value among the choices."""
    whens = " ".join(f"WHEN {column} = %s THEN {rank}" for rank in range(len(values)))
    return f"(CASE {whens} ELSE {len(values)} END)", list(values)


# `APPLICATION_SORTS` written out: (expression, its parameters) per column key.
_ROW_SORTS = {
    "startup": ("LOWER(s.name)", []),
    "sector": ("LOWER(t.name)", []),
    "stage": _rank_sql("a.stage", Stage.values),
    "state": _rank_sql("a.state", ApplicationState.values),
    "submitted": ("a.submitted_at", []),
    "funding": ("a.funding_raised_usd", []),
    "team": ("a.team_size", []),
}


def cohort_application_state_counts(*, cohort: Cohort, query: ApplicationQuery) -> dict[str, int]:
    """How many applications match the other filters, per state, in one query.

    Without a search (the list as it opens, and most filtering) the query is written out:
    the list is the page programme managers open most, and building this GROUP BY through
    the ORM costs more than running it. With a search, the ORM builds it from
    `cohort_applications_matching`, which the rows use too.
    """
    counts = dict.fromkeys(ApplicationState.values, 0)
    if query.search.strip():
        matching = cohort_applications_matching(cohort=cohort, query=query, with_state=False)
        rows = matching.order_by().values_list("state").annotate(n=Count("pk"))
    else:
        filters, params = _filters_sql(query)
        sql = (
            f"SELECT a.state, COUNT(*) FROM {table(Application)} a"  # noqa: S608
            f" WHERE a.cohort_id = %s{filters} GROUP BY a.state"
        )
        rows = fetch(sql, [cohort.pk, *params])
    counts.update(dict(rows))
    return counts


def application_history(application: Application) -> list[AuditEntry]:
    """The application's audit trail without the views: creation, edits and state changes."""
    entries = list(
        AuditEntry.objects.filter(
            target_type=application._meta.label_lower, target_id=str(application.pk)
        )
        .exclude(action__startswith="application.viewed")
        .order_by("at", "id")
    )
    labels = dict(ApplicationState.choices)
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        entry.state_from = labels.get(data.get("from"), "")
        entry.state_to = labels.get(data.get("to"), "")
    return entries


def application_recent_views(application: Application, limit: int = 10) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type=application._meta.label_lower,
            target_id=str(application.pk),
            action__startswith="application.viewed",
        ).order_by("-at", "-id")[:limit]
    )


SECTORS_CACHE_KEY = "programmes:sectors"
# Sectors change a few times a year; each process may show a new one up to this late.
SECTORS_CACHE_SECONDS = 60


def sectors() -> list[Sector]:
    """The sector taxonomy, sorted by name, from the cache when it is there."""
    cached = cache.get(SECTORS_CACHE_KEY)
    if cached is None:
        cached = list(Sector.objects.order_by("name"))
        cache.set(SECTORS_CACHE_KEY, cached, SECTORS_CACHE_SECONDS)
    return cached


def sectors_forget(**kwargs) -> None:
    """Drop the cached taxonomy; connected to Sector's save and delete in apps.py."""
    cache.delete(SECTORS_CACHE_KEY)
