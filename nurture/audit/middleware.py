from .context import RequestOrigin, current_origin


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the proxy's address behind a reverse proxy; operations.md explains how to
    # pass the client's address through (for example gunicorn's --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = RequestOrigin(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
