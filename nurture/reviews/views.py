"""Review pages: the reviewer's assignments and review form, the panel's phone page, and the
programme staff's round overview, per-application reviews, CSV export and rubric editor.

Reviewer views go through `permissions.assignment_for` (404 for anything not theirs,
including conflicted applications); staff views through `permissions.staff_required`.
"""

import csv
from collections.abc import Iterator
from datetime import datetime

from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nurture.applications.models import Application
from nurture.core.permissions import require
from nurture.programmes.models import Programme
from nurture.reviewers.models import ReviewRound, RoundKind

from . import scoring, selectors, services
from .forms import CriterionForm, ReviewForm, score_field_name
from .models import SCALE, Criterion, Recommendation, Review
from .permissions import (
    assignment_for,
    can_edit_review,
    can_manage_reviews,
    can_manage_rubric,
    can_review,
    edit_refusal,
    reviewer_required,
    staff_required,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _report(request, error: services.ReviewError) -> None:
    messages.error(request, error.message)
    for _field, message in error.problems:
        messages.warning(request, message)


# --- Reviewer ---------------------------------------------------------------------------------


@reviewer_required
@require_GET
def my_assignments(request):
    assignments = list(selectors.reviewer_assignments(request.user))
    rounds: dict[int, dict] = {}
    for assignment in assignments:
        entry = rounds.setdefault(
            assignment.round_id, {"round": assignment.round, "assignments": []}
        )
        entry["assignments"].append(assignment)
    for entry in rounds.values():
        entry["progress"] = selectors.progress(entry["assignments"])
    return render(
        request,
        "reviews/mine.html",
        {"rounds": list(rounds.values()), "now": timezone.now()},
    )


def _review_context(request, assignment, review, form=None) -> dict:
    criteria = services.rubric_ensure(
        programme=assignment.round.cohort.programme, user=request.user
    )
    if form is None:
        form = ReviewForm(initial=ReviewForm.initial_from(review), criteria=criteria)
    rows = selectors.rubric_rows(criteria, review)
    others = selectors.other_reviews(request.user, assignment, review)
    if others is not None:
        others = [(r, selectors.rubric_rows(criteria, r)) for r in others]
    refusal = edit_refusal(request.user, assignment, review)
    return {
        "assignment": assignment,
        "application": assignment.application,
        "round": assignment.round,
        "review": review,
        "form": form,
        "rubric": [(row, form[score_field_name(row.criterion.pk)]) for row in rows],
        "rows": rows,
        "others": others,
        "editable": refusal is None,
        "refusal": refusal,
        "now": timezone.now(),
    }


@reviewer_required
@require_GET
def assignment_detail(request, pk):
    assignment = assignment_for(request.user, pk)
    review = selectors.review_of(assignment)
    return render(request, "reviews/assignment.html", _review_context(request, assignment, review))


@reviewer_required
@require_POST
def review_save(request, pk):
    """Save the draft (the button, or htmx's autosave on every change) or submit it."""
    assignment = assignment_for(request.user, pk)
    criteria = services.rubric_ensure(
        programme=assignment.round.cohort.programme, user=request.user
    )
    form = ReviewForm(request.POST, criteria=criteria)
    submit = "submit" in request.POST
    autosave = bool(request.htmx)
    error = None
    review = None
    if form.is_valid():
        try:
            if submit:
                review = services.review_submit(
                    user=request.user, assignment=assignment, changes=form.changes()
                )
            else:
                review = services.review_save(
                    user=request.user, assignment=assignment, changes=form.changes()
                )
        except services.ReviewError as exc:
            error = exc
            for field, message in exc.problems:
                form.add_error(form.field_for(field), message)
    else:
        error = services.ReviewError(
            _("Please correct the review."),
            problems=[
                (name, f"{form.fields[name].label}: {message}" if name in form.fields else message)
                for name, messages in form.errors.items()
                for message in messages
            ],
        )
    if autosave:
        status = 200 if error is None else (error.status if error.code != "invalid" else 422)
        return render(
            request,
            "reviews/_autosave.html",
            {"review": review, "error": error, "form": form, "now": timezone.now()},
            status=status,
        )
    if error is None:
        if submit:
            messages.success(request, _("Your review is submitted. Thank you."))
        else:
            messages.success(request, _("Draft saved."))
        return redirect("reviews:assignment", pk=assignment.pk)
    messages.error(request, error.message)
    review = selectors.review_of(assignment)
    context = _review_context(request, assignment, review, form=form)
    status = error.status if error.code != "invalid" else 422
    return render(request, "reviews/assignment.html", context, status=status)


@reviewer_required
@require_GET
def pitch_deck_download(request, pk):
    assignment = assignment_for(request.user, pk)
    application = assignment.application
    if not can_review(request.user, application) or not application.pitch_deck:
        raise Http404
    services.review_record_deck_download(user=request.user, assignment=assignment)
    response = FileResponse(
        application.pitch_deck.open("rb"),
        as_attachment=True,
        filename=application.pitch_deck_filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- Panel ------------------------------------------------------------------------------------


def _panel_round(user, pk) -> ReviewRound:
    round = get_object_or_404(ReviewRound.objects.select_related("cohort"), pk=pk)
    if round.kind != RoundKind.PANEL or not selectors.panel_assignments(user, round):
        raise Http404
    return round


def _panel_next(user, assignment) -> str:
    assignments = selectors.panel_assignments(user, assignment.round)
    ids = [a.pk for a in assignments]
    index = ids.index(assignment.pk) if assignment.pk in ids else -1
    if 0 <= index < len(ids) - 1:
        return reverse("reviews:panel_score", args=[ids[index + 1]])
    return reverse("reviews:panel", args=[assignment.round_id])


@reviewer_required
@require_GET
def panel(request, pk):
    """The panel member's pitches in a panel round, one line each, phone-sized."""
    round = _panel_round(request.user, pk)
    assignments = selectors.panel_assignments(request.user, round)
    reviews = {
        r.assignment_id: r
        for r in Review.objects.filter(assignment__in=[a.pk for a in assignments])
    }
    rows = [(a, reviews.get(a.pk)) for a in assignments]
    return render(request, "reviews/panel.html", {"round": round, "rows": rows})


def _panel_context(request, assignment, review) -> dict:
    criteria = services.rubric_ensure(
        programme=assignment.round.cohort.programme, user=request.user
    )
    assignments = selectors.panel_assignments(request.user, assignment.round)
    ids = [a.pk for a in assignments]
    index = ids.index(assignment.pk)
    return {
        "assignment": assignment,
        "application": assignment.application,
        "round": assignment.round,
        "review": review,
        "rows": selectors.rubric_rows(criteria, review),
        "scale": SCALE,
        "recommendations": Recommendation.choices,
        "editable": can_edit_review(request.user, assignment, review),
        "position": index + 1,
        "count": len(ids),
        "previous": ids[index - 1] if index > 0 else None,
        "next": ids[index + 1] if index < len(ids) - 1 else None,
    }


@reviewer_required
@require_GET
def panel_score(request, pk):
    assignment = assignment_for(request.user, pk)
    if assignment.round.kind != RoundKind.PANEL:
        return redirect("reviews:assignment", pk=assignment.pk)
    review = selectors.review_of(assignment)
    return render(request, "reviews/panel_score.html", _panel_context(request, assignment, review))


@reviewer_required
@require_POST
def panel_tap(request, pk):
    """One tap on the panel page: a score, the recommendation or the confidence. Saves at
    once and answers with the updated scoring card (htmx swaps it)."""
    assignment = assignment_for(request.user, pk)
    field = request.POST.get("field", "")
    value = request.POST.get("value", "")
    if field == "submit":
        try:
            services.review_submit(user=request.user, assignment=assignment)
        except services.ReviewError as error:
            _report(request, error)
            return redirect("reviews:panel_score", pk=assignment.pk)
        messages.success(request, _("Your scores are submitted."))
        return redirect(_panel_next(request.user, assignment))
    if field in ("recommendation", "confidence"):
        changes = {field: value}
    elif field.isdigit():
        changes = {"scores": {field: value}}
    else:
        changes = {"unknown": value}
    try:
        review = services.review_save(user=request.user, assignment=assignment, changes=changes)
        status, error = 200, None
    except services.ReviewError as exc:
        review = selectors.review_of(assignment)
        status, error = exc.status, exc
    review = selectors.review_of(assignment) if review is not None else None
    context = _panel_context(request, assignment, review)
    context["error"] = error
    context["saved"] = error is None
    if request.htmx:
        return render(request, "reviews/_panel_card.html", context, status=status)
    if error is not None:
        _report(request, error)
    return redirect("reviews:panel_score", pk=assignment.pk)


# --- Staff ------------------------------------------------------------------------------------


@staff_required
@require_GET
def round_list(request):
    require(can_manage_reviews(request.user))
    return render(
        request,
        "reviews/round_list.html",
        {
            "rounds": list(selectors.rounds_overview()),
            "programmes": list(Programme.objects.order_by("-is_active", "name")),
        },
    )


def _round(pk) -> ReviewRound:
    return get_object_or_404(ReviewRound.objects.select_related("cohort__programme"), pk=pk)


@staff_required
@require_GET
def round_detail(request, pk):
    round = _round(pk)
    require(can_manage_reviews(request.user, round))
    reviewers, applications = selectors.round_completion(round)
    assigned = sum(r["assigned"] for r in reviewers)
    submitted = sum(r["submitted"] for r in reviewers)
    return render(
        request,
        "reviews/round_detail.html",
        {
            "round": round,
            "reviewers": reviewers,
            "applications": applications,
            "assigned": assigned,
            "submitted": submitted,
            "percent": round_percent(submitted, assigned),
            "recommendations": Recommendation.choices,
        },
    )


def round_percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


@staff_required
@require_GET
def round_application(request, pk, application_pk):
    round = _round(pk)
    require(can_manage_reviews(request.user, round))
    application = get_object_or_404(
        Application.objects.select_related("startup", "sector", "cohort"), pk=application_pk
    )
    pairs = selectors.application_reviews(round, application)
    if not pairs:
        raise Http404
    criteria = selectors.round_criteria(round)
    reviews = [(a, r, selectors.rubric_rows(criteria, r) if r else []) for a, r in pairs]
    stats = scoring.summary(r.weighted_total for _a, r in pairs if r and r.is_submitted)
    return render(
        request,
        "reviews/round_application.html",
        {
            "round": round,
            "application": application,
            "reviews": reviews,
            "criteria": criteria,
            "stats": stats,
        },
    )


@staff_required
@require_POST
def review_reopen(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("assignment__round", "assignment__reviewer"), pk=pk
    )
    require(can_manage_reviews(request.user, review.assignment.round))
    try:
        services.review_reopen(user=request.user, review=review)
    except services.ReviewError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("The review is a draft again; %(reviewer)s can change it and submit it again.")
            % {"reviewer": review.assignment.reviewer.email},
        )
    return redirect(
        "reviews:round_application",
        pk=review.assignment.round_id,
        application_pk=review.assignment.application_id,
    )


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _export_rows(round: ReviewRound, criteria: list[Criterion]) -> Iterator[list]:
    for assignment in selectors.round_assignments(round):
        review = selectors._review(assignment)
        scores = {s.criterion_id: s.value for s in review.scores.all()} if review else {}
        yield [
            assignment.application_id,
            assignment.application.startup.name,
            assignment.reviewer.full_name or "",
            assignment.reviewer.email,
            str(review.get_state_display()) if review else _("Not started"),
            *[scores.get(c.pk) for c in criteria],
            review.weighted_total if review else None,
            str(review.get_recommendation_display()) if review and review.recommendation else "",
            review.confidence if review else None,
            review.comment if review else "",
            review.feedback if review else "",
            review.submitted_at if review else None,
        ]


@staff_required
@require_GET
def round_export(request, pk):
    """Every assignment of the round with its scores, as CSV (audited)."""
    round = _round(pk)
    require(can_manage_reviews(request.user, round))
    criteria = selectors.round_criteria(round)
    headers = [
        _("Application id"),
        _("Startup"),
        _("Reviewer"),
        _("Reviewer e-mail"),
        _("State"),
        *[f"{c.display_label} ({c.key})" for c in criteria],
        _("Weighted total"),
        _("Recommendation"),
        _("Confidence"),
        _("Comment for staff"),
        _("Feedback for the founders"),
        _("Submitted (Hong Kong time)"),
    ]
    services.review_export_record(user=request.user, round=round, rows=round.assignments.count())

    def stream() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"
        yield writer.writerow([str(h) for h in headers])
        for row in _export_rows(round, criteria):
            yield writer.writerow([_csv_cell(v) for v in row])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reviews-round-{round.pk}-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Rubric -----------------------------------------------------------------------------------


@staff_required
@require_GET
def rubric(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    require(can_manage_rubric(request.user, programme))
    services.rubric_ensure(programme=programme, user=request.user)
    criteria = list(
        Criterion.objects.filter(programme=programme)
        .prefetch_related("anchors")
        .order_by("-active", "position", "id")
    )
    shares = scoring.normalised_weights({c.pk: c.weight for c in criteria if c.active})
    return render(
        request,
        "reviews/rubric.html",
        {
            "programme": programme,
            "criteria": [(c, shares.get(c.pk)) for c in criteria],
            "locked": services.rubric_lock_reason(programme),
        },
    )


def _criterion_form_page(request, programme, criterion):
    form = CriterionForm(request.POST or None, criterion=criterion)
    locked = services.rubric_lock_reason(programme)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if criterion is None:
                    services.criterion_create(
                        user=request.user,
                        programme=programme,
                        data=form.data_fields(),
                        anchors=form.anchors(),
                    )
                else:
                    services.criterion_update(
                        user=request.user,
                        criterion=criterion,
                        data=form.data_fields(),
                        anchors=form.anchors(),
                    )
            except services.ReviewError as error:
                form.add_error(None, error.message)
                for field, message in error.problems:
                    form.add_error(field if field in form.fields else None, message)
                status = error.status
            else:
                messages.success(request, _("The rubric is saved."))
                return redirect("reviews:rubric", pk=programme.pk)
        else:
            status = 422
    return render(
        request,
        "reviews/criterion_form.html",
        {"programme": programme, "criterion": criterion, "form": form, "locked": locked},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def criterion_create(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    require(can_manage_rubric(request.user, programme))
    return _criterion_form_page(request, programme, None)


@staff_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk):
    criterion = get_object_or_404(
        Criterion.objects.select_related("programme").prefetch_related("anchors"), pk=pk
    )
    require(can_manage_rubric(request.user, criterion.programme))
    return _criterion_form_page(request, criterion.programme, criterion)


@staff_required
@require_POST
def criterion_toggle(request, pk):
    criterion = get_object_or_404(Criterion.objects.select_related("programme"), pk=pk)
    require(can_manage_rubric(request.user, criterion.programme))
    try:
        services.criterion_set_active(
            user=request.user, criterion=criterion, active=not criterion.active
        )
    except services.ReviewError as error:
        _report(request, error)
    else:
        messages.success(request, _("The rubric is saved."))
    return redirect("reviews:rubric", pk=criterion.programme_id)
