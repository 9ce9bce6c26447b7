"""Tests of toolkit.methods: the Methods paragraph comes from what the code recorded."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import methods


def test_every_method_has_a_dated_reference():
    for key, (what, ref) in methods.registry().items():
        assert what and (any(ch.isdigit() for ch in ref) or "this toolkit" in ref), key


def test_paragraph_collects_keys_from_tables_in_order():
    a = pd.DataFrame({"x": [1]})
    a.attrs["methods"] = ["dictionary_count", "poisson_exact"]
    b = pd.DataFrame({"y": [1]})
    b.attrs["methods"] = ["poisson_exact", "bca"]
    assert methods.methods_of(a, b, "frex") == ["dictionary_count", "poisson_exact", "bca",
                                                 "frex"]
    text = methods.methods_paragraph(a, b)
    assert text.startswith("Methods: dictionary matches counted")
    assert "Garwood (1936)" in text and "Efron (1987)" in text
    assert methods.methods_paragraph(pd.DataFrame()) == ""


def test_unknown_method_is_named():
    with pytest.raises(KeyError, match="Unknown method 'magic'"):
        methods.methods_paragraph("magic")


def test_html_is_escaped():
    assert "&amp;" in methods.methods_paragraph("npmi_coherence", html_out=True)
