"""Calibration recovers planted reviewer leniencies and scales, shrinks sparse reviewers,
and flags disagreement."""

import numpy as np
import pytest

from nurture.optimize.calibration import calibrate


def planted(seed, n_apps=300, n_reviewers=30, per_app=4, noise=0.15, scales=False):
    rng = np.random.default_rng(seed)
    merit = rng.normal(3.0, 0.8, n_apps)
    leniency = rng.normal(0.0, 0.6, n_reviewers)
    scale = np.exp(rng.normal(0.0, 0.3, n_reviewers)) if scales else np.ones(n_reviewers)
    scale /= np.exp(np.log(scale).mean())
    apps = np.repeat(np.arange(n_apps), per_app)
    revs = np.concatenate([rng.choice(n_reviewers, per_app, replace=False) for _ in range(n_apps)])
    scores = 3.0 + leniency[revs] + scale[revs] * (merit[apps] - 3.0)
    scores += rng.normal(0.0, noise, apps.size)
    return apps, revs, scores, merit, leniency, scale


def test_planted_leniencies_are_recovered():
    apps, revs, scores, merit, leniency, _ = planted(1)
    result = calibrate(apps, revs, scores, fit_scale=False)
    # Leniency is relative to the average reviewer: the planted values' mean goes into `mean`.
    assert np.abs(result.leniency - (leniency - leniency.mean())).mean() < 0.05
    assert np.corrcoef(result.leniency, leniency)[0, 1] > 0.98
    # Calibrated merit ranks the applications better than the raw means do.
    calibrated_error = np.abs((result.merit - result.merit.mean()) - (merit - merit.mean()))
    raw_error = np.abs((result.raw_mean - result.raw_mean.mean()) - (merit - merit.mean()))
    assert calibrated_error.mean() < raw_error.mean() / 2


def test_planted_scales_are_recovered():
    apps, revs, scores, _, leniency, scale = planted(2, scales=True)
    result = calibrate(apps, revs, scores)
    assert np.corrcoef(result.scale, scale)[0, 1] > 0.9
    assert np.corrcoef(result.leniency, leniency)[0, 1] > 0.95


def test_a_reviewer_with_one_review_is_shrunk_towards_no_leniency():
    apps, revs, scores, *_ = planted(3, scales=False)
    # Reviewer 30 reviews once, 2 points above the application's merit.
    apps = np.append(apps, 0)
    revs = np.append(revs, 30)
    others = scores[apps[:-1] == 0].mean()
    scores = np.append(scores, others + 2.0)
    result = calibrate(apps, revs, scores, fit_scale=False)
    assert 0 < result.leniency[30] < 1.0
    assert result.reviewer_counts[30] == 1


def test_disagreement_flags_applications_whose_reviewers_split():
    apps = np.array([0, 0, 0, 1, 1, 1, 2])
    revs = np.array([0, 1, 2, 0, 1, 2, 0])
    scores = np.array([4.0, 4.0, 4.5, 1.0, 5.0, 3.0, 2.0])
    result = calibrate(apps, revs, scores, fit_scale=False, disagreement_threshold=1.0)
    assert result.flagged.tolist() == [False, True, False]
    assert result.raw_mean[0] == pytest.approx(12.5 / 3)
    assert result.review_counts.tolist() == [3, 3, 1]


def test_no_reviews_gives_neutral_results():
    result = calibrate([], [], [], n_applications=2, n_reviewers=1)
    assert result.merit.tolist() == [0.0, 0.0] and result.leniency.tolist() == [0.0]


@pytest.mark.parametrize("dense_max", [3000, 0])
def test_the_reduced_normal_equations_give_the_full_systems_solution(dense_max, monkeypatch):
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve

    from nurture.optimize import calibration

    monkeypatch.setattr(calibration, "_DENSE_MAX", dense_max)
    rng = np.random.default_rng(4)
    n_apps, n_revs, n = 30, 8, 90
    # Application 29 and reviewer 7 have no reviews: their unknowns rest on the penalties.
    apps, revs = rng.integers(0, n_apps - 1, n), rng.integers(0, n_revs - 1, n)
    rows = np.arange(n)
    design = sp.csr_matrix(
        (
            np.concatenate([np.ones(2 * n), rng.uniform(0.5, 2.0, n)]),
            (np.tile(rows, 3), np.concatenate([np.zeros(n), 1 + revs, 1 + n_revs + apps])),
        ),
        shape=(n, 1 + n_revs + n_apps),
    )
    y = rng.normal(3.0, 1.0, n)
    penalty = np.concatenate([[0.0], np.full(n_revs, 2.0), np.full(n_apps, 1e-6)])
    expected = spsolve((design.T @ design + sp.diags(penalty)).tocsc(), design.T @ y)
    solution = calibration._solve_normal(design, y, penalty, 1 + n_revs)
    assert np.abs(solution - expected).max() < 1e-8
