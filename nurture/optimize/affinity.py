"""How well each reviewer suits each application: an (applications × reviewers) matrix from
text similarity, sector overlap and bids, with the reasons behind each pair.

    affinity = text_weight · cosine(application text, reviewer expertise)
             + sector_weight · share of the application's sectors the reviewer knows
             + bid_weight · bid value (eager 1, willing 0.5, none 0, not willing -1 by default)

Text similarity goes through an `Embedder`: TF-IDF (scikit-learn, sparse, fitted on both
sides' texts so they share one vocabulary) by default; a sentence-embedding model behind the
same interface when the deployment ships one (`SentenceEmbedder` wraps any object with a
sentence-transformers style `encode`; nothing here downloads a model).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

Vectors = NDArray[np.float64] | sp.spmatrix | sp.sparray


class Bid(enum.StrEnum):
    EAGER = "eager"
    WILLING = "willing"
    NOT_WILLING = "not_willing"


class Embedder(Protocol):
    def embed(
        self, applications: Sequence[str], reviewers: Sequence[str]
    ) -> tuple[Vectors, Vectors]:
        """Vectors for both sides in one space, each row of unit length (so that the dot
        product is the cosine similarity); dense or sparse."""


class TfidfEmbedder:
    """TF-IDF over words and word pairs, fitted on both sides' texts together so that a term
    common to every profile weighs little; rows are L2-normalised by scikit-learn."""

    def __init__(self, **options: Any) -> None:
        self.options = {
            "stop_words": "english",
            "sublinear_tf": True,
            "ngram_range": (1, 2),
            "strip_accents": "unicode",
            **options,
        }

    def embed(
        self, applications: Sequence[str], reviewers: Sequence[str]
    ) -> tuple[Vectors, Vectors]:
        vectorizer = TfidfVectorizer(**self.options)
        try:
            vectorizer.fit([*applications, *reviewers])
        except ValueError:  # no usable word at all (empty texts or only stop words)
            return sp.csr_matrix((len(applications), 1)), sp.csr_matrix((len(reviewers), 1))
        return vectorizer.transform(applications), vectorizer.transform(reviewers)


class SentenceEmbedder:
    """Any model with `encode(texts, normalize_embeddings=True) -> array`, such as a
    sentence-transformers model loaded offline from a path the deployment provides."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def embed(
        self, applications: Sequence[str], reviewers: Sequence[str]
    ) -> tuple[Vectors, Vectors]:
        texts = [*applications, *reviewers]
        vectors = np.asarray(self.model.encode(texts, normalize_embeddings=True), dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1.0)
        return vectors[: len(applications)], vectors[len(applications) :]


@dataclass(frozen=True)
class AffinityWeights:
    text: float = 1.0
    sector: float = 0.5
    bid: float = 0.5
    # Value of each bid before `bid` weighs it; a pair without a bid counts 0.
    bid_values: Mapping[Bid, float] = field(
        default_factory=lambda: {Bid.EAGER: 1.0, Bid.WILLING: 0.5, Bid.NOT_WILLING: -1.0}
    )


@dataclass(frozen=True)
class PairReasons:
    """What a UI shows beside a pair: each part of the score and the sectors in common."""

    application: int
    reviewer: int
    total: float
    text: float
    sector: float
    shared_sectors: tuple[str, ...]
    bid: Bid | None


@dataclass
class Affinity:
    matrix: NDArray[np.float64]
    text: NDArray[np.float64]
    sector: NDArray[np.float64]
    bid: NDArray[np.float64]
    weights: AffinityWeights
    application_sectors: list[frozenset[str]]
    reviewer_sectors: list[frozenset[str]]
    bids: dict[tuple[int, int], Bid]

    def reasons(self, application: int, reviewer: int) -> PairReasons:
        shared = self.application_sectors[application] & self.reviewer_sectors[reviewer]
        return PairReasons(
            application=application,
            reviewer=reviewer,
            total=float(self.matrix[application, reviewer]),
            text=float(self.text[application, reviewer]),
            sector=float(self.sector[application, reviewer]),
            shared_sectors=tuple(sorted(shared)),
            bid=self.bids.get((application, reviewer)),
        )

    def top_reviewers(self, application: int, n: int = 5) -> list[PairReasons]:
        order = np.argsort(-self.matrix[application], kind="stable")[:n]
        return [self.reasons(application, int(j)) for j in order]


def text_similarity(
    applications: Sequence[str],
    reviewers: Sequence[str],
    embedder: Embedder | None = None,
) -> NDArray[np.float64]:
    """Cosine similarity of every application text with every reviewer's expertise."""
    if not applications or not reviewers:
        return np.zeros((len(applications), len(reviewers)))
    app_vectors, reviewer_vectors = (embedder or TfidfEmbedder()).embed(applications, reviewers)
    product = app_vectors @ reviewer_vectors.T
    product = product.toarray() if sp.issparse(product) else np.asarray(product)
    return np.clip(product.astype(np.float64), -1.0, 1.0)


def _incidence(sets: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> sp.csr_matrix:
    rows = [i for i, items in enumerate(sets) for _ in items]
    cols = [vocabulary[item] for items in sets for item in items]
    return sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(sets), max(len(vocabulary), 1))
    )


def sector_overlap(
    application_sectors: Sequence[frozenset[str]], reviewer_sectors: Sequence[frozenset[str]]
) -> NDArray[np.float64]:
    """The share of each application's sectors that the reviewer knows (0 when the
    application names none), from one sparse product."""
    vocabulary = {
        name: i
        for i, name in enumerate(sorted(set().union(*application_sectors, *reviewer_sectors)))
    }
    apps = _incidence(application_sectors, vocabulary)
    revs = _incidence(reviewer_sectors, vocabulary)
    shared = (apps @ revs.T).toarray()
    counts = np.asarray(apps.sum(axis=1)).ravel()
    return shared / np.where(counts > 0, counts, 1.0)[:, None]


def affinity_matrix(
    application_texts: Sequence[str],
    reviewer_texts: Sequence[str],
    *,
    application_sectors: Sequence[Iterable[str]] | None = None,
    reviewer_sectors: Sequence[Iterable[str]] | None = None,
    bids: Mapping[tuple[int, int], Bid | str] | None = None,
    weights: AffinityWeights | None = None,
    embedder: Embedder | None = None,
) -> Affinity:
    """The combined affinity and its parts. `bids` maps (application index, reviewer index)
    to a bid; the loop runs over bids, which are few, never over every pair."""
    weights = weights or AffinityWeights()
    n_apps, n_reviewers = len(application_texts), len(reviewer_texts)
    app_sectors = [frozenset(s) for s in (application_sectors or [()] * n_apps)]
    rev_sectors = [frozenset(s) for s in (reviewer_sectors or [()] * n_reviewers)]
    if len(app_sectors) != n_apps or len(rev_sectors) != n_reviewers:
        raise ValueError("one sector set per application and per reviewer")
    text = text_similarity(application_texts, reviewer_texts, embedder)
    sector = sector_overlap(app_sectors, rev_sectors)
    bid_matrix = np.zeros((n_apps, n_reviewers))
    clean_bids = {pair: Bid(value) for pair, value in (bids or {}).items()}
    if clean_bids:
        pairs = np.array(list(clean_bids.keys()), dtype=np.int64).reshape(-1, 2)
        values = np.array([weights.bid_values.get(b, 0.0) for b in clean_bids.values()])
        bid_matrix[pairs[:, 0], pairs[:, 1]] = values
    matrix = weights.text * text + weights.sector * sector + weights.bid * bid_matrix
    return Affinity(
        matrix=matrix,
        text=text,
        sector=sector,
        bid=bid_matrix,
        weights=weights,
        application_sectors=app_sectors,
        reviewer_sectors=rev_sectors,
        bids=clean_bids,
    )
