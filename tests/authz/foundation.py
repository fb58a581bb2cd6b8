"""Rows for the foundation: home, accounts, privacy, startups, applications, programmes,
audit."""

from . import REDIRECT, ROLES, founders_only, public, reset_args, signed_in, staff_only, team_only

# name: (method, args(world), expected per role)
ROWS = {
    "core:home": ("get", lambda w: [], public(200, **dict.fromkeys(ROLES[1:], REDIRECT))),
    "core:calls": ("get", lambda w: [], public()),
    "core:dashboard": ("get", lambda w: [], signed_in()),
    "core:healthz": ("get", lambda w: [], public()),
    # Exists only while a benchmark runs (BENCH_BARE_PAGE); otherwise a 404 for everyone.
    "core:bench_bare": ("get", lambda w: [], public(404)),
    "accounts:signup": ("get", lambda w: [], public(200, **dict.fromkeys(ROLES[1:], REDIRECT))),
    "accounts:verify": ("get", lambda w: ["bad-token"], public()),
    "accounts:resend_verification": ("get", lambda w: [], public()),
    "accounts:login": ("get", lambda w: [], public(200, **dict.fromkeys(ROLES[1:], REDIRECT))),
    "accounts:logout": ("post", lambda w: [], public(REDIRECT)),
    "accounts:profile": ("get", lambda w: [], signed_in()),
    "accounts:tokens": ("get", lambda w: [], signed_in()),
    # Only the token's owner finds it; anyone else gets a 404, as if it did not exist.
    "accounts:token_revoke": (
        "post",
        lambda w: [w.member_token.pk],
        signed_in(404, member=REDIRECT),
    ),
    "accounts:password_reset": ("get", lambda w: [], public()),
    "accounts:password_reset_done": ("get", lambda w: [], public()),
    "accounts:password_reset_confirm": ("get", reset_args, public(REDIRECT)),
    "privacy:notice": ("get", lambda w: ["collection"], public()),
    "startups:create": ("get", lambda w: [], founders_only()),
    "startups:detail": ("get", lambda w: [w.startup.pk], team_only(staff=200)),
    "startups:edit": ("get", lambda w: [w.startup.pk], team_only()),
    "startups:invite": ("post", lambda w: [w.startup.pk], team_only(member=REDIRECT)),
    "startups:invitation_revoke": (
        "post",
        lambda w: [w.startup.pk, w.invitation.pk],
        team_only(member=REDIRECT),
    ),
    # Anyone signed in may open an invitation link; it only works for the invited address.
    "startups:invitation": ("get", lambda w: [w.invitation.token], signed_in()),
    "applications:mine": ("get", lambda w: [], signed_in()),
    "applications:start": (
        "post",
        lambda w: [],
        signed_in(REDIRECT),  # the form names the startup; membership is checked then
    ),
    "applications:detail": (
        "get",
        lambda w: [w.application.pk],
        team_only(member=200, staff=REDIRECT),
    ),
    "applications:edit": ("get", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:submit": ("post", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:withdraw": ("post", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:reopen": ("post", lambda w: [w.application.pk], team_only(member=REDIRECT)),
    "applications:pitch_deck": ("get", lambda w: [w.application.pk], team_only(staff=200)),
    "programmes:programme_list": ("get", lambda w: [], staff_only()),
    "programmes:programme_edit": ("get", lambda w: [w.programme.pk], staff_only()),
    "programmes:cohort_list": ("get", lambda w: [], staff_only()),
    "programmes:cohort_create": ("get", lambda w: [], staff_only()),
    "programmes:cohort_edit": ("get", lambda w: [w.cohort.pk], staff_only()),
    "programmes:application_list": ("get", lambda w: [w.cohort.pk], staff_only()),
    "programmes:application_export": ("get", lambda w: [w.cohort.pk, "csv"], staff_only()),
    "programmes:application_detail": ("get", lambda w: [w.application.pk], staff_only()),
    "audit:list": ("get", lambda w: [], staff_only()),
    "audit:export": ("get", lambda w: [], staff_only()),
}
