"""Shared fixtures of the alignment tests: a tiny corpus, its passages and their matrix."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from toolkit import alignment as al
from toolkit.features import DocTermMatrix

PARAS = {
    "AAA": ["arms trade treaty peace security", "export control dual use", "peace development aid"],
    "BBB": [
        "arms trade treaty weapons sales",
        "sanctions embargo weapons",
        "peace security council",
    ],
    "CCC": ["climate change ocean islands", "development aid climate finance"],
    "DDD": ["arms control disarmament treaty", "nuclear weapons disarmament peace"],
}


def _corpus() -> pd.DataFrame:
    rows = []
    for year in (2000, 2001):
        for actor, paras in PARAS.items():
            if actor == "CCC" and year == 2001:
                continue  # CCC missing in 2001
            shift = paras[1:] + paras[:1] if year == 2001 else paras
            text = "\n\n".join(p + " " + "filler words here ok " * 3 for p in shift)
            rows.append({"doc_id": f"{actor}_{year}", "actor": actor, "year": year, "text": text})
    return pd.DataFrame(rows)


def _dtm(table: pd.DataFrame, vocabulary=None) -> tuple[DocTermMatrix, CountVectorizer]:
    vec = CountVectorizer(vocabulary=vocabulary)
    x = vec.fit_transform(table["text"])
    return DocTermMatrix.from_unsorted(x, table["doc_id"], vec.get_feature_names_out()), vec


@pytest.fixture
def corpus():
    return _corpus()


@pytest.fixture
def passages(corpus):
    return al.split_passages(corpus)


@pytest.fixture
def pdtm(passages):
    return _dtm(passages)[0]


@pytest.fixture
def panel(passages, pdtm):
    return al.similarity_panel(pdtm, passages, n_boot=0)
