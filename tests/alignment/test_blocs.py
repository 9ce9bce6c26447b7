"""Tests for toolkit.alignment.blocs: blocs, centred similarity, maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import normalize

from toolkit import alignment as al
from toolkit.alignment.blocs import _classical_mds


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


def test_classical_mds_recovers_distances():
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.5, 1.0]])
    d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    coords, _ = _classical_mds(d, 2)
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
