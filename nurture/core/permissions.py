"""The two building blocks of every page's permission check, shared by all apps.

Each app states *who* may do what in its own `permissions.py` (predicates such as
`can_manage_compute(user)`); these helpers turn a predicate into a refusal:

- `role_required(predicate)` guards a view by the user's role alone, before any object is
  looked up, so a refused user cannot tell an existing object from a missing one. Anonymous
  users go to the sign-in page; signed-in users whom the predicate refuses get 403.
- `require(allowed)` refuses (403) inside a view, once the object is known.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require(allowed: bool) -> None:
    """Refuse the request (403) unless the predicate allowed it."""
    if not allowed:
        raise PermissionDenied


def role_required(predicate):
    """A view decorator: signed in, and `predicate(user)` true, checked before the view runs."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(predicate(request.user))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
