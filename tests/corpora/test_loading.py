"""Tests for toolkit.corpora._loading: the steps the loaders share."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.corpora import load_cmfa, load_table, load_text_folder
from toolkit.corpora._loading import check_on_empty, stamp_corpus, validate_source
from toolkit.corpora.schema import CorpusValidationError, standardize_columns


def _table(doc_ids):
    return standardize_columns(pd.DataFrame({"doc_id": doc_ids, "text": ["a"] * len(doc_ids)}),
                               source="t")


def test_validate_source_names_the_source():
    ok = _table(["x", "y"])
    assert validate_source(ok, "here.csv") is ok
    with pytest.raises(CorpusValidationError, match=r"^here.csv: Duplicate doc_id in row 0"):
        validate_source(_table(["x", "x"]), "here.csv")


def test_stamp_corpus_records_provenance_in_order():
    table = _table(["x", "y"])
    out = stamp_corpus(table, name="t", release=None, sha256="ab", skipped=[],
                       path=Path("/a/b"), loader="load_t",
                       extra={"text": "answer"})
    assert out is table
    assert list(out.attrs["corpus"]) == ["name", "release", "sha256", "n_docs", "skipped",
                                         "path", "loader", "text"]
    assert out.attrs["corpus"]["n_docs"] == 2 and out.attrs["corpus"]["path"] == "/a/b"


def test_on_empty_is_checked_the_same_way_by_every_loader(tmp_path):
    assert check_on_empty("skip") == "skip"
    message = r"on_empty must be one of \('skip', 'error'\), got 'drop'"
    with pytest.raises(ValueError, match=message):
        check_on_empty("drop")
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "t.csv").write_text("text\nhello\n", encoding="utf-8")
    for load, path in [(load_text_folder, tmp_path), (load_table, tmp_path / "t.csv"),
                       (load_cmfa, tmp_path / "nothing.xlsx")]:
        with pytest.raises(ValueError, match=message):
            load(path, on_empty="drop")


def test_decoding_is_shared_and_auto_falls_back_to_the_detected_encoding():
    from toolkit.corpora import _loading, generic

    assert generic.decode_bytes is _loading.decode_bytes  # still importable from generic
    text = "Der Außenminister äußerte sich über die Lage in der Ukraine und in Europa."
    assert _loading._decode(text.encode("utf-8"), file="u.txt", encoding="auto",
                            errors="strict") == (text, "utf-8")
    assert _loading._decode(b"\xef\xbb\xbfhi", file="bom.txt", encoding="auto",
                            errors="strict") == ("hi", "utf-8")
    decoded, codec = _loading._decode(text.encode("cp1252"), file="w.txt", encoding="auto",
                                      errors="strict")
    assert decoded == text and codec != "utf-8"
    assert _loading.detect_encoding(text.encode("cp1252"), file="w.txt") == codec
    assert _loading._decode(text.encode("latin-1"), file="l.txt", encoding="latin-1",
                            errors="strict") == (text, "iso8859-1")
