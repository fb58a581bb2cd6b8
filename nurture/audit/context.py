"""Where the current request comes from, so services can record it without taking a request."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""


# RequestOrigin is frozen, so sharing one default instance is safe.
current_origin: ContextVar[RequestOrigin] = ContextVar(
    "current_origin",
    default=RequestOrigin(),  # noqa: B039
)
