"""One error format for the whole API: {"detail": ..., "code": ..., "errors": [...]}.

`errors` lists {"field": ..., "message": ...} pairs; `field` is null for errors that belong
to no single field. Every message is translated into the request's language.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from nurture.applications.services import ApplicationError
from nurture.startups.services import StartupError

# A state or deadline conflict: the request was well formed but the application's state
# (or the call's dates) refuses it.
CONFLICT_CODES = frozenset(
    {"call_closed", "call_not_open", "not_draft", "duplicate", "not_withdrawable", "not_withdrawn"}
)
# Ninja's request sources, which say nothing to the client about the field itself.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})


class ApiError(Exception):
    """Raised by endpoints for a refusal that no other exception describes."""

    def __init__(self, status: int, detail: str, *, code: str, errors: list | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or []


def error_body(detail: str, *, code: str, errors: list | None = None) -> dict:
    return {"detail": str(detail), "code": code, "errors": errors or []}


def field_error(field: str | None, message) -> dict:
    return {"field": field, "message": str(message)}


def application_error_status(error: ApplicationError) -> int:
    if error.code == "forbidden":
        return 403
    if error.code in CONFLICT_CODES:
        return 409
    return 422


def validation_errors(error: DjangoValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            field_error(None if name == "__all__" else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [field_error(None, message) for message in error.messages]


def _field_from_loc(loc) -> str | None:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    # Body schemas are all declared as a parameter named "payload".
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    if parts == ["payload"]:
        return None
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    def respond(request, status: int, body: dict) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError):
        body = error_body(exc.detail, code=exc.code, errors=exc.errors)
        return respond(request, exc.status, body)

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError):
        errors = [field_error(problem.field, problem.message) for problem in exc.problems]
        return respond(
            request,
            application_error_status(exc),
            error_body(exc.message, code=exc.code, errors=errors),
        )

    @api.exception_handler(StartupError)
    def on_startup_error(request: HttpRequest, exc: StartupError):
        return respond(request, 422, error_body(str(exc), code="invalid"))

    @api.exception_handler(DjangoValidationError)
    def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError):
        return respond(
            request,
            422,
            error_body(
                _("Please correct the errors below."),
                code="invalid",
                errors=validation_errors(exc),
            ),
        )

    @api.exception_handler(NinjaValidationError)
    def on_request_validation_error(request: HttpRequest, exc: NinjaValidationError):
        errors = [
            field_error(_field_from_loc(error.get("loc", ())), error.get("msg", ""))
            for error in exc.errors
        ]
        return respond(
            request,
            422,
            error_body(_("The request is not valid."), code="invalid", errors=errors),
        )

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404):
        return respond(request, 404, error_body(_("Not found."), code="not_found"))

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied):
        return respond(
            request, 403, error_body(_("You are not allowed to do this."), code="forbidden")
        )

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
        return respond(
            request,
            401,
            error_body(
                _("Authentication required: send a valid API token or sign in."),
                code="not_authenticated",
            ),
        )

    @api.exception_handler(AuthorizationError)
    def on_authorization_error(request: HttpRequest, exc: AuthorizationError):
        return on_permission_denied(request, exc)

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError):
        return respond(
            request, 400, error_body(_("The request body could not be read."), code="bad_request")
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError):
        # Ninja raises these for an unreadable body (400) and a failed CSRF check (403).
        if exc.status_code == 400:
            detail, code = _("The request body could not be read."), "bad_request"
        elif exc.status_code == 403:
            detail, code = (
                _("CSRF check failed: send the X-CSRFToken header, or use an API token."),
                "csrf_failed",
            )
        else:
            detail, code = str(exc), "error"
        return respond(request, exc.status_code, error_body(detail, code=code))
