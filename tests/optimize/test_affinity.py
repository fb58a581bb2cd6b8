"""Affinity of reviewers to applications: text, sectors, bids, reasons."""

import numpy as np
import pytest

from nurture.optimize.affinity import (
    AffinityWeights,
    Bid,
    SentenceEmbedder,
    affinity_matrix,
    sector_overlap,
    text_similarity,
)

APPLICATIONS = [
    "Computer vision for property inspection: drones photograph facades and a neural network"
    " finds cracks and water damage.",
    "Credit scoring for small merchants in Hong Kong from payment data, a fintech lending model.",
]
REVIEWERS = [
    "Professor of computer vision; image segmentation, defect detection, neural networks.",
    "Former bank risk officer; credit scoring, lending, payments, fintech regulation.",
    "Organic farming and wine tasting.",
]


def test_tfidf_ranks_matching_expertise_above_unrelated_expertise():
    similarity = text_similarity(APPLICATIONS, REVIEWERS)
    assert similarity.shape == (2, 3)
    assert similarity[0, 0] > similarity[0, 1] and similarity[1, 1] > similarity[1, 0]
    assert similarity[:, 2].tolist() == [0.0, 0.0]


def test_empty_texts_give_zero_similarity():
    assert text_similarity(["", "the"], ["", "a"]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert text_similarity([], ["x"]).shape == (0, 1)


def test_sector_overlap_is_the_share_of_the_applications_sectors():
    overlap = sector_overlap(
        [frozenset({"fintech", "retail"}), frozenset()],
        [frozenset({"fintech"}), frozenset({"fintech", "retail", "health"})],
    )
    assert overlap.tolist() == [[0.5, 1.0], [0.0, 0.0]]


def test_combined_affinity_adds_weighted_parts_and_explains_each_pair():
    affinity = affinity_matrix(
        APPLICATIONS,
        REVIEWERS,
        application_sectors=[{"property"}, {"fintech"}],
        reviewer_sectors=[{"property", "urban"}, {"fintech"}, set()],
        bids={(0, 2): "eager", (1, 1): Bid.NOT_WILLING},
        weights=AffinityWeights(text=1.0, sector=0.5, bid=0.25),
    )
    expected = affinity.text + 0.5 * affinity.sector + 0.25 * affinity.bid
    assert np.allclose(affinity.matrix, expected)
    assert affinity.bid[0, 2] == 1.0 and affinity.bid[1, 1] == -1.0
    reasons = affinity.reasons(0, 0)
    assert (reasons.shared_sectors, reasons.bid, reasons.sector) == (("property",), None, 1.0)
    assert reasons.total == pytest.approx(reasons.text + 0.5)
    assert affinity.reasons(1, 1).bid is Bid.NOT_WILLING
    assert affinity.top_reviewers(0, 1)[0].reviewer == 0


class FakeModel:
    """Stands in for a sentence-embedding model: one axis per keyword."""

    words = ("vision", "credit", "farming")

    def encode(self, texts, normalize_embeddings=True):
        return np.array([[t.lower().count(w) for w in self.words] for t in texts], dtype=float)


def test_a_sentence_embedder_plugs_in_behind_the_same_interface():
    similarity = text_similarity(APPLICATIONS, REVIEWERS, SentenceEmbedder(FakeModel()))
    assert similarity.argmax(axis=1).tolist() == [0, 1]
    assert similarity[0, 0] == pytest.approx(1.0)
