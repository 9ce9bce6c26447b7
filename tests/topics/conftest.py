"""Shared fixtures of the toolkit.topics tests: tiny, planted-topic data (no real data needed).

The plain helpers (``_dtm``, ``_theme_of``, ``_hand_model``...) are imported by the test
modules with ``from .conftest import ...``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from toolkit.features import DocTermMatrix
from toolkit.topics import TopicModel

THEMES = {
    "arms": ["weapon", "arms", "missile", "nuclear", "disarmament", "treaty"],
    "climate": ["climate", "emission", "warming", "island", "ocean", "carbon"],
    "trade": ["trade", "tariff", "market", "export", "growth", "investment"],
}
COMMON = ["nation", "world", "peace"]
ACTORS = ["AAA", "BBB", "CCC"]
YEARS = [2000, 2001, 2002, 2003]


def _planted(n_docs: int = 60, seed: int = 7) -> tuple[DocTermMatrix, pd.DataFrame]:
    """Documents drawn mostly from one of three themes, plus common words."""
    rng = np.random.default_rng(seed)
    vocab = sorted({w for ws in THEMES.values() for w in ws} | set(COMMON))
    col = {w: i for i, w in enumerate(vocab)}
    names = list(THEMES)
    rows, texts, meta = [], [], []
    for d in range(n_docs):
        main = names[d % 3]
        counts = np.zeros(len(vocab), dtype=np.int64)
        for w in THEMES[main]:
            counts[col[w]] += rng.poisson(4)
        other = names[(d + 1) % 3]
        for w in THEMES[other][:2]:
            counts[col[w]] += rng.poisson(0.7)
        for w in COMMON:
            counts[col[w]] += rng.poisson(2)
        rows.append(counts)
        words = [w for w, c in zip(vocab, counts, strict=True) for _ in range(c)]
        texts.append("The speaker said " + " ".join(rng.permutation(words)) + ".")
        meta.append((f"D{d:03d}", ACTORS[d % 3] if d % 2 else ACTORS[(d // 2) % 3],
                     YEARS[d % 4]))
    doc_ids = [m[0] for m in meta]
    dtm = DocTermMatrix.from_unsorted(sp.csr_matrix(np.vstack(rows)), doc_ids, vocab)
    corpus = pd.DataFrame({
        "doc_id": doc_ids,
        "text": texts,
        "actor": [m[1] for m in meta],
        "year": pd.array([m[2] for m in meta], dtype="Int64"),
    })
    return dtm, corpus


@pytest.fixture(scope="module")
def planted():
    return _planted()


@pytest.fixture(scope="module")
def fitted(planted):
    dtm, _ = planted
    return TopicModel(3, random_state=0).fit(dtm)


def _theme_of(terms):
    hits = {name: len(set(terms) & set(ws)) for name, ws in THEMES.items()}
    return max(hits, key=hits.get), max(hits.values())


def _dtm(matrix, n_docs=None, n_terms=None):
    m = sp.csr_matrix(matrix)
    return DocTermMatrix(m, [f"d{i}" for i in range(m.shape[0])],
                         [f"t{j}" for j in range(m.shape[1])])


HAND_TOPICS = {
    "arms": ["arms_trade", "export_controls", "npt", "military_aid", "treaty"],
    "generic": ["powers", "co_operation", "disarmament", "detente", "peace"],
    "sanctions": ["sanctions", "embargo", "blockade", "coercive", "cuba"],
    "climate": ["climate", "emission", "warming", "island", "ocean"],
}


def _hand_model(themes=HAND_TOPICS) -> TopicModel:
    """A 'fitted' model whose topics put decreasing weight on the given terms only."""
    vocab = sorted({w for ws in themes.values() for w in ws})
    comp = np.zeros((len(themes), len(vocab)))
    for k, ws in enumerate(themes.values()):
        for r, w in enumerate(ws):
            comp[k, vocab.index(w)] = 1.0 - 0.1 * r
    tm = TopicModel(len(themes))
    tm.components_ = comp
    tm.vocab_ = np.asarray(vocab, dtype=str)
    tm.topic_labels_ = {}
    return tm
