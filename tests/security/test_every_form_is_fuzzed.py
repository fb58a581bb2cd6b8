"""Every web page that takes a POST is fuzzed: a form has a target in
tests/security/fuzzing.FORM_TARGETS (Hypothesis mutates a valid submission of it; see
test_fuzz.py), and a button without fields is listed in ACTION_ONLY below, where it gets
hostile extra fields instead.

Which URLs take a POST, and which of those read fields, is read from the views themselves:
the URL resolver gives each URL's view; a class-based view takes a POST if it has `post()`
and has fields if it has a `form_class`; a function view takes a POST unless it is
`@require_GET` (or `@require_http_methods` without POST), and has fields if it, or a helper
of its module that it calls, reads `request.POST` or `request.FILES`. The role matrix
(tests/authz) is a second opinion: a URL it checks with a POST must take one.

A new form without a target fails `test_every_form_has_a_fuzz_target`, saying what to add.
"""

import ast
import importlib
import inspect
import pkgutil
import sys
from functools import cache

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import authz
from tests.authz import LOGIN, SKIPPED_NAMESPACES
from tests.security import fuzzing

# POSTs that are a button: the view reads no field of the request (its URL names the object
# and the action). Each gets hostile extra fields in test_an_action_ignores_hostile_fields.
ACTION_ONLY = {
    "accounts:verify": "confirms the e-mail address of the token in the URL",
    "accounts:logout": "signs out",
    "accounts:two_factor_backup_codes": "shows new backup codes",
    "accounts:two_factor_off": "turns two-factor authentication off",
    "accounts:token_revoke": "revokes the token in the URL",
    "privacy:unsubscribe": "one-click opt-out (RFC 8058) for the signed token in the URL",
    "privacy:marketing_send": "sends the message in the URL",
    "startups:invitation_revoke": "revokes the invitation in the URL",
    "startups:invitation": "accepts the invitation of the token in the URL",
    "applications:submit": "submits the draft",
    "applications:withdraw": "withdraws the application",
    "applications:reopen": "reopens a withdrawn application as a draft",
    "funding:schedules_create": "draws up the cohort's schedules",
    "compute:booking_cancel": "cancels the GPU booking",
    "workspace:booking_cancel": "cancels the room booking",
    "workspace:allocation_withdraw": "withdraws a desk allocation not yet started",
    "reviewers:run_start": "starts an assignment run",
    "reviewers:round_publish": "publishes the round's assignment",
    "reviewers:panel_assign": "assigns the panel to every shortlisted application",
    "reviewers:pair_remove": "removes a reviewer from an application",
    "reviews:review_reopen": "reopens a submitted review",
    "reviews:criterion_toggle": "switches a criterion on or off",
    "selection:proposal_run": "asks the optimiser for a proposal",
    "selection:send": "sends the recorded decisions",
    "selection:replacement_confirm": "offers the places a proposal fills from the waitlist",
}

ROLE_ORDER = ("member", "reviewer", "finance", "manager", "admin", "partner", "anonymous")


# --- reading the views ------------------------------------------------------------------------


def url_views(patterns=None, namespace=""):
    """(URL name, view callback) of every named web URL (not the admin, not the API)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


@cache
def _functions(module_name: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _source_with_helpers(node: ast.FunctionDef, functions: dict) -> str:
    """The function's code and that of the module's functions it uses, transitively (a view
    often hands request.POST to a helper such as `_decide`)."""
    seen, todo, parts = set(), [node], []
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        parts.append(ast.unparse(current))
        todo += [
            functions[n.id]
            for n in ast.walk(current)
            if isinstance(n, ast.Name) and n.id in functions and n.id not in seen
        ]
    return "\n".join(parts)


def view_kind(callback) -> tuple[bool, bool]:
    """(takes a POST, reads fields of it)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        takes_post = hasattr(view_class, "post")
        return takes_post, takes_post and getattr(view_class, "form_class", None) is not None
    if callback.__module__.startswith("django."):
        inner = inspect.unwrap(callback)
        source = inspect.getsource(inner)
        return "POST" in source, "request.POST" in source
    functions = _functions(callback.__module__)
    # Decorators of the project (staff_required, role_required) name their wrapper after the
    # view, so the module's function of that name is the view itself.
    node = functions[callback.__name__]
    decorators = [ast.unparse(d) for d in node.decorator_list]
    body = _source_with_helpers(node, functions)
    if "require_GET" in decorators or "require_safe" in decorators:
        takes_post = False
    elif "require_POST" in decorators:
        takes_post = True
    elif allowed := [d for d in decorators if d.startswith("require_http_methods")]:
        takes_post = any("POST" in d for d in allowed)
    else:
        takes_post = "POST" in body
    return takes_post, "request.POST" in body or "request.FILES" in body


def _matrix() -> dict:
    rows = {}
    for info in pkgutil.iter_modules(authz.__path__):
        rows.update(importlib.import_module(f"{authz.__name__}.{info.name}").ROWS)
    return rows


def _kinds() -> dict[str, tuple[bool, bool]]:
    return {name: view_kind(callback) for name, callback in url_views()}


# --- the guard --------------------------------------------------------------------------------


def unfuzzed(targets, action_only) -> list[str]:
    """What is wrong with the coverage of POSTs by `targets` and `action_only`, one line each."""
    targeted = {target.view for target in targets}
    kinds = _kinds()
    posts = {name for name, (takes_post, _fields) in kinds.items() if takes_post}
    posts |= {name for name, row in _matrix().items() if row[0] == "post"}
    problems = [
        f"{name} takes a POST but is not fuzzed: add a FormTarget(view={name!r}, ...) to "
        "FORM_TARGETS in tests/security/fuzzing.py (its role, a valid submission, the tables "
        "and rows a refusal must leave alone), or, if it is a button without fields, list it "
        "in ACTION_ONLY in tests/security/test_every_form_is_fuzzed.py with what it does."
        for name in sorted(posts - targeted - set(action_only))
    ]
    problems += [
        f"{name} is in ACTION_ONLY but reads fields of the request: give it a FormTarget."
        for name in sorted(action_only)
        if kinds.get(name, (False, False))[1]
    ]
    problems += [
        f"{name} is listed (FORM_TARGETS or ACTION_ONLY) but no such URL takes a POST."
        for name in sorted((targeted | set(action_only)) - posts)
    ]
    return problems


def test_every_form_has_a_fuzz_target():
    problems = unfuzzed(fuzzing.FORM_TARGETS, ACTION_ONLY)
    assert problems == [], "\n".join(problems)


def test_a_form_without_a_target_is_named():
    """The guard can fail: without the tokens form's target, or with a form passed off as a
    button, it says which URL and what to do."""
    without = [t for t in fuzzing.FORM_TARGETS if t.view != "accounts:tokens"]
    problems = unfuzzed(without, ACTION_ONLY)
    assert len(problems) == 1
    assert problems[0].startswith("accounts:tokens takes a POST but is not fuzzed")
    assert unfuzzed(without, {**ACTION_ONLY, "accounts:tokens": "a form"}) == [
        "accounts:tokens is in ACTION_ONLY but reads fields of the request: give it a FormTarget."
    ]


def test_every_target_names_its_url():
    assert [t.name for t in fuzzing.FORM_TARGETS if not t.view] == []


@pytest.mark.parametrize(
    "name, expected",
    [
        ("core:calls", (False, False)),  # @require_GET
        ("accounts:login", (True, True)),  # a class-based view with a form_class
        ("accounts:tokens", (True, True)),  # a form in the view itself
        ("funding:disbursement_approve", (True, True)),  # the form read in a helper
        ("compute:inventory_edit", (True, True)),  # behind the app's staff_required
        ("applications:submit", (True, False)),  # a button
        ("set_language", (True, True)),  # Django's own view
    ],
)
def test_the_views_are_read_right(name, expected):
    """The guard is only as good as its reading of the views: known cases of each kind."""
    assert _kinds()[name] == expected


# --- buttons: hostile extra fields ------------------------------------------------------------


def _allowed_role(expected: dict) -> str:
    for role in ROLE_ORDER:
        if expected[role] not in (LOGIN, 403, 404):
            return role
    raise AssertionError(f"no role may use it: {expected}")


@pytest.fixture
def world(db, settings):
    settings.AXES_FAILURE_LIMIT = 10_000
    return fuzzing.world_build()


hostile_fields = st.dictionaries(
    st.one_of(fuzzing.text, st.sampled_from(["next", "reason", "id", "pk", "csrfmiddlewaretoken"])),
    fuzzing.hostile_value,
    max_size=4,
)


@pytest.mark.parametrize("name", sorted(ACTION_ONLY))
def test_an_action_ignores_hostile_fields(name, world):
    """A button posted with junk fields (and a second time, when its action is done) answers
    below 500, for the role that may press it."""
    from django.test import Client

    _method, args, expected = _matrix()[name]
    role = _allowed_role(expected)
    url = reverse(name, args=args(world.ns))

    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=hostile_fields)
    def check(data):
        client = Client(raise_request_exception=True)
        user = world.ns.users[role]
        if user is not None:
            fuzzing.sign_in(client, user)
        response = client.post(url, data)
        assert response.status_code < 500, (name, role, data)

    check()
