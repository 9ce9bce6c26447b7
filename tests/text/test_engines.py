"""Tests for toolkit.text.engines: the fast engine gives spaCy's tokens; spaCy loading."""

from __future__ import annotations

import os
import warnings

import pytest

from toolkit import text

from .conftest import SAMPLE


def test_fast_engine_matches_spacy_engine_on_sample():
    kw = dict(stopwords=None, phrases=False)
    assert text.tokenize(SAMPLE, engine="fast", **kw) == text.tokenize(SAMPLE, engine="spacy", **kw)
    assert text.tokenize(SAMPLE, engine="fast") == text.tokenize(SAMPLE, engine="spacy")


def test_unknown_engine_and_model():
    with pytest.raises(ValueError, match="engine='slow'"):
        text.tokenize("x", engine="slow")
    with pytest.raises(ValueError, match="engine='spacy' to use model"):
        text.tokenize("x", model="en_core_web_sm")
    with pytest.raises(ImportError, match="not installed"):
        text.load_spacy("fptk_no_such_model")


@pytest.mark.integration
def test_engines_agree_on_real_ungdc_sample(ungdc):
    sample = ungdc.sort_values("doc_id").iloc[::500]["text"].tolist()
    kw = dict(stopwords=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert text.tokenize(sample, **kw) == text.tokenize(sample, engine="spacy", **kw)
    assert os.environ.get("FPTK_DATA_HOME")
