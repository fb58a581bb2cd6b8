"""`Idempotency-Key` for the API's writes: a retry gets the first answer, and no second effect.

Usage, on any django-ninja write operation (above or below the router's decorator):

    from nurture.api.idempotency import idempotent

    @router.post("/bookings", response={201: schemas.Booking, **_ERRORS})
    @idempotent
    def booking_create(request, payload: schemas.BookingCreate): ...

A request without the header runs as before. With it:

- The key belongs to the authenticated user; it is 1 to 200 visible ASCII characters (a UUID
  is a good choice), otherwise 422 `idempotency_key_invalid`.
- The operation runs in one database transaction together with the storing of its answer, so
  either the effect and the stored answer both exist, or neither does. The transaction
  begins after authentication, which commits on its own.
- The same key, user, method, path (with its query) and body again: the stored status and body
  are sent back with the header `Idempotent-Replayed: true`, and the operation does not run.
  JSON bodies are compared in canonical form (key order and spacing do not matter), multipart
  bodies by their fields and the contents of their files (the boundary does not matter).
- The same key with another body, method or path: 422 `idempotency_key_reused`; nothing runs.
- Two requests with one key at once: the second waits (on the unique index, PostgreSQL; on
  the write lock, SQLite) until the first commits, then gets its answer replayed; if the first
  takes longer than IDEMPOTENCY_WAIT_SECONDS (10 s by default), 409 `idempotency_in_progress`
  with `Retry-After`.
- Only answers are stored: when the operation raises (a refusal that the API's error handlers
  turn into 4xx, or a crash that becomes 500) or answers 5xx, 409 or 429, everything it did is
  rolled back, nothing is stored, and a retry runs it again.
- Keys are forgotten after IDEMPOTENCY_TTL_HOURS (24 by default): an expired key starts afresh,
  and `nurture idempotency-purge` deletes the expired rows (run it daily).
"""

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection
from django.db.transaction import Atomic, atomic, set_rollback
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view

from .errors import ApiError
from .models import IdempotentResponse

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,200}")
# Headers of the first answer that a replay repeats (besides Content-Type).
KEPT_HEADERS = ("Location", "Content-Disposition", "Content-Language")
# Answers that say "try again later" rather than answer the request; never stored.
TRANSIENT_STATUSES = frozenset({408, 409, 423, 425, 429})


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_TTL_HOURS", 24))


def wait_seconds() -> float:
    return float(getattr(settings, "IDEMPOTENCY_WAIT_SECONDS", 10))


@dataclass
class _Call:
    """One request's passage through the wrapper, shared by its outer and inner parts."""

    key: str
    owner: str = ""
    user_id: int | None = None
    fingerprint: str = ""
    reserved: bool = False
    replayed: bool = False
    failed: bool = False
    busy: bool = False
    transaction: Atomic | None = None


def idempotent(func):
    """Make a django-ninja operation honour the `Idempotency-Key` header (see module docs)."""
    return decorate_view(_wrap_run)(func)


def idempotency_purge(*, now=None) -> int:
    """Delete stored answers older than the TTL; returns how many."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _by_model = IdempotentResponse.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- The two halves -------------------------------------------------------------------------


def _wrap_run(run):
    """Wraps `Operation.run`: the transaction around the whole operation and the storing."""
    operation = getattr(run, "__self__", None)
    if operation is None:  # pragma: no cover - ninja always passes the bound method
        raise TypeError("@idempotent must be applied to a django-ninja operation.")
    _wrap_view(operation)
    _document(operation)

    @wraps(run)
    def wrapped(request: HttpRequest, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return run(request, *args, **kwargs)
        call = _Call(key=key)
        request._idempotency = call
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            if call.transaction is not None:
                call.transaction.__exit__(*sys.exc_info())
            raise
        if call.busy:
            response["Retry-After"] = "1"
        if call.transaction is None:
            return response  # refused before the transaction began (or never reached)
        try:
            if call.failed or response.status_code >= 500 or _transient(response):
                # A refusal or a crash: nothing it did stays, and a retry runs again.
                set_rollback(True)
            elif call.reserved:
                _store(call, request, response)
        except BaseException:
            call.transaction.__exit__(*sys.exc_info())
            raise
        call.transaction.__exit__(None, None, None)
        return response

    return wrapped


def _wrap_view(operation) -> None:
    """Wraps the view function: runs after authentication, so the key's owner is known."""
    view = operation.view_func
    if getattr(view, "_idempotent", False):
        return  # shared by the operation's clones

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        call: _Call | None = getattr(request, "_idempotency", None)
        if call is None:
            return view(request, *args, **kwargs)
        try:
            _begin(call)
            replay = _reserve(call, request)
            if replay is not None:
                call.replayed = True
                return replay
            return view(request, *args, **kwargs)
        except BaseException:
            call.failed = True
            raise

    wrapped._idempotent = True
    operation.view_func = wrapped


def _begin(call: _Call) -> None:
    """Open the transaction that holds the operation and its stored answer.

    It begins here, after authentication, rather than around the whole of `Operation.run`:
    what authentication writes (a token's last use) commits on its own and holds no lock
    while the operation runs. The outer half of the wrapper closes it.
    """
    transaction = atomic()
    try:
        transaction.__enter__()
    except OperationalError as error:
        # SQLite: the write lock was not free within its timeout (a long duplicate).
        if "locked" in str(error):
            call.busy = True
            raise _busy() from None
        raise
    call.transaction = transaction


def _document(operation) -> None:
    extra = operation.openapi_extra or {}
    parameters = extra.setdefault("parameters", [])
    if not any(parameter.get("name") == HEADER for parameter in parameters):
        parameters.append(
            {
                "in": "header",
                "name": HEADER,
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": (
                    "Send the same key again to retry safely: the first answer is replayed "
                    "and nothing happens twice. Keys last 24 hours."
                ),
            }
        )
    operation.openapi_extra = extra


# --- Reserving, replaying, storing ----------------------------------------------------------


def _reserve(call: _Call, request: HttpRequest) -> HttpResponse | None:
    """Claim the key for this request, or return the stored answer to replay.

    Raises ApiError for a malformed key, a key reused for another request, or a duplicate
    still running after the wait.
    """
    if not KEY_PATTERN.fullmatch(call.key):
        raise ApiError(
            422,
            _("The Idempotency-Key header must be 1 to 200 visible ASCII characters."),
            code="idempotency_key_invalid",
        )
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # Only authenticated writes take a key: there is no one to scope it to otherwise.
        raise ApiError(
            422,
            _("The Idempotency-Key header needs an authenticated request."),
            code="idempotency_key_invalid",
        )
    call.owner = f"user-{user.pk}"
    call.user_id = user.pk
    call.fingerprint = _fingerprint(request)
    now = timezone.now()
    for _attempt in range(2):
        try:
            with atomic(), _lock_wait():
                IdempotentResponse.objects.create(
                    owner=call.owner,
                    key=call.key,
                    user_id=call.user_id,
                    method=request.method,
                    path=request.get_full_path()[:2000],
                    fingerprint=call.fingerprint,
                    # Overwritten by _store with the real answer in the same transaction.
                    status=0,
                    created_at=now,
                )
            call.reserved = True
            return None
        except IntegrityError:
            stored = IdempotentResponse.objects.filter(owner=call.owner, key=call.key).first()
            if stored is None:
                continue  # the other request rolled back meanwhile: claim the key again
            if stored.created_at < now - ttl():
                stored.delete()
                continue
            if stored.fingerprint != call.fingerprint:
                raise ApiError(
                    422,
                    _(
                        "This Idempotency-Key was already used for a different request "
                        "(%(method)s %(path)s with another body). Use a new key for a new "
                        "request."
                    )
                    % {"method": stored.method, "path": stored.path},
                    code="idempotency_key_reused",
                ) from None
            return _replay(stored)
        except OperationalError:
            # PostgreSQL's lock_timeout: the first request with this key is still running.
            call.busy = True
            raise _busy() from None
    call.busy = True
    raise _busy()


class _lock_wait:
    """On PostgreSQL, wait at most IDEMPOTENCY_WAIT_SECONDS for a duplicate to finish."""

    def __enter__(self):
        self.previous = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('lock_timeout')")
                self.previous = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    [f"{int(wait_seconds() * 1000)}ms"],
                )
        return self

    def __exit__(self, *exc_info):
        if self.previous is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [self.previous])
            except DatabaseError:
                pass  # the surrounding savepoint is rolling back, taking the setting with it
        return False


def _busy() -> ApiError:
    error = ApiError(
        409,
        _("A request with this Idempotency-Key is still being processed. Try again in a moment."),
        code="idempotency_in_progress",
    )
    return error


def _transient(response) -> bool:
    return response.status_code in TRANSIENT_STATUSES


def _replay(stored: IdempotentResponse) -> HttpResponse:
    response = HttpResponse(
        bytes(stored.body),
        status=stored.status,
        content_type=stored.content_type or None,
    )
    for name, value in stored.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _store(call: _Call, request: HttpRequest, response) -> None:
    if isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
        body = b""  # a stream cannot be replayed byte for byte; its status still is
    else:
        body = bytes(response.content)
    IdempotentResponse.objects.filter(owner=call.owner, key=call.key).update(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        body=body,
    )


# --- What counts as "the same request" ------------------------------------------------------


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        fields = sorted(
            (name, value) for name in request.POST for value in request.POST.getlist(name)
        )
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(b"\0file\0" + name.encode() + b"\0")
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        body = request.body
        try:
            canonical = json.dumps(
                json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
        except ValueError:
            canonical = body
        digest.update(canonical)
    return digest.hexdigest()
