"""Hypothesis against every form and schemathesis against the API: no 500, nothing
half-saved, nothing of another startup in any answer. The benchmark (bench/fuzz.py) runs the
same fuzzers for longer. tests/security/test_every_form_is_fuzzed.py makes sure every form
of the site has a target here."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import fuzzing

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

# Targets that find a bug in the area they fuzz, until that area is fixed: name -> reason.
# Each bug has its smallest known example in KNOWN_500S below.
KNOWN_FAILURES: dict[str, str] = {}

# Submissions that once answered 500, each the smallest example the fuzzer found: (target,
# fields changed from its valid submission). They must now be refused with a message.
FOUND_BY_FUZZING = [
    # Ids beyond 64 bits in a multiple choice of rows (OverflowError on SQLite), fixed by
    # nurture.core.forms.ModelMultipleChoiceField.
    ("round_create", {"panel": "9223372036854775808"}),
    ("reviewer_profile", {"sectors": "9223372036854775808"}),
    ("reviewer_edit", {"holdings": "9223372036854775808"}),
    ("allocate", {"spaces": "9223372036854775808"}),
]


def _params(targets):
    return [
        pytest.param(
            target,
            id=target.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[target.name])]
            if target.name in KNOWN_FAILURES
            else [],
        )
        for target in targets
    ]


@pytest.fixture
def world(db, settings):
    settings.API_RATE_ANON = settings.API_RATE_USER = "off"
    settings.AXES_FAILURE_LIMIT = 10_000
    return fuzzing.world_build()


def test_target_names_are_unique():
    names = [target.name for target in fuzzing.FORM_TARGETS]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []


@pytest.mark.parametrize(
    "target", [t for t in fuzzing.FORM_TARGETS if t.accepts], ids=lambda t: t.name
)
def test_a_targets_valid_submission_is_accepted(target, world):
    """The fuzzer starts from a submission that really gets through the form, so hostile
    values meet the service and the database rather than a refusal at the door (a login
    redirect, a missing re-authentication, a wrong object)."""
    result = fuzzing.form_post(target, world, target.valid(world))
    assert result.status < 400 and not result.refused, (target.name, result)


@pytest.mark.parametrize("target", _params(fuzzing.FORM_TARGETS))
def test_a_form_refuses_bad_input_without_a_500_or_a_half_save(target, world):
    @FUZZ
    @given(data=st.data())
    def check(data):
        submission = data.draw(fuzzing.form_submission(target, world))
        result = fuzzing.form_post(target, world, submission)
        assert result.status < 500
        assert not result.half_saved, submission
        assert result.leaked == [], submission

    check()


@pytest.mark.parametrize(
    ("name", "change"),
    [pytest.param(*case, id=case[0]) for case in FOUND_BY_FUZZING],
)
def test_what_the_fuzzer_found_is_refused_not_a_500(name, change, world):
    target = next(t for t in fuzzing.FORM_TARGETS if t.name == name)
    result = fuzzing.form_post(target, world, {**target.valid(world), **change})
    assert result.status < 500
    assert result.refused and not result.half_saved


def test_the_api_answers_no_5xx_and_leaks_no_other_startup(world):
    schema = fuzzing.api_schema()
    operations = fuzzing.api_operations(schema)
    assert len(operations) >= 10

    @settings(FUZZ, max_examples=60)
    @given(data=st.data())
    def check(data):
        case = data.draw(fuzzing.api_case(operations, world))
        result = fuzzing.api_call(case, world)
        assert result.status < 500, (case.method, case.formatted_path, case.body)
        assert result.leaked == [], (case.method, case.formatted_path)

    check()
