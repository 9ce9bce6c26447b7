"""Tests for toolkit.alignment on tiny fixtures (hand or independent numpy computations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from toolkit import alignment as al
from toolkit.features import DocTermMatrix

# ---------------------------------------------------------------- fixtures
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


def _expected_cosine(corpus, year, vocab):
    sub = corpus[corpus["year"] == year]
    vec = CountVectorizer(vocabulary=vocab)
    counts = vec.transform(sub.groupby("actor")["text"].apply(" ".join))
    tfidf = TfidfTransformer(smooth_idf=True, norm="l2").fit_transform(counts)
    actors = sorted(sub["actor"].unique())
    return pd.DataFrame(cosine_similarity(tfidf), index=actors, columns=actors)


# ---------------------------------------------------------------- passages
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


# ---------------------------------------------------------------- similarity panel
def test_cosine_panel_matches_independent_tfidf(corpus, passages, pdtm):
    panel = al.similarity_panel(pdtm, passages, n_boot=0)
    assert list(panel.columns) == list(al.PANEL_COLUMNS)
    for year in (2000, 2001):
        exp = _expected_cosine(corpus, year, pdtm.vocab)
        got = al.similarity_matrix(panel, year)
        np.testing.assert_allclose(got.to_numpy(), exp.loc[got.index, got.columns].to_numpy())
    assert (panel["actor_a"] < panel["actor_b"]).all()
    row = panel.query("actor_a == 'AAA' and actor_b == 'BBB' and period == 2000").iloc[0]
    assert row["n_docs_a"] == 1 and row["n_passages_a"] == 3
    assert (
        row["n_tokens_a"]
        == pdtm.select_docs(
            passages.loc[passages.parent_doc_id == "AAA_2000", "doc_id"]
        ).matrix.sum()
    )


def test_doc_level_and_passage_level_point_estimates_agree(corpus, passages, pdtm):
    ddtm, _ = _dtm(corpus, vocabulary=pdtm.vocab)
    a = al.similarity_panel(pdtm, passages, n_boot=0)
    b = al.similarity_panel(ddtm, corpus, n_boot=0)
    np.testing.assert_allclose(a["similarity"], b["similarity"])


def test_global_idf_and_raw_counts(corpus, pdtm, passages):
    raw = al.similarity_panel(pdtm, passages, idf=None, n_boot=0)
    sub = corpus[corpus.year == 2000]
    counts = CountVectorizer(vocabulary=pdtm.vocab).transform(
        sub.groupby("actor")["text"].apply(" ".join)
    )
    exp = cosine_similarity(counts)
    got = al.similarity_matrix(raw, 2000).to_numpy()
    np.testing.assert_allclose(got, exp)
    glob = al.similarity_panel(pdtm, passages, idf="global", n_boot=0)
    assert not np.allclose(glob["similarity"], raw["similarity"])


def test_bootstrap_is_seeded_and_brackets(passages, pdtm):
    a = al.similarity_panel(pdtm, passages, n_boot=50, random_state=1, progress=False)
    b = al.similarity_panel(pdtm, passages, n_boot=50, random_state=1, progress=False)
    c = al.similarity_panel(pdtm, passages, n_boot=50, random_state=2, progress=False)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["ci_high"]).all()
    assert a["ci_low"].notna().all()


@pytest.mark.parametrize("chunk_nnz", [10**9, 1])  # pairwise path (one chunk) / gram loop
def test_bootstrap_replicate_equals_direct_resample(passages, pdtm, chunk_nnz):
    """The vectorised resample equals summing drawn passages by hand."""
    units = al._units(pdtm.doc_ids, passages, by="actor", period="year")
    p = 0  # year 2000
    us, ue = units.period_start[p], units.period_start[p + 1]
    agg = units.indicator(pdtm.n_docs) @ pdtm.matrix.astype(float)
    idf = al._idf(agg[us:ue].tocsr(), ue - us)
    uidx = np.arange(us, ue)
    reps = al._bootstrap_period(
        pdtm.matrix.astype(float).tocsr(),
        units,
        uidx,
        n_boot=3,
        rng=np.random.default_rng(0),
        measure="cosine",
        idf=idf,
        sublinear_tf=False,
        chunk_nnz=chunk_nnz,
    )
    rng = np.random.default_rng(0)
    x = pdtm.matrix.toarray()
    rows = [units.rows[units.start[u] : units.start[u + 1]] for u in uidx]
    if chunk_nnz > 1:  # one chunk of 3 replicates, drawn unit by unit
        draws = [rng.integers(0, len(r), size=(3, len(r))) for r in rows]
    else:  # chunks of one replicate
        per_b = [[rng.integers(0, len(r), size=(1, len(r)))[0] for r in rows] for _ in range(3)]
        draws = [np.array([per_b[b][j] for b in range(3)]) for j in range(len(rows))]
    for b in range(3):
        vecs = []
        for r, d in zip(rows, draws, strict=True):
            vecs.append(x[r[d[b]]].sum(axis=0) * idf)
        v = np.array(vecs)
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
        np.testing.assert_allclose(reps[b], v @ v.T, atol=1e-12)


def test_ci_methods_are_shifts_of_the_same_replicates(passages, pdtm):
    kw = dict(n_boot=40, random_state=5, progress=False)
    pct = al.similarity_panel(pdtm, passages, ci_method="percentile", **kw)
    cen = al.similarity_panel(pdtm, passages, ci_method="centered", **kw)
    bas = al.similarity_panel(pdtm, passages, ci_method="basic", **kw)
    np.testing.assert_allclose(cen["ci_low"], pct["ci_low"] - pct["boot_bias"])
    np.testing.assert_allclose(cen["ci_high"], pct["ci_high"] - pct["boot_bias"])
    np.testing.assert_allclose(bas["ci_low"], 2 * pct["similarity"] - pct["ci_high"])
    assert (pct["boot_bias"] < 0).mean() > 0.5  # resampled sums look like shorter texts
    with pytest.raises(ValueError, match="ci_method='bca'"):
        al.similarity_panel(pdtm, passages, ci_method="bca")


def test_missing_actor_gives_nan_with_counts(passages, pdtm):
    with pytest.warns(UserWarning, match=r"CCC \(1 periods\)"):
        panel = al.similarity_panel(pdtm, passages, actors=["AAA", "CCC"], n_boot=0)
    row = panel[panel["period"] == 2001].iloc[0]
    assert np.isnan(row["similarity"]) and row["n_docs_b"] == 0 and row["n_docs_a"] == 1
    assert panel.attrs["alignment"]["missing"] == [{"period": 2001, "actor": "CCC"}]
    # without `actors`, absent actors simply have no rows
    full = al.similarity_panel(pdtm, passages, n_boot=0)
    assert not ((full.period == 2001) & (full.actor_b == "CCC")).any()


def test_unknown_codes_and_periods_are_listed(passages, pdtm):
    with pytest.raises(ValueError, match=r"Unknown actor code\(s\) \['AAB', 'ZZZ'\].*did you mean"):
        al.similarity_panel(pdtm, passages, actors=["AAA", "ZZZ", "AAB"], n_boot=0)
    with pytest.raises(ValueError, match="at least two actors"):
        al.similarity_panel(pdtm, passages, actors=["AAA"], n_boot=0)
    with pytest.raises(ValueError, match=r"period\(s\) \[1999\] are not in the data"):
        al.similarity_panel(pdtm, passages, periods=[1999], n_boot=0)
    with pytest.raises(ValueError, match="measure='euclid'"):
        al.similarity_panel(pdtm, passages, measure="euclid")
    with pytest.raises(ValueError, match=r"period='session' is not a column"):
        al.similarity_panel(pdtm, passages, period="session")


def test_rows_absent_from_corpus_are_named(passages, pdtm):
    with pytest.raises(ValueError, match=r"matrix row\(s\) have no row in the corpus.*AAA_2000#p"):
        al.similarity_panel(pdtm, passages[passages.parent_doc_id != "AAA_2000"], n_boot=0)


def test_single_doc_units_get_nan_intervals(corpus, pdtm):
    ddtm, _ = _dtm(corpus, vocabulary=pdtm.vocab)
    with pytest.warns(UserWarning, match="split_passages"):
        panel = al.similarity_panel(ddtm, corpus, n_boot=20, random_state=0, progress=False)
    assert panel["ci_low"].isna().all() and panel["similarity"].notna().all()


def test_decade_period(passages, pdtm):
    panel = al.similarity_panel(pdtm, passages, period="decade", n_boot=0)
    assert panel["period"].unique().tolist() == [2000]
    assert panel.query("actor_a == 'AAA' and actor_b == 'BBB'")["n_docs_a"].item() == 2


def test_js_panel_matches_hand_computation(passages):
    rng = np.random.default_rng(0)
    theta = pd.DataFrame(rng.dirichlet(np.ones(3), size=len(passages)), index=passages["doc_id"])
    panel = al.similarity_panel(
        theta, passages, measure="js", n_boot=30, random_state=0, progress=False
    )
    ids = passages[(passages.actor.isin(["AAA", "BBB"])) & (passages.year == 2000)]
    pa = theta.loc[ids[ids.actor == "AAA"].doc_id].mean().to_numpy()
    pb = theta.loc[ids[ids.actor == "BBB"].doc_id].mean().to_numpy()
    m = (pa + pb) / 2
    jsd = 0.5 * np.sum(pa * np.log2(pa / m)) + 0.5 * np.sum(pb * np.log2(pb / m))
    got = panel.query("actor_a == 'AAA' and actor_b == 'BBB' and period == 2000")
    assert got["similarity"].item() == pytest.approx(1 - jsd)
    assert got["n_tokens_a"].isna().all()
    assert (panel["ci_low"] <= panel["ci_high"]).all()


def test_issue_panel_accepts_passage_table(corpus, passages, pdtm):
    arms = passages[passages["text"].str.contains("arms|weapons")]
    out = al.issue_similarity_panel(arms, dtm=pdtm, n_boot=0)
    assert set(out["actor_a"]) | set(out["actor_b"]) <= {"AAA", "BBB", "DDD"}
    assert out.attrs["alignment"]["issue"]["n_passages"] == len(arms)
    # from a corpus: keywords.extract_passages finds the arms paragraphs, rows come from pdtm
    direct = al.issue_similarity_panel(corpus, dictionary="arms", dtm=pdtm, n_boot=0)
    assert direct.attrs["alignment"]["issue"]["dictionary"]["name"] == "arms"
    assert direct["similarity"].notna().any()
    bad = arms.assign(doc_id=arms["doc_id"] + "x")
    with pytest.raises(ValueError, match="not rows of dtm"):
        al.issue_similarity_panel(bad, dtm=pdtm, n_boot=0)


# ---------------------------------------------------------------- reading a panel
@pytest.fixture
def panel(passages, pdtm):
    return al.similarity_panel(pdtm, passages, n_boot=0)


def test_dyad_series_normalises_order(panel):
    s = al.dyad_series(panel, [("BBB", "AAA"), ("AAA", "DDD")])
    assert s["pair"].unique().tolist() == ["BBB–AAA", "AAA–DDD"]
    assert len(s) == 4
    with pytest.raises(ValueError, match=r"\['XXX'\]"):
        al.dyad_series(panel, [("AAA", "XXX")])


def test_cluster_blocs_and_labels(panel):
    blocs = al.cluster_blocs(panel, n_blocs=2, centre=False)
    b2000 = blocs[blocs.period == 2000].set_index("actor")["bloc"]
    assert b2000["CCC"] != b2000["AAA"]  # climate speaker stands apart
    assert set(blocs["bloc"]) <= {1, 2}
    size = blocs.groupby(["period", "bloc"])["actor"].transform("size")
    assert (size == blocs["bloc_size"]).all()
    with pytest.raises(ValueError, match="method='centroid'"):
        al.cluster_blocs(panel, method="centroid")
    with pytest.raises(ValueError, match="Ward linkage assumes Euclidean"):
        al.cluster_blocs(panel, method="ward")
    with pytest.raises(ValueError, match="k_range"):
        al.cluster_blocs(panel, k_range=(1, 3))


def _planted_panel(seed=0, common=3.0):
    """Three planted blocs of 7, 6 and 5 actors; a shared component dominates every vector
    (as the shared UN vocabulary does), so raw cosines sit in a narrow band."""
    rng = np.random.default_rng(seed)
    sizes = {"A": 7, "B": 6, "C": 5}
    truth, rows = {}, []
    base = np.abs(rng.normal(size=40)) * common
    centres = {g: np.abs(rng.normal(size=40)) for g in sizes}
    for year, perm in ((2000, "ABC"), (2001, "CAB")):
        vecs = {}
        for g, n in sizes.items():
            for i in range(n):
                name = f"{g}{i}"
                truth[name] = g
                vecs[name] = base + centres[g] + 0.5 * np.abs(rng.normal(size=40))
        names = sorted(vecs, key=lambda a: perm.index(a[0]))  # shuffled actor order
        x = normalize(np.array([vecs[a] for a in names]))
        s = x @ x.T
        for i, a in enumerate(names):
            for j in range(i + 1, len(names)):
                lo, hi = sorted((a, names[j]))
                rows.append({"actor_a": lo, "actor_b": hi, "period": year, "similarity": s[i, j]})
    return pd.DataFrame(rows), truth


def test_cluster_blocs_recovers_planted_blocs():
    panel, truth = _planted_panel()
    sims = panel["similarity"]
    assert sims.max() - sims.min() < 0.15  # narrow band, as on the UNGDC
    blocs = al.cluster_blocs(panel)
    for _, g in blocs.groupby("period"):
        assert (g["n_blocs"] == 3).all()
        assert g["silhouette"].iloc[0] > 0.25
        groups = g.groupby("bloc")["actor"].apply(lambda s: {truth[a] for a in s})
        assert all(len(v) == 1 for v in groups) and len(groups) == 3  # each bloc one group
        assert sorted(g.groupby("bloc").size()) == [5, 6, 7]
    # labels carried across periods: the same group keeps its number
    wide = blocs.pivot(index="actor", columns="period", values="bloc")
    assert (wide[2000] == wide[2001]).all()
    sel = pd.DataFrame(blocs.attrs["selection"])
    chosen = sel[sel["chosen"]]
    assert chosen["k"].tolist() == [3, 3]
    best = sel.groupby("period")["silhouette"].max()
    assert (best == chosen.set_index("period")["silhouette"]).all()
    # a fixed number is honoured
    assert al.cluster_blocs(panel, n_blocs=2)["n_blocs"].eq(2).all()


def test_cluster_blocs_ties_go_to_fewer_blocs():
    panel, _ = _planted_panel(seed=1)
    sel = pd.DataFrame(al.cluster_blocs(panel).attrs["selection"]).set_index(["period", "k"])
    s = sel["silhouette"]
    gap = float((s.groupby("period").max() - s.xs(2, level="k")).max())
    assert 0 < gap < s.xs(2, level="k").min()  # k=2 is worse than k=3 but clearly positive
    blocs = al.cluster_blocs(panel, tie_tol=gap + 1e-9)  # k=2 now ties with the best
    assert blocs["n_blocs"].eq(2).all()


def test_cluster_blocs_without_structure_is_one_bloc():
    # equidistant actors: every cut has silhouette 0, so no partition beats one bloc
    names = ["W", "X", "Y", "Z"]
    rows = [
        {"actor_a": a, "actor_b": b, "period": 2000, "similarity": 0.6}
        for i, a in enumerate(names) for b in names[i + 1 :]
    ]
    blocs = al.cluster_blocs(pd.DataFrame(rows))
    assert blocs["n_blocs"].eq(1).all() and blocs["bloc_size"].eq(4).all()
    assert blocs["silhouette"].isna().all()
    assert [s["k"] for s in blocs.attrs["selection"]] == [2, 3]  # capped at n_actors - 1
    assert not any(s["chosen"] for s in blocs.attrs["selection"])


def test_centered_similarity_is_cosine_of_centred_vectors():
    rng = np.random.default_rng(0)
    x = normalize(rng.normal(size=(6, 10)) + 2)
    got = al.centered_similarity(x @ x.T)
    xc = x - x.mean(axis=0)
    assert np.allclose(got, cosine_similarity(xc))
    with pytest.raises(ValueError, match="NaN"):
        al.centered_similarity(np.array([[1.0, np.nan], [np.nan, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        al.centered_similarity(np.ones((2, 3)))


def test_bloc_summary_names_nearest_mates():
    panel, truth = _planted_panel()
    blocs = al.cluster_blocs(panel)
    summary = al.bloc_summary(blocs, panel, actors=["A0", "C1", "ZZZ"], n_mates=2)
    assert summary["actor"].tolist() == ["A0", "C1"]
    assert summary.attrs["absent"] == ["ZZZ"]
    assert summary.attrs["bloc_sizes"] == [7, 6, 5]
    row = summary.set_index("actor").loc["A0"]
    assert row["bloc_size"] == 7 and row["n_blocs"] == 3 and row["period"] == 2001
    mates = row["mates"].split(", ")
    assert len(mates) == 2 and all(truth[m] == "A" for m in mates)
    # the mates are the two most similar bloc members (centred similarity)
    mat = al.similarity_matrix(panel, 2001)
    c = pd.DataFrame(al.centered_similarity(mat.to_numpy()), index=mat.index, columns=mat.index)
    same = [a for a in mat.index if truth[a] == "A" and a != "A0"]
    assert mates == c.loc["A0", same].sort_values(ascending=False).index[:2].tolist()
    raw = al.bloc_summary(blocs, panel, actors=["A0"], n_mates=2, centre=False)
    assert raw["mates"].iloc[0].split(", ") == (
        mat.loc["A0", same].sort_values(ascending=False).index[:2].tolist()
    )
    with pytest.raises(ValueError, match="period 1999"):
        al.bloc_summary(blocs, panel, actors=["A0"], period=1999)


def test_actors_in_period(panel):
    assert al.actors_in_period(panel, 2000) == ["AAA", "BBB", "CCC", "DDD"]
    assert al.actors_in_period(panel, 2001, ["DDD", "CCC", "AAA"]) == ["DDD", "AAA"]


def test_dyad_summary(panel):
    s = al.dyad_series(panel, [("AAA", "BBB"), ("AAA", "CCC")])
    out = al.dyad_summary(s)
    ab = out.set_index("pair").loc["AAA–BBB"]
    exp = s[s["pair"] == "AAA–BBB"]
    assert ab["mean_similarity"] == pytest.approx(exp["similarity"].mean())
    assert ab["last_period"] == 2001 and ab["n_periods"] == 2
    ac = out.set_index("pair").loc["AAA–CCC"]  # CCC missing in 2001: last known period is 2000
    assert ac["last_period"] == 2000 and ac["n_periods"] == 1


def test_classical_mds_recovers_distances():
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.5, 1.0]])
    d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    coords, _ = al._classical_mds(d, 2)
    np.testing.assert_allclose(
        np.linalg.norm(coords[:, None] - coords[None], axis=-1), d, atol=1e-10
    )


def test_map_positions_is_procrustes_stable():
    rng = np.random.default_rng(3)
    pts = rng.normal(size=(6, 2))
    names = [f"A{i}" for i in range(6)]
    rows = []
    for t, rot in enumerate([0.0, 2.0, 4.0]):
        r = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]])
        p = pts @ r * 0.1
        d = np.linalg.norm(p[:, None] - p[None], axis=-1)
        for i in range(6):
            for j in range(i + 1, 6):
                rows.append(
                    {
                        "actor_a": names[i],
                        "actor_b": names[j],
                        "period": t,
                        "similarity": 1 - d[i, j],
                    }
                )
    panel = pd.DataFrame(rows)
    pos = al.map_positions(panel, orient=("A0", "A1"))
    c0 = pos[pos.period == 0][["dim1", "dim2"]].to_numpy()
    for t in (1, 2):
        np.testing.assert_allclose(pos[pos.period == t][["dim1", "dim2"]].to_numpy(), c0, atol=1e-8)
    a = pos[pos.period == 0].set_index("actor")
    assert a.loc["A1", "dim1"] > a.loc["A0", "dim1"]


# ---------------------------------------------------------------- Wordscores
def _ws_fixture():
    vocab = np.array(["a", "b", "c", "d"], dtype=object)
    x = np.array([[4, 4, 2, 0], [0, 2, 4, 4], [2, 3, 3, 2], [1, 1, 0, 0], [0, 0, 1, 1]], float)
    ids = ["R1", "R2", "V1", "V2", "V3"]
    return DocTermMatrix.from_unsorted(sp.csr_matrix(x), ids, vocab), x


def test_wordscores_hand_computation():
    dtm, _ = _ws_fixture()
    ws = al.Wordscores().fit(dtm, {"R1": -1.0, "R2": 1.0})
    # by hand: F_r1 = [.4,.4,.2,0], F_r2 = [0,.2,.4,.4]
    # P(r1|w) = [1, 2/3, 1/3, 0] -> S_w = -P1 + P2 = [-1, -1/3, 1/3, 1]
    np.testing.assert_allclose(ws.wordscores_, [-1, -1 / 3, 1 / 3, 1])
    t = ws.score_table(dtm).set_index("doc_id")
    s = np.array([-1, -1 / 3, 1 / 3, 1])
    f = np.array([2, 3, 3, 2]) / 10
    raw = f @ s
    se = np.sqrt(np.sum(f * (s - raw) ** 2) / 10)
    assert t.loc["V1", "raw"] == pytest.approx(raw)
    assert t.loc["V1", "se"] == pytest.approx(se)
    assert t.loc["V2", "raw"] == pytest.approx(-2 / 3)
    assert t.loc["R1", "is_reference"] and not t.loc["V1", "is_reference"]
    assert t.loc["V1", "ci_high"] - t.loc["V1", "raw"] == pytest.approx(1.959964 * se, rel=1e-5)


def test_wordscores_rescaling_lbg_and_mv():
    dtm, _ = _ws_fixture()
    lbg = al.Wordscores(rescale="lbg").fit(dtm, {"R1": -1.0, "R2": 1.0}).score_table(dtm)
    raw = lbg.set_index("doc_id")["raw"]
    v = raw[["V1", "V2", "V3"]].to_numpy()
    exp = (v - v.mean()) * (np.std([-1, 1], ddof=1) / v.std(ddof=1)) + v.mean()
    np.testing.assert_allclose(lbg.set_index("doc_id").loc[["V1", "V2", "V3"], "score"], exp)
    mv = al.Wordscores(rescale="mv").fit(dtm, {"R1": -1.0, "R2": 1.0}).score_table(dtm)
    mv = mv.set_index("doc_id")
    assert mv.loc["R1", "score"] == pytest.approx(-1) and mv.loc["R2", "score"] == pytest.approx(1)
    r1, r2 = raw["R1"], raw["R2"]
    assert mv.loc["V2", "score"] == pytest.approx((raw["V2"] - r1) / (r2 - r1) * 2 - 1)


def test_wordscores_bad_input():
    dtm, x = _ws_fixture()
    with pytest.raises(ValueError, match=r"Reference text\(s\) \['RUS_2014'\] are not in"):
        al.Wordscores().fit(dtm, {"R1": -1.0, "RUS_2014": 1.0})
    with pytest.raises(ValueError, match="different scores"):
        al.Wordscores().fit(dtm, {"R1": 1.0, "R2": 1.0})
    with pytest.raises(ValueError, match="rescale='z'"):
        al.Wordscores(rescale="z").fit(dtm, {"R1": -1.0, "R2": 1.0})
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        al.Wordscores().score_table(dtm)
    ws = al.Wordscores().fit(x[:2], [-1, 1])
    with pytest.raises(ValueError, match="columns"):
        ws.score_table(x[:, :3])


def test_wordscores_by_period(corpus, pdtm, passages):
    refs = {"AAA": -1.0, "BBB": 1.0}
    out = al.wordscores_by_period(pdtm, passages, references=refs, rescale="mv")
    assert set(out["period"]) == {2000, 2001}
    y = out[(out.period == 2000)].set_index("actor")
    assert y.loc["AAA", "score"] == pytest.approx(-1) and y.loc["AAA", "is_reference"]
    # independently: fit on the 2000 actor sums
    sub = corpus[corpus.year == 2000]
    cnt = CountVectorizer(vocabulary=pdtm.vocab).transform(
        sub.groupby("actor")["text"].apply(" ".join)
    )
    d = DocTermMatrix.from_unsorted(cnt, sorted(sub.actor.unique()), pdtm.vocab)
    t = al.Wordscores().fit(d, refs).score_table(d).set_index("doc_id")
    assert y.loc["DDD", "raw"] == pytest.approx(t.loc["DDD", "raw"])
    with pytest.raises(ValueError, match=r"Reference actor\(s\) \['USA'\] are absent"):
        al.wordscores_by_period(pdtm, passages, references={"AAA": -1, "USA": 1})
    with pytest.warns(UserWarning, match="skipped"):
        skip = al.wordscores_by_period(
            pdtm, passages, references={"AAA": -1, "CCC": 1}, rescale="none"
        )
    assert skip.attrs["skipped"] == [{"period": 2001, "missing_references": ["CCC"]}]


# ---------------------------------------------------------------- Wordfish
def _wf_data(seed=0, n=8, v=40):
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1.5, 1.5, n)
    alpha = rng.normal(0, 0.3, n)
    alpha -= alpha[0]
    psi = rng.normal(1.0, 0.5, v)
    beta = rng.normal(0, 0.8, v)
    y = rng.poisson(np.exp(alpha[:, None] + psi[None] + theta[:, None] * beta[None]))
    return y.astype(float), theta


def _penalised_nll(params, y, sd_t=1.0, sd_b=3.0):
    n, v = y.shape
    alpha = np.concatenate([[0.0], params[: n - 1]])
    theta = params[n - 1 : 2 * n - 1]
    psi = params[2 * n - 1 : 2 * n - 1 + v]
    beta = params[2 * n - 1 + v :]
    eta = alpha[:, None] + psi[None] + theta[:, None] * beta[None]
    mu = np.exp(eta)
    f = -(y * eta - mu).sum() + 0.5 * (beta**2).sum() / sd_b**2 + 0.5 * (theta**2).sum() / sd_t**2
    r = y - mu
    g_alpha = -r.sum(1)[1:]
    g_theta = -(r @ beta) + theta / sd_t**2
    g_psi = -r.sum(0)
    g_beta = -(theta @ r) + beta / sd_b**2
    return f, np.concatenate([g_alpha, g_theta, g_psi, g_beta])


def test_wordfish_matches_independent_optimiser():
    y, true_theta = _wf_data()
    wf = al.Wordfish(dir=(0, 7), tol=1e-14).fit(y)
    assert wf.converged_
    n, v = y.shape
    start = np.concatenate(
        [np.zeros(n - 1), np.linspace(-1, 1, n), np.log(y.mean(0) + 0.1), np.zeros(v)]
    )
    with threadpool_limits(limits=1, user_api="blas"):
        res = minimize(
            _penalised_nll,
            start,
            args=(y,),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 20000, "gtol": 1e-10, "ftol": 1e-14},
        )
    theta_ref = res.x[n - 1 : 2 * n - 1]
    if theta_ref[0] > theta_ref[-1]:
        theta_ref = -theta_ref
    np.testing.assert_allclose(wf.theta_, theta_ref, atol=1e-4)
    # same penalised optimum: objective equal, gradient (independent code) ~ 0
    mine = np.concatenate([wf.alpha_[1:], wf.theta_, wf.psi_, wf.beta_])
    f_mine, g_mine = _penalised_nll(mine, y)
    assert f_mine <= res.fun + 1e-7 * abs(res.fun)
    assert np.abs(g_mine).max() < 1e-3
    assert np.corrcoef(wf.theta_, true_theta)[0, 1] > 0.9
    assert wf.theta_[0] < wf.theta_[7]


def test_wordfish_hessian_se_matches_numeric_hessian():
    y, _ = _wf_data(seed=1)
    wf = al.Wordfish().fit(y)
    i = 3
    pt = 1.0

    def f(a, t):
        eta = a + wf.psi_ + t * wf.beta_
        return (y[i] * eta - np.exp(eta)).sum() - 0.5 * pt * t**2

    a0, t0 = wf.alpha_[i], wf.theta_[i]  # theta_ and beta_ flip together: f is unchanged
    h = 1e-4
    haa = (f(a0 + h, t0) - 2 * f(a0, t0) + f(a0 - h, t0)) / h**2
    htt = (f(a0, t0 + h) - 2 * f(a0, t0) + f(a0, t0 - h)) / h**2
    hat = (f(a0 + h, t0 + h) - f(a0 + h, t0 - h) - f(a0 - h, t0 + h) + f(a0 - h, t0 - h)) / (
        4 * h**2
    )
    cov = np.linalg.inv(-np.array([[haa, hat], [hat, htt]]))
    assert wf.se_theta_[i] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-3)


def test_wordfish_bootstrap_is_seeded():
    y, _ = _wf_data(seed=2, n=6, v=25)
    a = al.Wordfish(se="bootstrap", n_boot=5, random_state=0).fit(y)
    b = al.Wordfish(se="bootstrap", n_boot=5, random_state=0).fit(y)
    np.testing.assert_array_equal(a.se_theta_, b.se_theta_)
    assert (a.theta_ci_[:, 0] <= a.theta_ci_[:, 1]).all() and (a.se_theta_ > 0).all()


def test_wordfish_labels_and_bad_input():
    y, _ = _wf_data(seed=3, n=5, v=20)
    ids = [f"d{i}" for i in range(5)]
    vocab = [f"w{j:02d}" for j in range(20)]
    y[:, 4] = 0
    dtm = DocTermMatrix.from_unsorted(sp.csr_matrix(y), ids, vocab)
    wf = al.Wordfish(dir=("d4", "d0")).fit(dtm)
    assert wf.n_dropped_terms_ == 1 and "w04" not in set(wf.vocab_)
    tab = wf.score_table()
    assert tab.set_index("doc_id").loc["d4", "theta"] < tab.set_index("doc_id").loc["d0", "theta"]
    assert list(wf.word_table().columns) == ["term", "beta", "psi"]
    y2 = y.copy()
    y2[2] = 0
    with pytest.raises(ValueError, match=r"have no tokens: \[2\]"):
        al.Wordfish().fit(y2)
    with pytest.raises(ValueError, match="'zz' is not in the matrix"):
        al.Wordfish(dir=("zz", "d0")).fit(dtm)


# ---------------------------------------------------------------- validation
def _panel_and_votes():
    rng = np.random.default_rng(0)
    actors = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "EU"]
    rows, votes = [], []
    for year in range(1988, 2003):
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                s = rng.uniform()
                rows.append({"actor_a": a, "actor_b": b, "period": year, "similarity": s})
                if "EU" in (a, b):
                    continue
                if year == 2002:
                    continue  # external data stop in 2001
                # write half the dyads in reversed order
                x, y = (b, a) if rng.uniform() < 0.5 else (a, b)
                votes.append(
                    {
                        "actor_a": x,
                        "actor_b": y,
                        "year": year,
                        "agreement": 0.5 * s + rng.normal(0, 0.1),
                        "n_votes": 50,
                    }
                )
    votes.append({"actor_a": "AAA", "actor_b": "YUG", "year": 1990, "agreement": 0.3, "n_votes": 9})
    return pd.DataFrame(rows), pd.DataFrame(votes)


def test_join_dyads_normalises_order_and_explains_misses():
    panel, votes = _panel_and_votes()
    joined, unmatched = al.join_dyads(panel, votes)
    assert len(joined) == 28 * 14
    assert (joined["actor_a"] < joined["actor_b"]).all()
    reasons = dict(
        zip(unmatched["side"] + ": " + unmatched["reason"], unmatched["n_rows"], strict=True)
    )
    assert reasons["panel: actor code not in the external data: ['EU']"] == 8 * 15
    assert reasons["panel: year not covered by the external data"] == 28
    assert reasons["external: actor code not in the text panel: ['YUG']"] == 1


def test_validate_against_by_decade():
    panel, votes = _panel_and_votes()
    val = al.validate_against(panel, votes, n_boot=200, random_state=0)
    assert val["decade"].tolist() == ["1980", "1990", "2000", "all"]
    allrow = val.set_index("decade").loc["all"]
    assert allrow["n_dyad_years"] == 28 * 14
    joined, _ = al.join_dyads(panel, votes)
    exp = np.corrcoef(joined["similarity"], joined["agreement"])[0, 1]
    assert allrow["pearson"] == pytest.approx(exp)
    assert allrow["pearson_ci_low"] < allrow["pearson"] < allrow["pearson_ci_high"]
    assert allrow["spearman"] == pytest.approx(
        joined[["similarity", "agreement"]].corr("spearman").iloc[0, 1]
    )
    assert "unmatched" in val.attrs
    assert allrow["first_year"] == 1988 and allrow["last_year"] == 2001
    assert val.set_index("decade").loc["1990", "last_year"] == 1999
    again = al.validate_against(panel, votes, n_boot=200, random_state=0)
    pd.testing.assert_frame_equal(val, again)
    summ = al.summarize_validation(val)
    per = val[val["decade"] != "all"]
    assert summ["n_decades"] == 3 and summ["n_dyad_years"] == 28 * 14
    assert summ["high"] == pytest.approx(per["pearson"].max())
    assert summ["low_decade"] == per.loc[per["pearson"].idxmin(), "decade"]
    assert summ["n_positive"] == int((per["pearson_ci_low"] > 0).sum())
    assert summ["pooled"] == pytest.approx(allrow["pearson"])
    with pytest.raises(ValueError, match="no pooled 'all' row"):
        al.summarize_validation(per)
    with pytest.raises(ValueError, match="method='kendall'"):
        al.summarize_validation(val, method="kendall")


def test_actor_bootstrap_equals_weighted_pearson():
    rng = np.random.default_rng(0)
    n_act = 6
    a, b = np.triu_indices(n_act, 1)
    a, b = np.tile(a, 3), np.tile(b, 3)  # three years of every dyad
    x, y = rng.normal(size=len(a)), rng.normal(size=len(a))
    w = np.array([[2, 0, 1, 1, 2, 0], [1, 1, 1, 1, 1, 1]])

    class FixedDraws:
        def multinomial(self, n, p, size):
            return w

    got = al._actor_boot_corr(a, b, x, y, n_act, n_boot=2, rng=FixedDraws())
    for k in range(2):
        wt = w[k][a] * w[k][b]
        mx, my = np.average(x, weights=wt), np.average(y, weights=wt)
        cov = np.sum(wt * (x - mx) * (y - my))
        exp = cov / np.sqrt(np.sum(wt * (x - mx) ** 2) * np.sum(wt * (y - my) ** 2))
        assert got[k] == pytest.approx(exp)
    assert got[1] == pytest.approx(np.corrcoef(x, y)[0, 1])


def test_validate_mismatched_periods():
    panel, votes = _panel_and_votes()
    with pytest.raises(ValueError, match="periods do not match"):
        al.validate_against(panel.assign(period=panel["period"] + 100), votes, n_boot=0)
    with pytest.raises(ValueError, match="cannot be read as years"):
        al.validate_against(panel.assign(period="1990s"), votes, n_boot=0)
    with pytest.raises(ValueError, match=r"no column\(s\) \['agreement'\]"):
        al.validate_against(panel, votes.drop(columns="agreement"), n_boot=0)


# ---------------------------------------------------------------- integration
@pytest.mark.integration
def test_ungdc_panel_and_wordscores(ungdc):
    sub = ungdc[ungdc["year"].isin([2013, 2014])]
    vec = CountVectorizer(min_df=2, stop_words="english")
    x = vec.fit_transform(sub["text"])
    dtm = DocTermMatrix.from_unsorted(x, sub["doc_id"], vec.get_feature_names_out())
    panel = al.similarity_panel(dtm, sub, n_boot=0)
    s = al.dyad_series(panel, al.DEFAULT_PAIRS)
    assert len(s) == 8 and s["similarity"].between(0, 1).all()
    ws = al.wordscores_by_period(dtm, sub, periods=[2014], progress=False)
    assert {"CHN", "DEU", "UKR"} <= set(ws["actor"])
    refs = ws.set_index("actor").loc[["RUS", "USA"], "raw"]
    assert refs["RUS"] < refs["USA"]
