"""toolkit.alignment as a package: every public name of the old module, and split_passages."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import alignment as al

from .conftest import PARAS


def test_split_passages_keeps_parent_and_metadata(corpus, passages):
    assert set(passages["parent_doc_id"]) == set(corpus["doc_id"])
    sizes = passages.groupby("parent_doc_id").size()
    assert all(sizes[d] == len(PARAS[d[:3]]) for d in sizes.index)
    assert passages.loc[0, "doc_id"] == "AAA_2000#p0"
    assert passages.loc[0, "text"].startswith("arms trade treaty")
    assert passages["year"].dtype == corpus["year"].dtype
    assert "text" in corpus.columns and len(corpus) == 7  # caller's frame untouched


def test_split_passages_cache_reattaches_metadata(corpus, passages, tmp_path):
    first = al.split_passages(corpus, use_cache=True, cache_home=str(tmp_path))
    pd.testing.assert_frame_equal(first, passages)
    assert len(list(tmp_path.rglob("*.parquet"))) == 1
    tagged = corpus.assign(decade=corpus["year"] // 10 * 10)
    again = al.split_passages(tagged, use_cache=True, cache_home=str(tmp_path))
    assert len(list(tmp_path.rglob("*.parquet"))) == 1  # read back: same doc_id + text
    pd.testing.assert_frame_equal(again.drop(columns="decade"), passages)
    assert (again["decade"] == 2000).all()
    edited = corpus.assign(text=corpus["text"].str.replace("arms", "guns", regex=False))
    changed = al.split_passages(edited, use_cache=True, cache_home=str(tmp_path))
    assert len(list(tmp_path.rglob("*.parquet"))) == 2
    assert changed.loc[0, "text"].startswith("guns trade treaty")


def test_split_passages_ids_match_extract_passages(corpus, passages):
    from toolkit import keywords

    hits = keywords.extract_passages(corpus, "arms", unit="paragraph", progress=False)
    assert len(hits) > 0
    assert set(hits["doc_id"]) <= set(passages["doc_id"])
    joined = hits.merge(passages, on="doc_id", suffixes=("", "_all"))
    assert (joined["text"] == joined["text_all"]).all()


def test_split_passages_sentences():
    df = pd.DataFrame({"doc_id": ["y"], "text": ["One sentence here. Two sentence here! Three?"]})
    sent = al.split_passages(df, unit="sentence")
    assert sent["text"].tolist() == ["One sentence here.", "Two sentence here!", "Three?"]
    assert sent["doc_id"].tolist() == ["y#s0", "y#s1", "y#s2"]
    with pytest.raises(ValueError, match="unit='word'"):
        al.split_passages(df, unit="word")


#: ``toolkit.alignment.__all__`` before the module became a package (issue 10).
OLD_PUBLIC_NAMES = (
    "PANEL_COLUMNS", "Wordfish", "Wordscores", "actors_in_period", "bloc_summary",
    "centered_similarity", "cluster_blocs", "dyad_series", "dyad_summary",
    "issue_similarity_panel", "join_dyads", "map_positions", "similarity_matrix",
    "similarity_panel", "split_passages", "summarize_validation", "validate_against",
    "wordscores_by_period",
)


def test_package_reexports_every_old_public_name():
    from toolkit import text
    from toolkit.alignment import blocs, panel, scaling, validation

    assert sorted(al.__all__) == sorted(OLD_PUBLIC_NAMES)
    for name in OLD_PUBLIC_NAMES:
        assert getattr(al, name) is not None
    assert al.split_passages is text.split_passages
    assert al.similarity_panel is panel.similarity_panel
    assert al.cluster_blocs is blocs.cluster_blocs and al.map_positions is blocs.map_positions
    assert al.Wordfish is scaling.Wordfish and al.validate_against is validation.validate_against
    # a research choice, not a library default: callers name their dyads (reports.yml)
    assert not hasattr(al, "DEFAULT_PAIRS")
